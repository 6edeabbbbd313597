// End-to-end: every example with a matrix is built, applied for real in network namespaces of its own
// (setup.sh, iptables-restore, /etc/netns files), and probed with packets as its matrix
// (test/e2e/matrices/<name>.e2e.yaml) says; then teardown and a ruleset restore must give the host back.
// Without root, `ip` or the iptables tools, or when an example's setup needs a kernel feature this
// machine lacks (tried in a scratch namespace: VXLAN, macvlan, ipvlan, 802.1Q, dummy links, AES-GCM
// for xfrm), that example is skipped with the reason; so is a probe whose `needs:` this kernel lacks.
// Each example Docker 29 can run with `firewall-backend: nftables` then runs again on that backend
// (nftables.rules loaded with nft -f, harness/backend.ts), and every verdict must be the iptables run's.
// NETFORM_E2E_PART=k/n runs every n-th example from the k-th (k from 0), so that test/run.ts can run
// the suite in parallel lanes: every part has its own namespace prefix. The harness is in harness/,
// the format in README.md; test/e2e/matrix.test.ts checks the matrices without a kernel.
import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exampleNames } from '../support/examples.ts';
import { findExecutable, netnsUnavailable } from '../support/netns.ts';
import { skip, skippedCheck, testOrSkip } from '../support/skip.ts';
import { removeAgentScript } from './harness/agent-process.ts';
import { verdictDifferences, type Backend } from './harness/backend.ts';
import { kernelFeatures, missingFeatures } from './harness/kernel.ts';
import { netnsWithPrefix, RUN_PREFIX } from './harness/namespaces.ts';
import type { ProbeResult } from './harness/probes.ts';
import { matrixPath, prepareExample, runExample, type ExampleRun } from './harness/run-example.ts';
import { tracerTallyText } from '../support/tracer-tally.ts';

const started = Date.now();
/** NETFORM_E2E_ONLY=name[,name] runs those examples only (when working on one). */
const only = process.env['NETFORM_E2E_ONLY']?.split(',');
const [part, parts] = (process.env['NETFORM_E2E_PART'] ?? '0/1').split('/').map(Number) as [number, number];
if (!(parts >= 1 && part >= 0 && part < parts)) throw new Error(`NETFORM_E2E_PART=${process.env['NETFORM_E2E_PART']}: expected k/n with 0 <= k < n`);
/** The examples with a matrix, numbered across all parts (the number is part of the namespace prefix). */
const runnable = exampleNames()
  .filter((n) => existsSync(matrixPath(n)) && (!only || only.includes(n)))
  .map((name, index) => ({ name, index }))
  .filter(({ index }) => index % parts === part);

function report(name: string, run: ExampleRun, backend: Backend): void {
  const { results } = run;
  const count = (o: ProbeResult['outcome']) => results.filter((r) => r.outcome === o).length;
  const extra = [
    count('skipped') && `${count('skipped')} skipped`,
    count('known-bug') && `${count('known-bug')} known bugs`,
    count('failed') && `${count('failed')} FAILED`,
  ].filter(Boolean);
  const time = `(${(run.ms / 1000).toFixed(1)} s)`;
  if (run.error) console.log(`e2e ${name}: FAILED before its probes ran ${time}\n  ${run.error.replace(/\n/g, '\n  ')}`);
  else console.log(`e2e ${name}: ${results.length} probes, ${count('held')} held${extra.length ? `, ${extra.join(', ')}` : ''} ${time}`);
  const verbose = !!process.env['NETFORM_E2E_VERBOSE'];
  for (const r of results) {
    if (r.outcome === 'held' && !verbose) continue;
    console.log(`  ${r.outcome.toUpperCase().padEnd(9)} ${r.text}\n        ${r.detail}`);
  }
  for (const n of run.notes) console.log(`  note: ${n}`);
  const t = run.tracer;
  console.log(`  tracer: ${t.compared} probes compared with the kernel, ${t.disagreements.length} disagree, ${t.unknown.length} unknown`);
  for (const d of t.disagreements) console.log(`  TRACER DISAGREES  ${d}`);
  for (const u of t.unknown) console.log(`  tracer unknown    ${u}`);
  const sum = tracer[backend];
  sum.compared += t.compared;
  sum.disagreements.push(...t.disagreements.map((d) => `${name}: ${d}`));
  sum.unknown += t.unknown.length;
}

/** The packet tracer against the kernel over the examples this part ran, per firewall backend. */
const tracer: Record<Backend, { compared: number; disagreements: string[]; unknown: number }> = {
  iptables: { compared: 0, disagreements: [], unknown: 0 },
  nftables: { compared: 0, disagreements: [], unknown: 0 },
};

function assertHeld(name: string, run: ExampleRun): void {
  for (const r of run.results) {
    if (r.outcome === 'skipped') skippedCheck(`e2e ${name}: ${r.text}`, r.detail);
    if (r.outcome === 'known-bug') skippedCheck(`e2e ${name}: ${r.text}`, `known bug, not enforced: ${r.detail}`);
  }
  assert.not.ok(run.error, `${name}: ${run.error}`);
  assert.equal(
    run.results.filter((r) => r.outcome === 'failed').map((r) => `${r.text}: ${r.detail}`),
    [],
    `${name}: probes that did not hold`,
  );
  assert.not.ok(run.cleanupFailed, `${name}: cleanup left something behind (see the notes above)`);
}

// The second run: each example again with `firewall-backend: nftables`, where Docker 29 can run it on
// that backend; every verdict must be the iptables run's (both runs are in this part's process).
const iptablesRuns = new Map<string, ExampleRun>();
const nftTotals = { run: 0, skipped: 0, compared: 0, differences: 0 };
const nftMissing = findExecutable('nft') ? undefined : '`nft` not found';

function nftablesTest(n: string, i: number): void {
  let unsupported: string | undefined;
  try {
    prepareExample(n, 'check-', 'nftables');
  } catch (e) {
    unsupported = (e as Error).message;
  }
  const reason = nftMissing ?? unsupported;
  if (reason) {
    nftTotals.skipped++;
    skip(`e2e ${n} (nftables)`, reason);
    return;
  }
  test(`e2e ${n} (nftables)`, async () => {
    const run = await runExample(n, `${RUN_PREFIX}${i}n-`, 'nftables');
    report(`${n} (nftables)`, run, 'nftables');
    const base = iptablesRuns.get(n);
    const diffs = base ? verdictDifferences(base.results, run.results) : ['the iptables run did not finish'];
    nftTotals.run++;
    nftTotals.compared += base?.results.length ?? 0;
    nftTotals.differences += diffs.length;
    console.log(`e2e ${n} (nftables): ${base?.results.length ?? 0} verdicts compared with the iptables run, ${diffs.length} differ`);
    for (const d of diffs) console.log(`  DIFFERS   ${d}`);
    assertHeld(`${n} (nftables)`, run);
    assert.equal(diffs, [], `${n}: verdicts that differ between the iptables and the nftables backend`);
  });
}

let skipped = 0;
const why = netnsUnavailable(['iptables-restore', 'ip6tables-restore', 'iptables-save', 'ip6tables-save', 'getent', 'sh']);
if (!why) kernelFeatures();
for (const { name: n, index: i } of runnable) {
  let lacking: string | undefined;
  if (!why) {
    try {
      lacking = missingFeatures(prepareExample(n, 'check-').features);
    } catch {
      // An example that does not build or a matrix that does not fit: its test below says so.
    }
  }
  if (why || lacking) {
    skipped++;
    nftTotals.skipped++;
    skip(`e2e ${n}`, (why ?? lacking)!);
    skip(`e2e ${n} (nftables)`, (why ?? lacking)!);
    continue;
  }
  test(`e2e ${n}`, async () => {
    const run = await runExample(n, `${RUN_PREFIX}${i}-`);
    iptablesRuns.set(n, run);
    report(n, run, 'iptables');
    assertHeld(n, run);
  });
  nftablesTest(n, i);
}
testOrSkip(why, `e2e: no namespace of this run is left (part ${part + 1}/${parts})`, () => {
  assert.equal(netnsWithPrefix(RUN_PREFIX), []);
});

testOrSkip(why, `e2e: the packet tracer agrees with the kernel on every probe it judged (part ${part + 1}/${parts})`, () => {
  // test/run.ts sums these lines over the parts into the suite's summary.
  const runs = Object.entries(tracer) as [Backend, (typeof tracer)[Backend]][];
  const tally = (t: (typeof tracer)[Backend]) => ({ compared: t.compared, disagreements: t.disagreements.length, unknown: t.unknown });
  const all = runs.reduce((a, [, t]) => ({ compared: a.compared + t.compared, disagreements: a.disagreements + t.disagreements.length, unknown: a.unknown + t.unknown }), { compared: 0, disagreements: 0, unknown: 0 });
  console.log(tracerTallyText(all));
  for (const [backend, t] of runs) console.log(tracerTallyText(tally(t), backend));
  assert.equal(runs.flatMap(([, t]) => t.disagreements), []);
});

test.after(async () => {
  await removeAgentScript();
  const wall = `wall time ${((Date.now() - started) / 1000).toFixed(1)} s`;
  const of = parts > 1 ? ` (part ${part + 1}/${parts})` : '';
  console.log(why ? `e2e: all ${runnable.length} examples${of} SKIPPED (${why}), ${wall}` : `e2e: ${runnable.length - skipped} examples run${of}${skipped ? `, ${skipped} SKIPPED for missing kernel features` : ''}, ${wall}`);
  if (!why) {
    const t = nftTotals;
    console.log(`e2e nftables${of}: ${t.run} examples run again with firewall-backend: nftables, ${t.skipped} SKIPPED (reasons above); ${t.compared} verdicts compared, ${t.differences} differ between the backends`);
  }
});

test.run();
