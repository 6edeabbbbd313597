// plan/apply/destroy on the nftables backend, end to end, on a host namespace whose other tools use
// nft and iptables-nft (nft-support.ts): nft-v1 -> nft-v2 -> nft-v3 -> destroy. After every step the
// version's connectivity matrix holds (real packets), `netform plan --detailed-exitcode` exits 0 with
// `No changes.`, every nft table that is not Docker's is byte-identical (`nft list table`, counter
// values aside) and so is iptables-save (the build has no iptables rules), and a TCP connection between
// two containers no step touches stays open. A saved plan is refused once netform's table changed
// under it. After destroy the host is what it was before the first apply, Docker's tables gone.
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apply } from '../../src/apply/index.ts';
import { main } from '../../src/cli/main.ts';
import { testOrSkip } from '../support/skip.ts';
import { netnsUnavailable } from '../support/netns.ts';
import { DOCKER_NFT_TABLES, foreignNft, loadNftForeign, nftSnapshot, nftTables } from './nft-support.ts';
import { dropHost, HeldConnection, makeHost, probe, type ApplyHost } from './sandbox.ts';
import { saved } from './support.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'nft']);

async function cli(h: ApplyHost, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const env = { ...process.env, NETFORM_HOST_NETNS: h.target.hostNetns, NETFORM_NETNS_PREFIX: h.target.prefix };
  const lock = args[0] === 'plan' || (args[0] === 'apply' && args[1]!.endsWith('.yaml')) ? ['--lock', path.join(h.stateDir, 'site.lock')] : [];
  const code = await main([...args, ...lock, '--state-dir', h.stateDir], { out: (s) => (out += s), err: (s) => (err += s), env });
  return { code, out, err };
}

const file = (v: string) => `test/fixtures/apply/${v}.yaml`;

interface Foreign {
  readonly nft: string;
  readonly v4: string;
  readonly v6: string;
}

const foreignOf = (h: ApplyHost): Foreign => ({ nft: foreignNft(h.runner), v4: saved(h.runner, 4), v6: saved(h.runner, 6) });

async function checkStep(h: ApplyHost, version: string, before: Foreign, held: HeldConnection | undefined): Promise<void> {
  const plan = await cli(h, ['plan', file(version), '--detailed-exitcode', '--deep']);
  assert.is(plan.code, 0, `${version}: plan --detailed-exitcode after apply\n${plan.out}${plan.err}`);
  assert.match(plan.out, /^No changes\.$/m);
  assert.equal(foreignOf(h), before, `${version}: other tools' nft tables and iptables rules byte-identical`);
  assert.ok(nftTables(h.runner).includes('ip docker-bridges'), `${version}: ip docker-bridges is loaded`);
  const failed = await probe(h, version);
  assert.equal(failed.map((r) => `${r.text}: ${r.detail}`), [], `${version}: connectivity matrix`);
  if (held) assert.ok((await held.status()).ok, `${version}: the held connection between web and client`);
}

/** A plan saved with -o is refused once netform's table changed under it; the host is left as it is. */
async function stalePlanRefused(h: ApplyHost, version: string): Promise<void> {
  const planFile = path.join(h.stateDir, `${version}.stale.plan`);
  const saved = await cli(h, ['plan', file(version), '-o', planFile, '--detailed-exitcode']);
  assert.is(saved.code, 2, saved.out + saved.err);
  h.runner.check('nft', ['insert', 'rule', 'ip', 'docker-bridges', 'filter-FORWARD', 'ip', 'saddr', '192.0.2.99', 'drop']);
  const stale = await cli(h, ['apply', planFile]);
  assert.is(stale.code, 1, 'a stale plan exits 1');
  assert.match(stale.out + stale.err, /stale plan/);
  const replan = await cli(h, ['plan', file(version)]);
  assert.match(replan.out, /~ chain ip docker-bridges filter-FORWARD \(-1 rule\) {2}# drift: changed outside netform/, replan.out);
  assert.match(replan.out, /^ {6}- ip saddr 192\.0\.2\.99 drop$/m);
}

testOrSkip(why, 'nftables: v1 -> v2 -> v3 -> destroy next to a firewalld-like table and iptables-nft tables', async () => {
  const h = await makeHost(['nft-v1', 'nft-v2', 'nft-v3'], loadNftForeign);
  let held: HeldConnection | undefined;
  try {
    const before = nftSnapshot(h);
    const foreign = foreignOf(h);
    assert.ok(foreign.nft.includes('table inet fw-test') && foreign.nft.includes('table ip filter'), 'the foreign nft state is there');

    const first = await cli(h, ['apply', file('nft-v1')]);
    assert.is(first.code, 0, first.out + first.err);
    assert.match(first.out, /^ {2}\+ table ip docker-bridges$/m);
    assert.match(first.out, /^ {2}\+ table ip6 docker-bridges$/m);
    await checkStep(h, 'nft-v1', foreign, undefined);
    const web = h.world('nft-v1').topologies[0]!.endpoints.find((e) => e.container === 'web')!.ipv4!;
    held = await HeldConnection.open(`${h.target.prefix}web`, `${h.target.prefix}client`, web, 7070);

    // One container more: cache's namespace and veth, and the chains of its port and address.
    const v2 = await apply({ desired: h.desired('nft-v2'), target: h.target, stateDir: h.stateDir });
    assert.is(v2.error, undefined);
    const fw = v2.plan.changes.filter((c) => c.part === 'firewall').map((c) => c.label.replace(/__br-[0-9a-f]{12}$/, '__br-front'));
    assert.equal(fw.sort(), ['chain ip docker-bridges filter-forward-in__br-front', 'chain ip docker-bridges nat-postrouting-in__br-front', 'chain ip docker-bridges nat-prerouting-and-output', 'chain ip docker-bridges raw-PREROUTING']);
    const steps = v2.plan.steps.filter((s) => s.kind === 'firewall');
    assert.is(steps.length, 1, 'one nft -f');
    const input = steps[0]!.kind === 'firewall' ? steps[0]!.transaction.input : '';
    assert.equal([...input.matchAll(/^table (\S+ \S+) \{$/gm)].map((m) => m[1]), ['ip docker-bridges'], 'only the table that changed is replaced');
    assert.not.match(input, /flush ruleset|\b(filter|nat|raw|mangle|fw-test)\b \{/);
    await checkStep(h, 'nft-v2', foreign, held);

    await stalePlanRefused(h, 'nft-v3');
    const planFile = path.join(h.stateDir, 'v3.plan');
    const saved = await cli(h, ['plan', file('nft-v3'), '-o', planFile, '--detailed-exitcode']);
    assert.is(saved.code, 2);
    const v3 = await cli(h, ['apply', planFile]);
    assert.is(v3.code, 0, v3.out + v3.err);
    assert.match(v3.out, /- chain ip docker-bridges filter-forward-in__br-[0-9a-f]{12} /);
    await checkStep(h, 'nft-v3', foreign, held);

    const again = await cli(h, ['apply', file('nft-v3')]);
    assert.is(again.code, 0);
    assert.match(again.out, /^No changes\.$/m, 'a second apply changes nothing');

    const gone = await cli(h, ['destroy']);
    assert.is(gone.code, 0, gone.out + gone.err);
    held.close();
    held = undefined;
    assert.equal(nftTables(h.runner).filter((t) => DOCKER_NFT_TABLES.includes(t)), [], 'no table of Docker\'s left');
    assert.equal(nftSnapshot(h), before, 'after destroy the host is what it was before the first apply');
  } finally {
    held?.close();
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();
