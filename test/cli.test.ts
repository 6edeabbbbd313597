// The command line as a user meets it: options read per command (util.parseArgs), every usage problem
// at once, one-line messages with documented exit codes for whatever the file system throws at it,
// JSON even when a file is missing, colour only where it belongs.
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COMMANDS } from '../src/cli/commands.ts';
import { EXIT } from '../src/cli/main.ts';
import { REPO } from './support/examples.ts';
import { runCli, withScratch } from './support/cli.ts';

const EXAMPLE = path.join(REPO, 'examples', 'my-net.yaml');
const ANSI = /\x1b\[/;

/** A file with two warnings and one error (an unknown network at 12:16). */
const BAD = `version: 1
host:
  name: local
networks:
  my-net:
    driver: bridge
    driver_opts:
      com.example.unknown: "1"
containers:
  web:
    image: nginx
    networks: [nosuch]
`;

/** No stack trace, no Node error text: every line a message of netform's. */
function assertOneLineMessages(err: string): void {
  assert.not.match(err, /\n\s+at /, 'no stack trace');
  assert.not.match(err, /E[A-Z]+: /, 'no raw Node error');
  assert.ok(err.endsWith('\n'), 'ends with a newline');
}

test('build FILE -o --json: -o lacks its value; nothing is written to a directory named --json', async () => {
  const r = await runCli(['build', EXAMPLE, '-o', '--json']);
  assert.is(r.code, EXIT.TROUBLE);
  assert.match(r.err, /-o, --output needs a value \(DIR\)/);
  assert.not.ok(existsSync(path.resolve('--json')));
});

test('-o=DIR and --output=DIR are DIR', withScratch('netform-cli', async (dir) => {
  for (const arg of [`-o=${dir}/a`, `--output=${dir}/b`, `-o${dir}/c`]) {
    const r = await runCli(['build', EXAMPLE, arg]);
    assert.is(r.code, EXIT.OK, r.err);
  }
  for (const d of ['a', 'b', 'c']) assert.ok(existsSync(path.join(dir, d, 'local', 'setup.sh')), d);
}));

test('options a command does not take are refused, all problems reported together', async () => {
  const cases: [string[], RegExp[]][] = [
    [['build', EXAMPLE, '-o', 'x', '--json'], [/unknown option --json/]],
    [['build', EXAMPLE, '-o', 'x', '--update'], [/unknown option --update/]],
    [['validate', EXAMPLE, '--update'], [/unknown option --update/]],
    [['check', EXAMPLE, '--golden', 'g', '--json'], [/unknown option --json/]],
    [['build', 'a.yaml', 'b.yaml', '--zz', '--no-warnings=1'], [/unknown option --zz/, /--no-warnings takes no value/, /takes one FILE \(got 2: a.yaml b.yaml\)/, /-o, --output DIR is required/]],
    [['validate', EXAMPLE, '--json', '--format', 'sarif'], [/--json and --format sarif contradict/]],
    [['validate', EXAMPLE, '--format', 'xml'], [/--format must be one of text, json, sarif/]],
    [['check', EXAMPLE], [/--golden DIR is required/]],
    [['validate'], [/needs at least one FILE/]],
    [['frobnicate'], [/unknown command "frobnicate"; the commands are validate, build, check, import, graph/]],
  ];
  for (const [argv, expected] of cases) {
    const r = await runCli(argv);
    assert.is(r.code, EXIT.TROUBLE, argv.join(' '));
    for (const re of expected) assert.match(r.err, re, argv.join(' '));
    assert.is(r.out, '');
    assertOneLineMessages(r.err);
  }
});

test('--no-warnings leaves warnings out, errors stay', withScratch('netform-cli', async (dir) => {
  const file = path.join(dir, 'bad.yaml');
  writeFileSync(file, BAD);
  const all = await runCli(['validate', file]);
  assert.is(all.code, EXIT.FAILED);
  assert.match(all.err, /warning: networks\.my-net\.driver_opts/);
  const quiet = await runCli(['validate', file, '--no-warnings']);
  assert.is(quiet.code, EXIT.FAILED);
  assert.not.match(quiet.err, /warning/);
  assert.match(quiet.err, /bad\.yaml:12:16: error: containers\.web\.networks\[0\]/);
  const json = JSON.parse((await runCli(['validate', file, '--json', '--no-warnings'])).out) as { severity: string }[];
  assert.equal(json.map((d) => d.severity), ['error']);
}));

test('the last diagnostic ends with a newline', withScratch('netform-cli', async (dir) => {
  const file = path.join(dir, 'bad.yaml');
  writeFileSync(file, BAD);
  const r = await runCli(['validate', file]);
  assert.ok(r.err.endsWith('^^^^^^\n'), JSON.stringify(r.err.slice(-20)));
}));

test('file-system trouble: one line each, exit 2, never a stack trace', withScratch('netform-cli', async (dir) => {
  const folder = path.join(dir, 'folder');
  mkdirSync(folder);
  symlinkSync('loop', path.join(dir, 'loop'));
  const plain = path.join(dir, 'plain');
  writeFileSync(plain, 'x');
  const cases: [string[], RegExp][] = [
    [['validate', folder], /folder: error: cannot read the file: it is a directory\n$/],
    [['build', folder, '-o', path.join(dir, 'o1')], /folder: error: cannot read the file: it is a directory\n$/],
    [['validate', path.join(dir, 'loop')], /loop: error: cannot read the file: too many levels of symbolic links/],
    [['build', EXAMPLE, '-o', path.join(dir, 'o2'), '--secrets', folder], /folder: error: cannot read the file: it is a directory\n$/],
    [['build', EXAMPLE, '-o', path.join(plain, 'out')], /^netform: cannot write .*plain\/out: a part of the path is not a directory/],
    [['build', EXAMPLE, '-o', '/sys/netform-test-out'], /^netform: cannot write \/sys\/netform-test-out: /],
    [['check', EXAMPLE, '--golden', plain], /^netform: --golden .*plain is not a directory\n$/],
    [['check', EXAMPLE, '--golden', path.join(dir, 'nosuch')], /^netform: --golden .*nosuch does not exist \(--update creates it\)\n$/],
    [['validate', path.join(dir, 'nosuch.yaml')], /nosuch\.yaml: error: cannot read the file: no such file or directory\n$/],
  ];
  for (const [argv, expected] of cases) {
    const r = await runCli(argv);
    assert.is(r.code, EXIT.TROUBLE, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, expected, argv.join(' '));
    assert.is(r.err.trimEnd().split('\n').length, 1, `one line: ${r.err}`);
    assertOneLineMessages(r.err);
  }
  assert.not.ok(existsSync('/sys/netform-test-out'));
  assert.not.ok(existsSync(path.join(dir, 'o1')) || existsSync(path.join(dir, 'o2')), 'nothing written');
}));

test('a missing input with --json still prints JSON (FILE_UNREADABLE), beside the other files', withScratch('netform-cli', async (dir) => {
  const r = await runCli(['validate', path.join(dir, 'missing.yaml'), EXAMPLE, '--json']);
  assert.is(r.code, EXIT.TROUBLE);
  const json = JSON.parse(r.out) as { file: string; code: string; severity: string }[];
  assert.equal(json.map((d) => [path.basename(d.file), d.code, d.severity]), [['missing.yaml', 'FILE_UNREADABLE', 'error']]);
}));

test('check --update creates a missing golden directory, then matches it', withScratch('netform-cli', async (dir) => {
  const golden = path.join(dir, 'golden');
  const u = await runCli(['check', EXAMPLE, '--golden', golden, '--update']);
  assert.is(u.code, EXIT.OK, u.err);
  assert.ok(lstatSync(golden).isDirectory(), 'a plain directory, not a link');
  const c = await runCli(['check', EXAMPLE, '--golden', golden]);
  assert.is(c.code, EXIT.OK, c.out);
}));

test('the top-level help lists every command and every option (--secrets included)', async () => {
  const r = await runCli(['--help']);
  assert.is(r.code, EXIT.OK);
  for (const c of COMMANDS) {
    assert.match(r.out, new RegExp(`netform ${c.name} `));
    for (const name of Object.keys(c.options)) assert.ok(r.out.includes(`--${name}`), `${c.name} --${name}`);
  }
  assert.match(r.out, /--secrets KEYS/);
  assert.match(r.out, /Exit codes: 0 success; 1 invalid input/);
  const bare = await runCli([]);
  assert.is(bare.code, EXIT.TROUBLE);
  assert.is(bare.err, r.out);
  for (const c of COMMANDS) {
    const h = await runCli([c.name, '--help']);
    assert.is(h.code, EXIT.OK);
    assert.ok(h.out.startsWith(`Usage: netform ${c.name}`));
    assert.equal((await runCli(['help', c.name])).out, h.out);
  }
  assert.is((await runCli(['--version'])).out, `netform ${JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}\n`);
});

test('colour: on a terminal only, never with NO_COLOR; FORCE_COLOR, --color and --no-color as documented', withScratch('netform-cli', async (dir) => {
  const file = path.join(dir, 'bad.yaml');
  writeFileSync(file, BAD);
  const coloured = async (opts: { env?: Record<string, string>; tty?: boolean }, ...flags: string[]) => ANSI.test((await runCli(['validate', file, ...flags], opts)).err);
  assert.ok(await coloured({ tty: true }), 'a terminal');
  assert.not.ok(await coloured({ tty: false }), 'a pipe');
  assert.not.ok(await coloured({ tty: true, env: { TERM: 'dumb' } }), 'TERM=dumb');
  assert.not.ok(await coloured({ tty: true, env: { NO_COLOR: '1' } }), 'NO_COLOR');
  assert.ok(await coloured({ tty: true, env: { NO_COLOR: '' } }), 'an empty NO_COLOR is unset');
  assert.ok(await coloured({ tty: false, env: { FORCE_COLOR: '1' } }), 'FORCE_COLOR');
  assert.not.ok(await coloured({ tty: true, env: { FORCE_COLOR: '0' } }), 'FORCE_COLOR=0');
  assert.not.ok(await coloured({ tty: true, env: { NO_COLOR: '1', FORCE_COLOR: '1' } }), 'NO_COLOR wins over FORCE_COLOR');
  assert.ok(await coloured({ tty: false, env: { NO_COLOR: '1' } }, '--color'), '--color');
  assert.not.ok(await coloured({ tty: true, env: { FORCE_COLOR: '1' } }, '--no-color'), '--no-color');
  assert.not.ok(ANSI.test((await runCli(['validate', file, '--json'], { tty: true })).out), 'JSON is never coloured');
}));

test.run();
