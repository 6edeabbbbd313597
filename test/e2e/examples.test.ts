// End-to-end: every example is built, applied for real in network namespaces of its own (setup.sh,
// iptables-restore, /etc/netns files), and probed with packets as its matrix
// (examples/<name>.e2e.yaml) says; then teardown and a ruleset restore must give the host back.
// Examples run one after another. Without root, `ip` or the iptables tools, or when an example's setup
// needs a kernel feature this machine lacks (tried in a scratch namespace: VXLAN, macvlan, ipvlan,
// 802.1Q, dummy links, AES-GCM for xfrm), that example registers one passing test that says SKIPPED
// and why. The harness is in harness/, the format in README.md.
import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exampleNames } from '../support/examples.ts';
import { netnsUnavailable } from '../support/netns.ts';
import { removeAgentScript } from './harness/agent-process.ts';
import { kernelFeatures, missingFeatures } from './harness/kernel.ts';
import { netnsWithPrefix, RUN_PREFIX } from './harness/namespaces.ts';
import type { ProbeResult } from './harness/probes.ts';
import { matrixPath, prepareExample, runExample, type ExampleRun } from './harness/run-example.ts';

const started = Date.now();
const names = exampleNames();
/** iptablesdoc-* model moby's own harness: they run when they have a matrix. */
const optional = (n: string) => n.startsWith('iptablesdoc-');
/** NETFORM_E2E_ONLY=name[,name] runs those examples only (when working on one). */
const only = process.env['NETFORM_E2E_ONLY']?.split(',');
const runnable = names.filter((n) => existsSync(matrixPath(n)) && (!only || only.includes(n)));

test('e2e: every example has a matrix (iptablesdoc-* optional)', () => {
  assert.equal(
    names.filter((n) => !optional(n) && !existsSync(matrixPath(n))),
    [],
    'examples without examples/<name>.e2e.yaml',
  );
});

// Runs without root too: a matrix that does not fit its example is caught on any machine.
test('e2e: every matrix is valid for its example', () => {
  const problems: string[] = [];
  for (const n of runnable) {
    try {
      prepareExample(n, 'check-');
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  assert.equal(problems, []);
});

function report(name: string, run: ExampleRun): void {
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
  tracer.compared += t.compared;
  tracer.disagreements.push(...t.disagreements.map((d) => `${name}: ${d}`));
  tracer.unknown += t.unknown.length;
}

/** The tracer against the kernel over every example run. */
const tracer = { compared: 0, disagreements: [] as string[], unknown: 0 };

let skipped = 0;
const why = netnsUnavailable(['iptables-restore', 'ip6tables-restore', 'iptables-save', 'ip6tables-save', 'getent', 'sh']);
if (why) {
  for (const n of runnable) test(`e2e ${n}: SKIPPED (${why})`, () => console.log(`e2e ${n}: SKIPPED (${why})`));
} else {
  kernelFeatures();
  runnable.forEach((n, i) => {
    let lacking: string | undefined;
    try {
      lacking = missingFeatures(prepareExample(n, 'check-').features);
    } catch {
      // An example that does not build or a matrix that does not fit: its test below says so.
    }
    if (lacking) {
      skipped++;
      test(`e2e ${n}: SKIPPED (${lacking})`, () => console.log(`e2e ${n}: SKIPPED (${lacking})`));
      return;
    }
    test(`e2e ${n}`, async () => {
      const run = await runExample(n, `${RUN_PREFIX}${i}-`);
      report(n, run);
      assert.not.ok(run.error, `${n}: ${run.error}`);
      assert.equal(
        run.results.filter((r) => r.outcome === 'failed').map((r) => `${r.text}: ${r.detail}`),
        [],
        `${n}: probes that did not hold`,
      );
      assert.not.ok(run.cleanupFailed, `${n}: cleanup left something behind (see the notes above)`);
    });
  });
  test('e2e: no namespace of this run is left', () => {
    assert.equal(netnsWithPrefix(RUN_PREFIX), []);
  });
  test('e2e: the packet tracer agrees with the kernel on every probe it judged', () => {
    console.log(`e2e tracer: ${tracer.compared} probes compared with the kernel, ${tracer.disagreements.length} disagreements, ${tracer.unknown} unknown (each says why above)`);
    assert.equal(tracer.disagreements, []);
  });
}

test.after(async () => {
  await removeAgentScript();
  const wall = `wall time ${((Date.now() - started) / 1000).toFixed(1)} s`;
  console.log(why ? `e2e: all ${runnable.length} examples SKIPPED (${why}), ${wall}` : `e2e: ${runnable.length - skipped} examples run${skipped ? `, ${skipped} SKIPPED for missing kernel features` : ''}, ${wall}`);
});

test.run();
