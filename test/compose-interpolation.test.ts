// Interpolation and .env files as the Compose documentation describes them
// (docs.docker.com/compose/how-tos/environment-variables/variable-interpolation and env-file syntax).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDotenv } from '../src/compose/dotenv.ts';
import { substitute } from '../src/compose/template.ts';

const vars = new Map<string, string>([
  ['SET', 'value'],
  ['EMPTY', ''],
  ['TAG', 'v1.5'],
]);
const lookup = (k: string) => vars.get(k);
const sub = (s: string) => {
  const r = substitute(s, lookup);
  return r.ok ? r.value : `ERROR ${r.error}`;
};

test('direct substitution: $VAR and ${VAR}; unset is blank and reported', () => {
  assert.is(sub('image:${TAG}'), 'image:v1.5');
  assert.is(sub('$SET-x'), 'value-x');
  const r = substitute('a${NOPE}b', lookup);
  assert.ok(r.ok);
  if (r.ok) {
    assert.is(r.value, 'ab');
    assert.equal(r.unset, ['NOPE']);
  }
});

test('defaults: :- when unset or empty, - when unset', () => {
  assert.is(sub('${EMPTY:-d}'), 'd');
  assert.is(sub('${EMPTY-d}'), '');
  assert.is(sub('${NOPE-d}'), 'd');
  assert.is(sub('${SET:-d}'), 'value');
});

test('alternatives: :+ when set and non-empty, + when set', () => {
  assert.is(sub('${SET:+alt}'), 'alt');
  assert.is(sub('${EMPTY:+alt}'), '');
  assert.is(sub('${EMPTY+alt}'), 'alt');
  assert.is(sub('${NOPE+alt}'), '');
});

test('required: :? and ? fail with the message', () => {
  assert.is(sub('${NOPE:?give it}'), 'ERROR required variable NOPE is missing a value: give it');
  assert.is(sub('${EMPTY:?must not be empty}'), 'ERROR required variable EMPTY is missing a value: must not be empty');
  assert.is(sub('${EMPTY?x}'), '');
});

test('nested defaults and several expressions in one value', () => {
  assert.is(sub('${NOPE:-${TAG}}'), 'v1.5');
  assert.is(sub('${NOPE:-a}-${SET}-${TAG:-x}'), 'a-value-v1.5');
  assert.is(sub('${NOPE:-${ALSO:-deep}}!'), 'deep!');
});

test('$$ is a literal dollar; a lone ${ is an invalid template', () => {
  assert.is(sub('echo $$HOME'), 'echo $HOME');
  assert.match(sub('price ${'), /^ERROR invalid interpolation format/);
  assert.match(sub('${NOT-CLOSED'), /^ERROR invalid interpolation format/);
});

test('.env: KEY=value, comments, quotes, escapes, export, references', () => {
  const r = parseDotenv(
    [
      '# a comment',
      'A=plain value # trailing comment',
      "B='single ${A} kept'",
      'C="double\\nline ${A}"',
      'export D=exported',
      'E=${A}-suffix',
      'F:yaml style',
      'G=',
      '1X=starts with a digit',
      'H="a \\"quoted\\" word"',
    ].join('\n'),
    () => undefined,
  );
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.vars.get('A'), 'plain value');
  assert.is(r.vars.get('B'), 'single ${A} kept');
  assert.is(r.vars.get('C'), 'double\nline plain value');
  assert.is(r.vars.get('D'), 'exported');
  assert.is(r.vars.get('E'), 'plain value-suffix');
  assert.is(r.vars.get('F'), 'yaml style');
  assert.is(r.vars.get('G'), '');
  assert.is(r.vars.has('1X'), false);
  assert.is(r.vars.get('H'), 'a "quoted" word');
});

test('.env: the shell wins over the file, and a bare KEY takes it from the shell', () => {
  const r = parseDotenv('A=file\nB=${A}\nC\n', (k) => (k === 'A' ? 'shell' : k === 'C' ? 'from-shell' : undefined));
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.vars.get('B'), 'shell');
  assert.is(r.vars.get('C'), 'from-shell');
});

test('.env: bad lines are errors with their line', () => {
  const r = parseDotenv('A=1\nB C=2\n', () => undefined);
  assert.not.ok(r.ok);
  if (!r.ok) assert.is(r.line, 2);
  const q = parseDotenv('A="never closed\n', () => undefined);
  assert.not.ok(q.ok);
});

test.run();
