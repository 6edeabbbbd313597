// Property-based fuzzing on every run: a fixed seed and a bounded budget (test/support/fuzz.ts says what
// is generated and what must hold). The long run is bench/fuzz.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { check, examples, generated, mutated, random, type Finding, type Input } from './support/fuzz.ts';
import { REPO } from './support/examples.ts';

const SEED = 20261208;
/** Inputs of each kind per run, and a time budget that stops early on a slow machine. */
const COUNT = 250;
const BUDGET_MS = 25_000;
/** A compile of a small input slower than this is a hang (a loaded CI machine is slow, not 10 s slow). */
const HANG_MS = 10_000;

function runKind(make: (r: () => number) => Input | string): { done: number; findings: Finding[] } {
  const r = random(SEED);
  const findings: Finding[] = [];
  const t0 = performance.now();
  let done = 0;
  for (; done < COUNT && performance.now() - t0 < BUDGET_MS; done++) findings.push(...check(make(r), HANG_MS));
  return { done, findings };
}

const report = (fs: readonly Finding[]): string[] => fs.slice(0, 5).map((f) => `${f.kind}: ${f.detail.split('\n').slice(0, 3).join(' | ')}\n--- input:\n${f.input}`);

test('fuzz: generated files (schema-shaped, semantically odd) never crash, hang or print a diagnostic without a position', () => {
  const { done, findings } = runKind(generated);
  assert.ok(done >= 50, `only ${done} inputs in the budget`);
  assert.equal(report(findings), []);
});

test('fuzz: mutated examples never crash, hang or print a diagnostic without a position', () => {
  const inputs = examples(REPO);
  assert.ok(inputs.length >= 10);
  const { done, findings } = runKind((r) => mutated(r, inputs));
  assert.ok(done >= 50, `only ${done} inputs in the budget`);
  assert.equal(report(findings), []);
});

test('fuzz: the generator is deterministic (a finding is found again from its seed)', () => {
  const a = random(7);
  const b = random(7);
  assert.is(generated(a), generated(b));
  assert.equal(mutated(a, examples(REPO)), mutated(b, examples(REPO)));
});

test.run();
