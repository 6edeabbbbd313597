// Every origin in every golden topology.json (golden/ and test/golden/) names a line of its example's
// YAML (or of the daemon.json or compose file it names), or is a named implicit origin, and every
// firewall rule there has one: a rule, bridge, endpoint or container whose origin points at a section
// the file does not have would send `netform blame` and the tracer to a line that did not cause it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isImplicit, originSource, resolveOrigin, type Origin, type OriginSource } from '../src/diagnostics/origin.ts';
import { formatPath } from '../src/diagnostics/format.ts';
import { buildExample, examples, REPO } from './support/examples.ts';
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

/** The topology.json of each host of an example's golden directory. */
function goldenTopologies(golden: string): [string, unknown][] {
  const dir = path.join(REPO, golden);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((host) => path.join(dir, host, 'topology.json'))
    .filter((f) => existsSync(f))
    .map((f) => [path.relative(REPO, f), JSON.parse(readFileSync(f, 'utf8')) as unknown]);
}

/** Every firewall rule (iptables: a match and a target; nftables: matches and an action) under `value`, with where it was found. */
function* rules(value: unknown, where = ''): Generator<[string, Record<string, unknown>]> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* rules(value[i], `${where}[${i}]`);
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (('match' in o && 'target' in o) || ('matches' in o && 'action' in o)) yield [where, o];
    for (const [k, v] of Object.entries(o)) yield* rules(v, `${where}.${k}`);
  }
}

test('every rule in every golden has an origin, and every origin resolves to a line of its YAML or is a named implicit origin', () => {
  const bad: string[] = [];
  let total = 0;
  let ruleCount = 0;
  let goldens = 0;
  for (const ex of examples()) {
    const topologies = goldenTopologies(ex.golden);
    if (topologies.length === 0) continue;
    const r = buildExample(ex.name);
    const sources = originSources(r);
    for (const [file, t] of topologies) {
      goldens++;
      for (const [where, rule] of rules(t)) {
        ruleCount++;
        if (rule['origin'] === undefined) bad.push(`${file}${where}: a rule without an origin`);
      }
      for (const [where, o] of origins(t)) {
        total++;
        if (isImplicit(o)) {
          if (!IMPLICIT.has(o.implicit) && !/^engine \S+ layout$/.test(o.implicit)) bad.push(`${file}${where}: unknown implicit origin "${o.implicit}"`);
        } else if (!resolveOrigin(o, sources, r.redirect)) {
          bad.push(`${file}${where}: ${Array.isArray(o) ? formatPath(o) : JSON.stringify(o)} is not in ${ex.file}`);
        }
      }
    }
  }
  console.log(`origins: ${goldens} golden topology.json files, ${ruleCount} rules, ${total} origins checked`);
  assert.ok(goldens >= 40, `only ${goldens} golden topology.json files`);
  assert.ok(ruleCount > 1000, `only ${ruleCount} rules found`);
  assert.equal(bad, []);
});

test.run();
