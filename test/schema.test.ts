// The schema itself: it compiles under ajv's strict mode, it is documented for editors, it closes every
// mapping, and every example (and the reference example in docs/input.md) conforms to it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Ajv } from 'ajv';
import schema from '../schemas/netform.schema.json' with { type: 'json' };
import { parseSource } from '../src/parse/index.ts';
import { schemaValidator, validateSchema } from '../src/schema/index.ts';
import type { Diagnostic } from '../src/diagnostics/diagnostic.ts';
import { examples } from './support/examples.ts';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x);

test('the schema compiles under ajv strict mode', () => {
  // schemaValidator() compiles with strict: true (unknown keywords, formats, ambiguous types all throw).
  const validate = schemaValidator();
  assert.type(validate, 'function');
  assert.is(schemaValidator(), validate, 'compiled once per process');
});

test('the schema is a valid draft-07 schema (meta-validation)', () => {
  const ajv = new Ajv({ strict: false });
  assert.is(ajv.validateSchema(schema), true, JSON.stringify(ajv.errors));
  assert.is((schema as Json).$schema, 'http://json-schema.org/draft-07/schema#');
});

/** Every subschema, with a JSON pointer. */
function* walk(node: unknown, at: string): Generator<[string, Json]> {
  if (Array.isArray(node)) {
    for (const [i, x] of node.entries()) yield* walk(x, `${at}/${i}`);
    return;
  }
  if (!isObj(node)) return;
  yield [at, node];
  for (const [k, v] of Object.entries(node)) {
    if (k === 'enum' || k === 'const' || k === 'required') continue;
    if (k === 'properties' || k === 'definitions') {
      for (const [name, sub] of Object.entries(v as Json)) yield* walk(sub, `${at}/${k}/${name}`);
    } else {
      yield* walk(v, `${at}/${k}`);
    }
  }
}

test('every property and definition has a title and a description (editors show them)', () => {
  const missing: string[] = [];
  for (const [at, s] of walk(schema, '#')) {
    if (!/\/(properties|definitions)\/[^/]+$/.test(at)) continue;
    if (typeof s.title !== 'string' || typeof s.description !== 'string' || s.description.length < 10) missing.push(at);
  }
  assert.equal(missing, []);
});

test('every mapping with fixed keys rejects unknown keys (additionalProperties: false)', () => {
  const open: string[] = [];
  for (const [at, s] of walk(schema, '#')) {
    if (isObj(s.properties) && s.additionalProperties !== false) open.push(at);
  }
  assert.equal(open, []);
});

test('the dockerd network keys are typed, other daemon.json keys take any value, unknown ones fail', () => {
  const props = ((schema as Json).properties as Json).daemon as Json;
  const keys = Object.keys(props.properties as Json);
  for (const k of ['bip', 'bip6', 'fixed-cidr', 'fixed-cidr-v6', 'mtu', 'default-address-pools', 'firewall-backend', 'bridge-accept-fwmark', 'ip-forward-no-drop', 'allow-direct-routing', 'host-gateway-ips']) {
    assert.ok(keys.includes(k), k);
    assert.ok(Object.keys((props.properties as Json)[k] as Json).some((x) => x === 'type' || x === '$ref'), `${k} has a type`);
  }
  assert.equal(validateSchema({ version: 1, daemon: { 'log-driver': 'journald', 'log-opts': { tag: 'x' }, hosts: ['unix:///run/docker.sock'], 'live-restore': true } }), []);
  assert.equal(
    validateSchema({ version: 1, daemon: { 'cluster-store': 'consul://x' } }).map((d) => d.code),
    ['SCHEMA_UNKNOWN_KEY'],
  );
});

/** Parse and validate one file; a `daemon:` path is loaded and validated as the daemon block it stands for. */
function diagnose(file: string): Diagnostic[] {
  const text = readFileSync(file, 'utf8');
  const p = parseSource(text, file);
  if (p.diagnostics.length > 0) return p.diagnostics;
  const diags = validateSchema(p.value);
  const daemon = (p.value as Json).daemon;
  if (diags.length === 0 && typeof daemon === 'string') {
    const dfile = path.resolve(path.dirname(file), daemon);
    const dp = parseSource(readFileSync(dfile, 'utf8'), dfile);
    diags.push(...dp.diagnostics, ...validateSchema({ version: 1, daemon: dp.value }));
  }
  return diags;
}

const inputs = examples().map((e) => e.file);

test('there are examples to validate', () => {
  assert.ok(inputs.filter((f) => f.startsWith('examples')).length > 0, 'examples/ holds no .yaml file');
});

for (const file of inputs) {
  test(`${file} conforms to the schema`, () => {
    const diags = diagnose(path.join(root, file));
    assert.equal(diags.map((d) => `${d.code} ${JSON.stringify(d.path)} ${d.message}`), []);
  });
}

test('the reference example in docs/input.md conforms to the schema', () => {
  const md = readFileSync(path.join(root, 'docs', 'input.md'), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(md)?.[1];
  assert.ok(block, 'docs/input.md has a ```yaml block');
  const p = parseSource(block, 'docs/input.md');
  assert.equal(p.diagnostics, []);
  const diags = validateSchema(p.value);
  assert.equal(diags.map((d) => `${d.code} ${JSON.stringify(d.path)} ${d.message}`), []);
  // The reference example exercises every top-level section and both forms of the union-typed fields.
  assert.equal(Object.keys(p.value as Json).sort(), ['containers', 'daemon', 'engine', 'expect', 'host', 'name_resolution', 'networks', 'projects', 'version']);
});

test('validation reports every problem at once and a conforming value reports none', () => {
  assert.equal(validateSchema({ version: 1 }), []);
  const diags = validateSchema({ version: 2, networks: { n: { driver: 'x' } }, containers: { web: { ports: ['x'] } } });
  assert.equal(diags.map((d) => d.code).sort(), ['SCHEMA_ENUM', 'SCHEMA_ENUM', 'SCHEMA_PATTERN']);
});

test.run();
