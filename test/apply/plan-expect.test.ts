// What a plan shows of `expect:`: the entries whose traced verdict the apply changes, traced through the
// build the last apply kept (as the state directory keeps it: JSON) and the planned one; nothing when
// no verdict changes; in the plan's text and in its JSON.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, resultLocator, type CompileResult } from '../../src/compile.ts';
import { expectationShifts, type PlanExpectations } from '../../src/apply/plan-expect.ts';
import { planJson, planText } from '../../src/apply/plan-text.ts';
import type { Plan } from '../../src/apply/plan-types.ts';
import { FIXTURES } from './support.ts';

const V1 = readFileSync(path.join(FIXTURES, 'v1.yaml'), 'utf8');
/** v1 with web's published port moved from 8080 to 8082. */
const MOVED = V1.replace('ports: ["8080:80"]', 'ports: ["8082:80"]');

/** Builds `text` with `expect` appended as its `expect:` list; the build must hold every entry. */
function build(text: string, expect: readonly string[]): CompileResult {
  const r = compile({ file: 'site.yaml', text: `${text}expect:\n${expect.map((e) => `  - ${e}\n`).join('')}` }, undefined, { files: false });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.map((d) => d.message), [], 'the build holds its expectations');
  return r;
}

const input = (r: CompileResult): PlanExpectations => ({ expectations: r.model!.expectations, fleet: r.topologies!, locate: resultLocator(r) });
/** A topology as the state directory keeps it and reads it back. */
const kept = (r: CompileResult) => JSON.parse(JSON.stringify(r.topologies![0]));

const BEFORE = ['outside -> host:8080 reach web', 'outside -> host:8082 blocked web', 'client -> web:80 reach', 'client -> db:5432 blocked'];
const AFTER = ['outside -> host:8080 blocked web', 'outside -> host:8082 reach web', 'client -> web:80 reach', 'client -> db:5432 blocked'];

test('the entries whose verdict the edit changes, each with both verdicts and its line', () => {
  const last = build(V1, BEFORE);
  const next = build(MOVED, AFTER);
  const shifts = expectationShifts(kept(last), 'local', input(next))!;
  assert.equal(
    shifts.map((s) => [s.expectation, s.before.verdict, s.after.verdict, s.source]),
    [
      ['outside -> host:8080/tcp blocked web', 'reach', 'blocked', 'site.yaml:33:5'],
      ['outside -> host:8082/tcp reach web', 'blocked', 'reach', 'site.yaml:34:5'],
    ],
  );
  assert.ok(shifts[0]!.after.reason, 'the side that blocks says why');
});

test('no verdict changes: nothing; no build kept: undefined (the plan says so in a note)', () => {
  const last = build(V1, BEFORE);
  assert.equal(expectationShifts(kept(last), 'local', input(last)), []);
  assert.is(expectationShifts(undefined, 'local', input(last)), undefined);
});

test('an entry naming what the last build lacks is compared as invalid there', () => {
  const withCache = build(`${V1}  cache:\n    image: redis\n    networks: [front]\n`, ['client -> cache:6379 reach']);
  const shifts = expectationShifts(kept(build(V1, [])), 'local', input(withCache))!;
  assert.equal(shifts.map((s) => [s.before.verdict, s.after.verdict]), [['invalid', 'reach']]);
  assert.match(shifts[0]!.before.reason!, /no container "cache"/);
});

test('the plan text and JSON list the changed entries', () => {
  const shifts = expectationShifts(kept(build(V1, BEFORE)), 'local', input(build(MOVED, AFTER)))!;
  const plan: Plan = {
    format_version: 1,
    target: { host: 'local', prefix: '' },
    mode: 'apply',
    changes: [],
    steps: [],
    warnings: [],
    notes: [],
    after: { format_version: 1, target: { host: 'local', prefix: '' }, network: { namespaces: [], links: [], interfaces: [], routes: [], sysctls: [], files: [] }, firewall: null, sysctlsBefore: {}, madeEtcNetns: false },
    summary: { add: 0, change: 0, destroy: 0 },
    fingerprint: '',
    expectations: shifts,
  };
  const text = planText(plan);
  assert.match(text, /^Expectations whose verdict this changes/m);
  assert.match(text, /^ {2}~ outside -> host:8080\/tcp blocked web \(site\.yaml:33:5\): reach -> blocked$/m);
  assert.match(text, /^ {2}~ outside -> host:8082\/tcp reach web \(site\.yaml:34:5\): blocked -> reach$/m);
  const json = planJson(plan) as { expectations: { expectation: string; before: { verdict: string }; after: { verdict: string } }[] };
  assert.equal(json.expectations.map((e) => [e.expectation, e.before.verdict, e.after.verdict]), [
    ['outside -> host:8080/tcp blocked web', 'reach', 'blocked'],
    ['outside -> host:8082/tcp reach web', 'blocked', 'reach'],
  ]);
  assert.equal((planJson({ ...plan, expectations: undefined }) as { expectations: unknown[] }).expectations, []);
  assert.not.match(planText({ ...plan, expectations: [] }), /Expectations/);
});

test.run();
