// `validate --format sarif` is a SARIF 2.1.0 log that the OASIS schema accepts, with one rule per
// diagnostic code and results at the diagnostics' positions; under GitHub Actions the text format adds
// one workflow command per diagnostic, escaped so that no input text can end it or start another.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DIAGNOSTIC_CODES } from '../src/diagnostics/codes.ts';
import { annotations } from '../src/cli/github.ts';
import { EXIT } from '../src/cli/main.ts';
import { REPO } from './support/examples.ts';
import { runCli, withScratch } from './support/cli.ts';

const SCHEMA_FILE = path.join(REPO, 'test', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json');

/**
 * The OASIS schema declares draft-04, which ajv's default class does not load; it uses no keyword whose
 * meaning changed between draft-04 and draft-07 (checked below: no exclusiveMinimum/Maximum, whose
 * boolean form is draft-04's), so it is validated as draft-07 with its top-level `id` as `$id`.
 */
let compiled: ReturnType<Ajv['compile']> | undefined;
function sarifValidator() {
  if (compiled) return compiled;
  const text = readFileSync(SCHEMA_FILE, 'utf8');
  assert.not.match(text, /exclusiveM(in|ax)imum/);
  const schema = JSON.parse(text) as Record<string, unknown>;
  assert.is(schema['$schema'], 'http://json-schema.org/draft-04/schema#');
  const { $schema: _draft, id, ...rest } = schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  compiled = ajv.compile({ $id: id as string, ...rest });
  // The validator does refuse a broken log (a run without tool.driver, a result with a bad level).
  assert.not.ok(compiled({ version: '2.1.0', runs: [{ tool: {} }] }));
  assert.not.ok(compiled({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] }));
  return compiled;
}

/** Two warnings (no resolv_conf, an unknown driver option) and an error (an unknown network at 12:16). */
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

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn: number; endLine: number; endColumn: number } } }[];
}

test('validate --format sarif: valid SARIF 2.1.0, a rule per code, results where the diagnostics are', withScratch('netform-sarif', async (dir) => {
  const file = path.join(dir, 'my file#1.yaml');
  writeFileSync(file, BAD);
  const validate = sarifValidator();
  const r = await runCli(['validate', file, '--format', 'sarif']);
  assert.is(r.code, EXIT.FAILED);
  assert.is(r.err, '');
  const log = JSON.parse(r.out);
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  const run = log.runs[0];
  assert.is(run.tool.driver.name, 'netform');
  assert.equal(run.tool.driver.rules.map((x: { id: string }) => x.id), Object.keys(DIAGNOSTIC_CODES));
  const json = JSON.parse((await runCli(['validate', file, '--json'])).out) as { code: string; line: number; col: number; endLine: number; endCol: number; severity: string }[];
  const results = run.results as SarifResult[];
  assert.ok(json.some((d) => d.severity === 'error'));
  assert.is(results.length, json.length);
  results.forEach((res, i) => {
    const d = json[i]!;
    assert.is(res.ruleId, d.code);
    assert.is(run.tool.driver.rules[res.ruleIndex].id, d.code);
    assert.is(res.level, d.severity);
    const loc = res.locations[0]!.physicalLocation;
    assert.equal(loc.region, { startLine: d.line, startColumn: d.col, endLine: d.endLine, endColumn: d.endCol });
    // The file's name, percent-encoded, relative to the working directory or as a file:// URL.
    assert.ok(loc.artifactLocation.uri.endsWith('my%20file%231.yaml'), loc.artifactLocation.uri);
  });
  const unknown = results.find((x) => x.ruleId === 'UNKNOWN_NETWORK')!;
  assert.equal(unknown.locations[0]!.physicalLocation.region, { startLine: 12, startColumn: 16, endLine: 12, endColumn: 22 });
}));

test('SARIF of a valid file and of an unreadable one: still a valid log', withScratch('netform-sarif', async (dir) => {
  const validate = sarifValidator();
  const ok = await runCli(['validate', path.join(REPO, 'examples', 'my-net.yaml'), '--format', 'sarif']);
  assert.is(ok.code, EXIT.OK);
  assert.ok(validate(JSON.parse(ok.out)), JSON.stringify(validate.errors));
  assert.equal(JSON.parse(ok.out).runs[0].results, []);
  const missing = await runCli(['validate', path.join(dir, 'missing.yaml'), '--format', 'sarif']);
  assert.is(missing.code, EXIT.TROUBLE);
  const log = JSON.parse(missing.out);
  assert.ok(validate(log), JSON.stringify(validate.errors));
  assert.is(log.runs[0].results[0].ruleId, 'FILE_UNREADABLE');
}));

test('a relative file gives a relative URI; the log holds no path of this machine', async () => {
  const rel = path.relative(process.cwd(), path.join(REPO, 'examples', 'my-net.yaml'));
  const r = await runCli(['validate', rel, '--format', 'sarif', '--no-warnings']);
  assert.not.ok(r.out.includes(REPO), 'no absolute path');
});

test('GITHUB_ACTIONS=true: an annotation per diagnostic on stdout, with file, line and column', withScratch('netform-gha', async (dir) => {
  const file = path.join(dir, 'bad.yaml');
  writeFileSync(file, BAD);
  const r = await runCli(['validate', file], { env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir } });
  assert.is(r.code, EXIT.FAILED);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines, [
    "::warning file=bad.yaml,line=3,col=3,endLine=4,title=NO_HOST_RESOLV_CONF::host: host.resolv_conf is not given: containers' resolv.conf is built from an empty host file (Docker would read the host's /etc/resolv.conf)",
    '::warning file=bad.yaml,line=8,col=7,endLine=8,endColumn=25,title=IGNORED::networks.my-net.driver_opts["com.example.unknown"]: driver option "com.example.unknown" is not a bridge driver option netform knows; it is ignored',
    '::error file=bad.yaml,line=12,col=16,endLine=12,endColumn=21,title=UNKNOWN_NETWORK::containers.web.networks[0]: network "nosuch" is not declared under networks',
  ]);
  const without = await runCli(['validate', file]);
  assert.not.match(without.out, /^::/m, 'only under GitHub Actions');
  const json = await runCli(['validate', file, '--json'], { env: { GITHUB_ACTIONS: 'true' } });
  assert.not.match(json.out, /^::/m, 'never inside JSON');
}));

test('annotations escape what would end the command or start another', () => {
  const text = annotations([{ file: 'a,b:c%\n::error file=x::owned.yaml', line: 1, col: 2, endLine: 1, endCol: 3, severity: 'error', code: 'BAD_NAME', path: ['k'], message: '100%\r\n::warning::x' }], undefined);
  assert.is(text, '::error file=a%2Cb%3Ac%25%0A%3A%3Aerror file=x%3A%3Aowned.yaml,line=1,col=2,endLine=1,endColumn=2,title=BAD_NAME::k: 100%25%0D%0A::warning::x\n');
  assert.is(text.split('\n').length, 2, 'one line');
});

test.run();
