// The steps of the nftables rollback tests (nft-rollback-*.kernel.test.ts, one file per step so that
// they run in parallel lanes), on a host namespace shared with nft and iptables-nft tools
// (nft-support.ts): a step is made to fail (the kernel refusing netform's nft input, a link name taken
// just before netform makes it, a removal failing after the nft transaction was committed, the process
// killed half-way and apply re-run), and the host must then be what it was before that step, byte for
// byte: links, namespaces, files, sysctls, iptables-save and every nft table, and Docker's
// `ip docker-bridges` with its counter values (traffic has moved them: a rollback that reloaded the
// table from the build would zero them).
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { apply, nodeSystem } from '../../src/apply/index.ts';
import { netnsUnavailable } from '../support/netns.ts';
import { withFault, type Fault } from './faults.ts';
import { listTable, nftSnapshot, nftTables } from './nft-support.ts';
import { killedThenRerun } from './rollback-steps.ts';
import { probe, type ApplyHost } from './sandbox.ts';

export const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'nft']);

/** `ip docker-bridges` with its counter values, or '' when the host does not have it. */
const bridgesExact = (h: ApplyHost): string => (nftTables(h.runner).includes('ip docker-bridges') ? listTable(h.runner, 'ip docker-bridges', true) : '');

/** Fails `version` (undefined: destroy) with `fault`; the host must be as before. Returns the failed step's label. */
export async function failing(h: ApplyHost, version: string | undefined, fault: Fault): Promise<string> {
  const before = nftSnapshot(h);
  const exact = bridgesExact(h);
  const system = withFault(nodeSystem(h.target.hostNetns), fault);
  const o = await apply({ ...(version ? { desired: h.desired(version) } : {}), target: h.target, stateDir: h.stateDir, system });
  assert.ok(system.fired(), `${fault.kind}: the fault was met`);
  assert.ok(o.error !== undefined, `${fault.kind}: the apply failed`);
  assert.equal(o.rollbackProblems, [], `${fault.kind}: rollback problems`);
  if (fault.kind === 'link-name-taken') nodeSystem(h.target.hostNetns).run(['ip', 'link', 'del', fault.name], { where: 'host' });
  const what = `${version ?? 'destroy'} with ${fault.kind}`;
  const after = nftSnapshot(h);
  for (const k of Object.keys(before) as (keyof typeof before)[]) assert.equal(after[k], before[k], `${what}: ${k} as before, byte for byte`);
  assert.is(bridgesExact(h), exact, `${what}: ip docker-bridges as before, counter values included`);
  assert.not.ok(existsSync(path.join(h.stateDir, 'journal.json')), 'no journal left');
  return o.error!;
}

/** The name of a host link `version` makes that `previous` did not have. */
export function newHostLink(h: ApplyHost, version: string, previous: string | undefined): string {
  const names = (v: string) => {
    const t = h.world(v).topologies[0]!;
    return [...t.endpoints.map((e) => e.hostIfname), ...t.bridges.map((b) => b.name)];
  };
  const old = new Set(previous ? names(previous) : []);
  return names(version).filter((n) => !old.has(n)).pop()!;
}

/** Traffic through Docker's tables, so that their counters are not zero. */
export async function traffic(h: ApplyHost, version: string): Promise<void> {
  assert.equal((await probe(h, version)).map((r) => r.text), [], `${version}: connectivity matrix`);
  assert.match(listTable(h.runner, 'ip docker-bridges', true), /counter packets [1-9]/, 'counters moved');
}

export async function killed(h: ApplyHost, from: string | undefined, to: string | undefined): Promise<void> {
  const before = nftSnapshot(h);
  await killedThenRerun(h, from, to);
  assert.equal(nftSnapshot(h), before, `${from ?? 'empty'} -> ${to ?? 'destroy'} killed: every nft table as before`);
}
