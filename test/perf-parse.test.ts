// netform checks duplicate keys itself (src/parse/parse.ts checkNodes), in one linear walk, instead of
// yaml's uniqueKeys, which compares each key with every earlier one of its mapping. These cases pin
// down that the walk finds what yaml found, where it found it, and in mappings of any size. Positions
// and paths only, never the prose; no timing (the benchmark measures speed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDocument } from 'yaml';
import { locate } from '../src/diagnostics/format.ts';
import { parseSource } from '../src/parse/index.ts';

const at = (text: string) => {
  const p = parseSource(text, 'case.yaml');
  return p.diagnostics.map((d) => {
    const pos = locate(d, p.doc, p.lineCounter);
    return `${d.code}@${pos.line}:${pos.col} ${JSON.stringify(d.path)}`;
  });
};

/** What yaml's own uniqueKeys check says: the keys it reports, in order (its offsets are not ours). */
const yamlDuplicates = (text: string): number =>
  parseDocument(text, { uniqueKeys: true, stringKeys: true, version: '1.2', schema: 'core' }).errors.filter((e) => e.code === 'DUPLICATE_KEY').length;

test('a duplicate at the end of a mapping of 20,000 keys is reported at its line, with its path', () => {
  const keys = Array.from({ length: 20_000 }, (_, i) => `  c-${i}: {image: x}`);
  const text = `version: 1\ncontainers:\n${keys.join('\n')}\n  c-7: {image: y}\n`;
  assert.equal(at(text), [`YAML_SYNTAX@20003:3 ["containers","c-7"]`]);
});

test('every repetition is reported, in flow and block mappings, nested or not', () => {
  const text = 'a: {x: 1, x: 2, x: 3}\nb:\n  - {y: 1}\n  - y: 1\n    z: 2\n    y: 3\nc: 1\nc: 2\n';
  assert.equal(at(text), [`YAML_SYNTAX@1:11 ["a","x"]`, `YAML_SYNTAX@1:17 ["a","x"]`, `YAML_SYNTAX@6:5 ["b",1,"y"]`, `YAML_SYNTAX@8:1 ["c"]`]);
  assert.is(yamlDuplicates(text), 4);
});

test('keys are compared as yaml compares them: 1 and "1" are the same key, "a" and a too', () => {
  for (const text of ['m:\n  1: a\n  "1": b\n', "m:\n  a: 1\n  'a': 2\n", '{"version": 1, "version": 1}']) {
    assert.is(at(text).length, 1, text);
    assert.is(yamlDuplicates(text), 1, text);
  }
});

test('no duplicate: different keys, the same key in different mappings, sequences of mappings', () => {
  for (const text of ['a: 1\nb: 1\n', 'a: {x: 1}\nb: {x: 1}\n', 'l:\n  - {k: 1}\n  - {k: 1}\n', '[{a: 1}, {a: 2}]\n']) {
    assert.equal(at(text), [], text);
    assert.is(yamlDuplicates(text), 0, text);
  }
});

test('the value is still built (the last key wins) when duplicates are reported', () => {
  const p = parseSource('a: 1\na: 2\n', 'case.yaml');
  assert.equal(p.value, { a: 2 });
  assert.is(p.diagnostics.length, 1);
});

test('aliases are still checked in the same walk: unknown anchor, cycle, alias as a key', () => {
  assert.equal(at('a: *nope\n'), [`YAML_SYNTAX@1:4 ["a"]`]);
  assert.equal(at('a: &w\n  b: [*w]\n'), [`YAML_SYNTAX@2:7 ["a","b",0]`]);
  assert.equal(at('x: &k 1\ny: {*k : 2}\n').length, 1);
});

test.run();
