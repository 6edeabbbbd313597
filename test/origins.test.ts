// Every origin in every example's IR names a line of its YAML (or of the daemon.json it names), or is
// a named implicit origin: a rule, bridge, endpoint or container whose origin points at a section the
// file does not have would send `netform blame` and the tracer to a line that did not cause it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isImplicit, originSource, resolveOrigin, type Origin, type OriginSource } from '../src/diagnostics/origin.ts';
import { formatPath } from '../src/diagnostics/format.ts';
import { buildExample, exampleNames } from './support/examples.ts';
import type { CompileResult } from '../src/compile.ts';

const IMPLICIT = new Set(['daemon default', 'swarm init', 'embedded dns', 'host default', 'netform scaffolding']);

/** Every `origin` field under `value`, with where it was found. */
function* origins(value: unknown, where = ''): Generator<[string, Origin]> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* origins(value[i], `${where}[]`);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'origin') yield [where, v as Origin];
      else yield* origins(v, `${where}.${k}`);
    }
  }
}

const originSources = (r: CompileResult): OriginSource[] => [...r.sources].map(([file, s]) => originSource(file, s.text, s.parsed?.doc, s.parsed?.lineCounter));

test('every origin in every example resolves to a line of its YAML or is a named implicit origin', () => {
  const bad: string[] = [];
  let total = 0;
  for (const name of exampleNames()) {
    const r = buildExample(name);
    const sources = originSources(r);
    for (const t of r.topologies ?? []) {
      for (const [where, o] of origins(t)) {
        total++;
        if (isImplicit(o)) {
          if (!IMPLICIT.has(o.implicit) && !/^engine \S+ layout$/.test(o.implicit)) bad.push(`${name} ${t.host}${where}: unknown implicit origin "${o.implicit}"`);
        } else if (!resolveOrigin(o, sources, r.redirect)) {
          bad.push(`${name} ${t.host}${where}: ${Array.isArray(o) ? formatPath(o) : JSON.stringify(o)} is not in the file`);
        }
      }
    }
  }
  assert.ok(total > 1500, `only ${total} origins found`);
  assert.equal(bad, []);
});

test.run();
