// ajv error collapsing, on small schemas built for the purpose: the netform schema has few alternatives,
// but the mapping must hold for any schema it grows into.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Ajv } from 'ajv';
import { ajvErrorsToDiagnostics } from '../src/schema/errors.ts';
import { pointerToPath } from '../src/schema/messages.ts';

function run(schema: object, data: unknown) {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  const validate = ajv.compile(schema);
  assert.is(validate(data), false, 'the data must be invalid');
  return ajvErrorsToDiagnostics(validate.errors ?? [], data).map((d) => `${d.code} ${JSON.stringify(d.path)}${d.atKey ? ' key' : ''}`);
}

const shapes = {
  anyOf: [
    { type: 'object', additionalProperties: false, required: ['target'], properties: { target: { type: 'integer', maximum: 65535 } } },
    { type: 'string', pattern: '^[0-9]+$' },
  ],
};

test('anyOf: the branch whose type fits and that fails deeper is the only one reported', () => {
  assert.equal(run(shapes, { target: 70000 }), ['SCHEMA_RANGE ["target"]']);
  assert.equal(run(shapes, { target: 80, extra: 1 }), ['SCHEMA_UNKNOWN_KEY ["extra"] key']);
});

test('anyOf: a value failing every branch at its own level gives one diagnostic', () => {
  assert.equal(run(shapes, 'abc'), ['SCHEMA_PATTERN []']);
  assert.equal(run(shapes, true), ['SCHEMA_TYPE []']);
});

test('anyOf of bare $refs (schema paths inside the definitions) collapses too', () => {
  const schema = {
    definitions: { a: { type: 'string', enum: ['x', 'y'] }, b: { type: 'string', pattern: '^z:' } },
    type: 'object',
    properties: { v: { anyOf: [{ $ref: '#/definitions/a' }, { $ref: '#/definitions/b' }] }, w: { type: 'integer' } },
  };
  assert.equal(run(schema, { v: 'q', w: 'no' }), ['SCHEMA_ENUM ["v"]', 'SCHEMA_TYPE ["w"]']);
});

test('nested anyOf resolves inside out', () => {
  const schema = {
    type: 'object',
    properties: {
      v: { anyOf: [{ type: 'integer' }, { type: 'array', items: { anyOf: [{ type: 'string', enum: ['a'] }, { type: 'string', pattern: '^b' }] } }] },
    },
  };
  assert.equal(run(schema, { v: ['a', 'c', 'b2'] }), ['SCHEMA_ENUM ["v",1]']);
});

test('oneOf matching several branches is reported once, as SCHEMA_OTHER', () => {
  assert.equal(run({ oneOf: [{ type: 'integer' }, { type: 'number' }] }, 3), ['SCHEMA_OTHER []']);
});

test('the most specific error per value wins (format over pattern), errors at different values all stay', () => {
  const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
  ajv.addFormat('even', { type: 'string', validate: (s: string) => s.length % 2 === 0 });
  const validate = ajv.compile({ type: 'array', items: { type: 'string', pattern: '^[a-z]+$', format: 'even' } });
  assert.is(validate(['abc', 'AB', 'abcd', 'A']), false);
  const diags = ajvErrorsToDiagnostics(validate.errors ?? [], ['abc', 'AB', 'abcd', 'A']);
  assert.equal(
    diags.map((d) => `${d.code} ${JSON.stringify(d.path)}`),
    ['SCHEMA_FORMAT [0]', 'SCHEMA_PATTERN [1]', 'SCHEMA_FORMAT [3]'],
  );
});

test('propertyNames errors point at the key, once', () => {
  assert.equal(run({ type: 'object', propertyNames: { pattern: '^[a-z]+$' } }, { ok: 1, 'B-d': 2 }), ['SCHEMA_PATTERN ["B-d"] key']);
});

test('pointerToPath: escapes decoded, numbers only for list indices', () => {
  const root = { a: { '0': [{ 'x/y': { '~k': 1 } }] } };
  assert.equal(pointerToPath('/a/0/0/x~1y/~0k', root), ['a', '0', 0, 'x/y', '~k']);
  assert.equal(pointerToPath('', root), []);
});

test.run();
