// Rollback at a step of v1 -> v2 -> v3 -> destroy, on a host namespace shared with ufw, kube-proxy,
// fail2ban and a DOCKER-USER rule: the step is first made to fail in every way (the kernel refusing a
// rule after other tables were committed, a link name taken just before netform makes it or, for
// destroy, a removal failing after the namespaces went, the process killed half-way and the next apply
// rolling back what it left), and the host must then be what it was before that step, byte for byte;
// then the step runs for real. The steps are shared by two test files (each a job of its own).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { apply, nodeSystem, plan, type System } from '../../src/apply/index.ts';
import { sourceCliBundle } from '../support/bundle.ts';
import { netnsUnavailable } from '../support/netns.ts';
import { withFault, type Fault } from './faults.ts';
import { snapshot, type ApplyHost } from './sandbox.ts';

export const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'nft']);

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

export async function ok(h: ApplyHost, version: string | undefined, system?: System): Promise<void> {
  const o = await apply({ ...(version ? { desired: h.desired(version) } : {}), target: h.target, stateDir: h.stateDir, ...(system ? { system } : {}) });
  assert.is(o.error, undefined, o.error);
}

/**
 * Runs `netform apply FILE` (or `netform destroy`) as a process and kills it once its journal shows a
 * firewall step begun: namespaces and links made or changed, the rules half-way, files and removals
 * not done.
 */
async function killMidApply(h: ApplyHost, version: string | undefined): Promise<string> {
  const args = version ? ['apply', `test/fixtures/apply/${version}.yaml`, '--no-lock'] : ['destroy'];
  const child = spawn(process.execPath, [await sourceCliBundle(), ...args, '--state-dir', h.stateDir], {
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
export async function killedThenRerun(h: ApplyHost, from: string | undefined, to: string | undefined): Promise<void> {
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

/** A step: the version the host has (undefined: nothing of netform's) and the one applied (undefined: destroy). */
export type RollbackStep = readonly [from: string | undefined, to: string | undefined];

/**
 * The step fails three ways before it runs: the kernel refusing a rule (raw and filter committed, nat
 * refused), a link name taken just before netform makes it (destroy makes none: there, a removal
 * failing after the namespaces went), and the process killed half-way with apply re-run.
 */
export async function failThenRun(h: ApplyHost, [from, to]: RollbackStep): Promise<void> {
  await failing(h, to, { kind: 'kernel-refuses-nat-rule' });
  const taken: Fault = to ? { kind: 'link-name-taken', name: newHostLink(h, to, from) } : { kind: 'batch-fails', match: /^link del br-/m };
  await failing(h, to, taken);
  await killedThenRerun(h, from, to);
  await ok(h, to);
}
