// apply of a Docker 20.10 build with IPv6 bridges: each bridge with IPv6 (internal or not) carries
// fe80::1/64 beside the kernel's own link-local address, an IPv4-only bridge does not; a plan after the
// apply has nothing to do (the kernel's link-local addresses are neither added nor removed); the
// matrix holds; destroy gives the host back as it was.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apply, plan } from '../../src/apply/index.ts';
import { check, tool } from '../e2e/harness/exec.ts';
import { testOrSkip } from '../support/skip.ts';
import { netnsUnavailable } from '../support/netns.ts';
import { dropHost, makeHost, probe, snapshot } from './sandbox.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'nft']);
const VERSION = 'engine-20.10-ipv6';

/** The link-local IPv6 addresses of a link in a namespace. */
function linkLocal(ns: string, dev: string): string[] {
  const out = JSON.parse(check(tool('ip'), ['-n', ns, '-j', '-6', 'addr', 'show', 'dev', dev]) || '[]') as { addr_info?: { local: string; prefixlen: number; scope: string }[] }[];
  return (out[0]?.addr_info ?? []).filter((a) => a.scope === 'link').map((a) => `${a.local}/${a.prefixlen}`);
}

testOrSkip(why, 'Docker 20.10: apply gives IPv6 bridges fe80::1/64, the next plan has nothing to do, destroy removes it all', async () => {
  const h = await makeHost([VERSION]);
  try {
    const before = snapshot(h);
    const o = { desired: h.desired(VERSION), target: h.target, stateDir: h.stateDir };
    const first = await apply(o);
    assert.is(first.error, undefined, first.error);
    const bridges = new Map(h.world(VERSION).topologies[0]!.bridges.map((b) => [b.network, b.name]));
    for (const net of ['v6net', 'v6int']) {
      const ll = linkLocal(h.box.ns, bridges.get(net)!);
      assert.ok(ll.includes('fe80::1/64'), `${net}: fe80::1/64 on its bridge (${ll.join(', ')})`);
    }
    for (const net of ['v4net', 'bridge']) assert.not.ok(linkLocal(h.box.ns, bridges.get(net)!).includes('fe80::1/64'), `${net}: IPv4 only, no fe80::1`);
    const again = await plan(o);
    assert.equal(again.plan.summary, { add: 0, change: 0, destroy: 0 }, `plan after apply: ${again.plan.changes.map((c) => c.label).join('; ')}`);
    const failed = await probe(h, VERSION);
    assert.equal(failed.map((r) => `${r.text}: ${r.detail}`), [], 'the matrix');
    const gone = await apply({ target: h.target, stateDir: h.stateDir });
    assert.is(gone.error, undefined, gone.error);
    assert.equal(snapshot(h), before, 'after destroy the host is as before the apply');
  } finally {
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();
