// Rollback at every step of v1 -> v2 -> v3 -> destroy, on a host namespace shared with ufw, kube-proxy,
// fail2ban and a DOCKER-USER rule: each step is first made to fail in every way (the kernel refusing a
// rule after other tables were committed, a link name taken just before netform makes it or, for
// destroy, a removal failing after the namespaces went, the process killed half-way and the next apply
// rolling back what it left), and the host must then be what it was before that step, byte for byte;
// then the step runs for real. Also: apply --try rolls back on a failing probe or without confirm, concurrent applies
// wait for each other, a saved plan is refused once the host changed.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apply, confirm, nodeSystem, plan, type System } from '../../src/apply/index.ts';
import { testOrSkip } from '../support/skip.ts';
import { netnsUnavailable } from '../support/netns.ts';
import { withFault, type Fault } from './faults.ts';
import { dropHost, makeHost, snapshot, type ApplyHost } from './sandbox.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'nft']);

async function failing(h: ApplyHost, version: string | undefined, fault: Fault): Promise<void> {
  const before = snapshot(h);
  const system = withFault(nodeSystem(h.target.hostNetns), fault);
  const o = await apply({ ...(version ? { desired: h.desired(version) } : {}), target: h.target, stateDir: h.stateDir, system });
  assert.ok(system.fired(), `${fault.kind}: the fault was met`);
  assert.ok(o.error !== undefined, `${fault.kind}: the apply failed`);
  assert.equal(o.rollbackProblems, [], `${fault.kind}: rollback problems`);
  if (fault.kind === 'link-name-taken') nodeSystem(h.target.hostNetns).run(['ip', 'link', 'del', fault.name], { where: 'host' });
  assert.equal(snapshot(h), before, `${version ?? 'destroy'} with ${fault.kind}: the host is as before, byte for byte`);
  assert.not.ok(existsSync(path.join(h.stateDir, 'journal.json')), 'no journal left');
}

async function ok(h: ApplyHost, version: string | undefined, system?: System): Promise<void> {
  const o = await apply({ ...(version ? { desired: h.desired(version) } : {}), target: h.target, stateDir: h.stateDir, ...(system ? { system } : {}) });
  assert.is(o.error, undefined, o.error);
}

/**
 * Runs `netform apply FILE` (or `netform destroy`) as a process and kills it once its journal shows a
 * firewall step begun: namespaces and links made or changed, the rules half-way, files and removals
 * not done.
 */
async function killMidApply(h: ApplyHost, version: string | undefined): Promise<string> {
  const entry = path.join(path.dirname(new URL(import.meta.url).pathname), 'cli-entry.ts');
  const args = version ? ['apply', `test/fixtures/apply/${version}.yaml`] : ['destroy'];
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args, '--state-dir', h.stateDir], {
    env: { ...process.env, NETFORM_HOST_NETNS: h.target.hostNetns, NETFORM_NETNS_PREFIX: h.target.prefix },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const journal = path.join(h.stateDir, 'journal.json');
  for (let i = 0; i < 12000; i++) {
    let text = '';
    try {
      text = readFileSync(journal, 'utf8');
    } catch {
      // not yet
    }
    const labels = text ? (JSON.parse(text) as { entries: { step: { label: string } }[] }).entries.map((e) => e.step.label) : [];
    if (labels.some((l) => l.startsWith('firewall'))) {
      child.kill('SIGKILL');
      await exited;
      return labels[labels.length - 1]!;
    }
    if (child.exitCode !== null) break;
    await sleep(5);
  }
  child.kill('SIGKILL');
  throw new Error(`netform ${args[0]} ${version ?? ''} was not caught half-way (exit ${String(await exited)})`);
}

/**
 * Kills `to` half-way, then re-runs apply with the version the host had (`from`): it must first roll
 * back what the killed one left, then find nothing to do, and the host is byte for byte as before.
 */
async function killedThenRerun(h: ApplyHost, from: string | undefined, to: string | undefined): Promise<void> {
  const before = snapshot(h);
  const step = `${from ?? 'empty'} -> ${to ?? 'destroy'}`;
  const at = await killMidApply(h, to);
  assert.ok(existsSync(path.join(h.stateDir, 'journal.json')), `${step}: the killed apply left its journal (killed at "${at}")`);
  try {
    await plan({ ...(to ? { desired: h.desired(to) } : {}), target: h.target, stateDir: h.stateDir });
    assert.unreachable(`${step}: plan refuses while an apply is interrupted`);
  } catch (e) {
    assert.match((e as Error).message, /interrupted/);
  }
  const recovered = await apply({ ...(from ? { desired: h.desired(from) } : {}), target: h.target, stateDir: h.stateDir });
  assert.is(recovered.error, undefined, recovered.error);
  assert.ok(recovered.recovered, `${step}: the interrupted apply was rolled back first`);
  assert.equal(recovered.recovered!.problems, []);
  assert.equal(recovered.plan.summary, { add: 0, change: 0, destroy: 0 }, `${step}: after the rollback, ${from ?? 'nothing'} is exactly there`);
  assert.equal(snapshot(h), before, `${step}: killed apply rolled back, the host as before, byte for byte`);
}

/** The name of a link `version` makes on the host that `previous` did not have (a veth or a bridge). */
function newHostLink(h: ApplyHost, version: string, previous: string | undefined): string {
  const names = (v: string) => {
    const t = h.world(v).topologies[0]!;
    return [...t.endpoints.map((e) => e.hostIfname), ...t.bridges.map((b) => b.name)];
  };
  const old = new Set(previous ? names(previous) : []);
  const fresh = names(version).filter((n) => !old.has(n));
  assert.ok(fresh.length > 0, `${version} makes a host link`);
  return fresh[fresh.length - 1]!;
}

// Each step fails three ways before it runs: the kernel refusing a rule (raw and filter committed, nat
// refused), a link name taken just before netform makes it (destroy makes none: there, a removal
// failing after the namespaces went), and the process killed half-way with apply re-run.
testOrSkip(why, 'every step fails in each way and leaves the host as it was; then runs', async () => {
  const h = await makeHost(['v1', 'v2', 'v3']);
  try {
    const s0 = snapshot(h);
    const steps: [string | undefined, string | undefined][] = [
      [undefined, 'v1'],
      ['v1', 'v2'],
      ['v2', 'v3'],
      ['v3', undefined],
    ];
    for (const [from, to] of steps) {
      await failing(h, to, { kind: 'kernel-refuses-nat-rule' });
      const taken: Fault = to ? { kind: 'link-name-taken', name: newHostLink(h, to, from) } : { kind: 'batch-fails', match: /^link del br-/m };
      await failing(h, to, taken);
      await killedThenRerun(h, from, to);
      await ok(h, to);
    }
    assert.equal(snapshot(h), s0, 'after destroy: as before the first apply');
  } finally {
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

testOrSkip(why, 'apply --try rolls back on a failing probe and without confirm; keeps a confirmed apply; applies wait for each other; a stale plan is refused', async () => {
  const h = await makeHost(['v1', 'v2']);
  try {
    await ok(h, 'v1');
    const s1 = snapshot(h);
    const ns = `${h.target.prefix}cache`;
    const failed = await apply({ desired: h.desired('v2'), target: h.target, stateDir: h.stateDir, try: { seconds: 30, probes: [`ip netns exec ${ns} false`] } });
    assert.equal(failed.tried?.confirmed, false);
    assert.match(failed.tried!.reason!, /probe failed/);
    assert.equal(snapshot(h), s1, 'failing probe: rolled back');
    const timedOut = await apply({ desired: h.desired('v2'), target: h.target, stateDir: h.stateDir, try: { seconds: 1, probes: [`ip netns exec ${ns} true`] } });
    assert.equal(timedOut.tried?.confirmed, false);
    assert.equal(snapshot(h), s1, 'no confirm: rolled back');

    const tried = apply({ desired: h.desired('v2'), target: h.target, stateDir: h.stateDir, try: { seconds: 60, probes: [`ip netns exec ${ns} true`] } });
    let confirmed = false;
    for (let i = 0; i < 600 && !confirmed; i++) {
      await sleep(50);
      try {
        confirm({ target: h.target, stateDir: h.stateDir });
        confirmed = true;
      } catch {
        // not waiting yet
      }
    }
    assert.equal((await tried).tried, { confirmed: true });
    const s2 = snapshot(h);
    assert.not.equal(s2, s1);

    // Two applies at once: the second waits for the first, then finds nothing to do.
    const waited: string[] = [];
    const [a, b] = await Promise.all([
      apply({ desired: h.desired('v1'), target: h.target, stateDir: h.stateDir }),
      sleep(100).then(() => apply({ desired: h.desired('v1'), target: h.target, stateDir: h.stateDir, log: (l) => waited.push(l) })),
    ]);
    assert.is(a.error, undefined);
    assert.is(b.error, undefined);
    assert.ok(waited.some((l) => /waiting for/.test(l)), `the second apply waited: ${waited.join(' | ')}`);
    assert.ok(a.plan.summary.destroy > 0);
    assert.equal(b.plan.summary, { add: 0, change: 0, destroy: 0 });
    assert.equal(snapshot(h), s1);

    // A saved plan is refused once the host changed, and applies while it has not.
    const saved = await plan({ desired: h.desired('v2'), target: h.target, stateDir: h.stateDir });
    h.runner.check('iptables', ['-I', 'DOCKER', '-s', '192.0.2.99', '-j', 'ACCEPT']);
    try {
      await apply({ target: h.target, stateDir: h.stateDir, saved });
      assert.unreachable('stale plan');
    } catch (e) {
      assert.match((e as Error).message, /stale plan/);
    }
    h.runner.check('iptables', ['-D', 'DOCKER', '-s', '192.0.2.99', '-j', 'ACCEPT']);
    const fresh = await apply({ target: h.target, stateDir: h.stateDir, saved });
    assert.is(fresh.error, undefined);
    await ok(h, undefined);
  } finally {
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();
