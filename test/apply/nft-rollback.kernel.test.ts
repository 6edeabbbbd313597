// Rollback on the nftables backend, on a host namespace shared with nft and iptables-nft tools
// (nft-support.ts): every step of nft-v1 -> nft-v2 -> nft-v3 -> destroy is first made to fail (the
// kernel refusing netform's nft input, a link name taken just before netform makes it, a removal failing
// after the nft transaction was committed, the process killed half-way and apply re-run), and the host
// must then be what it was before that step, byte for byte: links, namespaces, files, sysctls,
// iptables-save and every nft table, and Docker's `ip docker-bridges` with its counter values (traffic
// has moved them: a rollback that reloaded the table from the build would zero them).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apply, nodeSystem } from '../../src/apply/index.ts';
import { testOrSkip } from '../support/skip.ts';
import { netnsUnavailable } from '../support/netns.ts';
import { listTable, loadNftForeign, nftSnapshot, nftTables, withNftFault, type NftFault } from './nft-support.ts';
import { killedThenRerun, ok } from './rollback-steps.ts';
import { dropHost, makeHost, probe, type ApplyHost } from './sandbox.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'nft']);

/** `ip docker-bridges` with its counter values, or '' when the host does not have it. */
const bridgesExact = (h: ApplyHost): string => (nftTables(h.runner).includes('ip docker-bridges') ? listTable(h.runner, 'ip docker-bridges', true) : '');

/** Fails `version` (undefined: destroy) with `fault`; the host must be as before. Returns the failed step's label. */
async function failing(h: ApplyHost, version: string | undefined, fault: NftFault): Promise<string> {
  const before = nftSnapshot(h);
  const exact = bridgesExact(h);
  const system = withNftFault(nodeSystem(h.target.hostNetns), fault);
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
function newHostLink(h: ApplyHost, version: string, previous: string | undefined): string {
  const names = (v: string) => {
    const t = h.world(v).topologies[0]!;
    return [...t.endpoints.map((e) => e.hostIfname), ...t.bridges.map((b) => b.name)];
  };
  const old = new Set(previous ? names(previous) : []);
  return names(version).filter((n) => !old.has(n)).pop()!;
}

/** Traffic through Docker's tables, so that their counters are not zero. */
async function traffic(h: ApplyHost, version: string): Promise<void> {
  assert.equal((await probe(h, version)).map((r) => r.text), [], `${version}: connectivity matrix`);
  assert.match(listTable(h.runner, 'ip docker-bridges', true), /counter packets [1-9]/, 'counters moved');
}

async function killed(h: ApplyHost, from: string | undefined, to: string | undefined): Promise<void> {
  const before = nftSnapshot(h);
  await killedThenRerun(h, from, to);
  assert.equal(nftSnapshot(h), before, `${from ?? 'empty'} -> ${to ?? 'destroy'} killed: every nft table as before`);
}

testOrSkip(why, 'nftables: each step fails in each way and leaves the host as it was, byte for byte; then runs', async () => {
  const h = await makeHost(['nft-v1', 'nft-v2', 'nft-v3'], loadNftForeign);
  try {
    await failing(h, 'nft-v1', { kind: 'kernel-refuses-nft' });
    await failing(h, 'nft-v1', { kind: 'link-name-taken', name: newHostLink(h, 'nft-v1', undefined) });
    await killed(h, undefined, 'nft-v1');
    await ok(h, 'nft-v1');
    await traffic(h, 'nft-v1');

    assert.match(await failing(h, 'nft-v2', { kind: 'kernel-refuses-nft' }), /^firewall nft ip docker-bridges: nft -f/);
    await failing(h, 'nft-v2', { kind: 'link-name-taken', name: newHostLink(h, 'nft-v2', 'nft-v1') });
    await killed(h, 'nft-v1', 'nft-v2');
    await ok(h, 'nft-v2');
    await traffic(h, 'nft-v2');

    // v3 removes a network: its bridge goes after the nft transaction is committed.
    assert.match(await failing(h, 'nft-v3', { kind: 'batch-fails', match: /^link del br-/m }), /^remove bridges: /);
    await failing(h, 'nft-v3', { kind: 'kernel-refuses-nft' });
    await ok(h, 'nft-v3');
    await traffic(h, 'nft-v3');

    assert.match(await failing(h, undefined, { kind: 'batch-fails', match: /^link del br-/m }), /^remove bridges: /);
    await killed(h, 'nft-v3', undefined);
    await ok(h, undefined);
    assert.equal(nftTables(h.runner).filter((t) => /docker-/.test(t)), [], 'destroy leaves no table of Docker\'s');
  } finally {
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();
