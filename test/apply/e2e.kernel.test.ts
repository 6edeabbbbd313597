// plan/apply/destroy end to end, on a host namespace that other tools already use (a real ufw ruleset
// with INPUT and FORWARD DROP, kube-proxy's KUBE-* chains in filter and nat, a fail2ban chain, a user
// rule in DOCKER-USER, a foreign link with an address): v1 -> v2 -> v3 -> destroy. After every step the
// version's connectivity matrix holds (real packets, the e2e harness's agents and probes),
// `netform plan --detailed-exitcode` exits 0, the other tools' rules are byte-identical, the foreign
// link is untouched and a TCP connection between two containers no step touches stays open; adding
// one container touches nothing of the others. After destroy the host is what it was before the first
// apply: firewall, links, addresses, sysctls, /etc/netns, no namespace left.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apply } from '../../src/apply/index.ts';
import { main } from '../../src/cli/main.ts';
import { testOrSkip } from '../support/skip.ts';
import { netnsUnavailable } from '../support/netns.ts';
import { foreignPart, saved } from './support.ts';
import { dropHost, HeldConnection, makeHost, probe, snapshot, type ApplyHost } from './sandbox.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'nft']);

/** `netform ARGS` in this process, with the host's NETFORM_HOST_NETNS and NETFORM_NETNS_PREFIX. */
async function cli(h: ApplyHost, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const env = { ...process.env, NETFORM_HOST_NETNS: h.target.hostNetns, NETFORM_NETNS_PREFIX: h.target.prefix };
  // One lock for the whole history, as a repository keeps beside its one file (here in the state
  // directory, so that the fixtures stay as they are).
  const lock = args[0] === 'plan' || (args[0] === 'apply' && args[1]!.endsWith('.yaml')) ? ['--lock', path.join(h.stateDir, 'site.lock')] : [];
  const code = await main([...args, ...lock, '--state-dir', h.stateDir], { out: (s) => (out += s), err: (s) => (err += s), env });
  return { code, out, err };
}

const file = (v: string) => `test/fixtures/apply/${v}.yaml`;

async function checkStep(h: ApplyHost, version: string, foreignBefore: string[], link: string, held: HeldConnection | undefined): Promise<void> {
  const plan = await cli(h, ['plan', file(version), '--detailed-exitcode', '--deep']);
  assert.is(plan.code, 0, `${version}: plan --detailed-exitcode after apply\n${plan.out}${plan.err}`);
  assert.match(plan.out, /^No changes\.$/m);
  const d = h.desired(version);
  for (const f of [4, 6] as const) assert.is(foreignPart(saved(h.runner, f), [d], f), foreignBefore[f === 4 ? 0 : 1], `${version}: foreign IPv${f} rules byte-identical`);
  assert.is(snapshot(h).links.find((l) => l.startsWith('fx0 ')), link, `${version}: the foreign link and its address`);
  const failed = await probe(h, version);
  assert.equal(failed.map((r) => `${r.text}: ${r.detail}`), [], `${version}: connectivity matrix`);
  if (held) {
    const s = await held.status();
    assert.ok(s.ok, `${version}: the held connection between web and client: ${JSON.stringify(s)}`);
  }
}

testOrSkip(why, 'v1 -> v2 -> v3 -> destroy next to ufw, kube-proxy, fail2ban and DOCKER-USER', async () => {
  const h = await makeHost(['v1', 'v2', 'v3']);
  let held: HeldConnection | undefined;
  try {
    const before = snapshot(h);
    const foreignBefore = [foreignPart(before.v4, [], 4), foreignPart(before.v6, [], 6)];
    const link = before.links.find((l) => l.startsWith('fx0 '))!;
    assert.ok(link, 'the foreign link is there');

    const first = await cli(h, ['apply', file('v1')]);
    assert.is(first.code, 0, first.out + first.err);
    assert.match(first.err, /site\.lock: \d+ allocations added/, 'apply wrote the lock');
    await checkStep(h, 'v1', foreignBefore, link, undefined);
    const web = h.world('v1').topologies[0]!.endpoints.find((e) => e.container === 'web')!.ipv4!;
    held = await HeldConnection.open(`${h.target.prefix}web`, `${h.target.prefix}client`, web, 7070);

    // One container more: only its namespace, its veth, the files and the chains its rules are in
    // (its DNAT and ACCEPT, its raw drop, and the hairpin MASQUERADE of userland-proxy off).
    const v2 = await apply({ desired: h.desired('v2'), target: h.target, stateDir: h.stateDir });
    assert.is(v2.error, undefined);
    const network = v2.plan.changes.filter((c) => c.part === 'network').map((c) => c.label);
    assert.ok(network.every((l) => /cache|veth/.test(l)), `v2 touches only cache's network objects: ${network.join('; ')}`);
    const veths = v2.plan.changes.filter((c) => c.kind === 'link');
    assert.is(veths.length, 1, 'one link: cache\'s veth');
    assert.ok(veths[0]!.label.includes(`${h.target.prefix}cache`));
    assert.equal([...new Set(v2.plan.changes.filter((c) => c.part === 'firewall').map((c) => c.label))].sort(), ['chain ip filter DOCKER', 'chain ip nat DOCKER', 'rules ip nat POSTROUTING', 'rules ip raw PREROUTING']);
    await checkStep(h, 'v2', foreignBefore, link, held);

    // v3 through a saved plan: plan -o, the JSON form, then apply PLANFILE.
    const planFile = path.join(h.stateDir, 'v3.plan');
    const saved = await cli(h, ['plan', file('v3'), '-o', planFile, '--json', '--detailed-exitcode']);
    assert.is(saved.code, 2, 'changes: exit 2');
    const json = JSON.parse(saved.out) as { format_version: number; summary: { destroy: number }; changes: { label: string; action: string }[] };
    assert.is(json.format_version, 1);
    assert.ok(json.changes.some((c) => c.action === 'delete' && /network namespace \S+db$/.test(c.label)));
    const v3 = await cli(h, ['apply', planFile]);
    assert.is(v3.code, 0, v3.out + v3.err);
    assert.match(v3.out, /- network namespace \S+db/);
    await checkStep(h, 'v3', foreignBefore, link, held);

    const again = await cli(h, ['apply', file('v3')]);
    assert.is(again.code, 0);
    assert.match(again.out, /^No changes\.$/m, 'a second apply changes nothing');

    // destroy with the containers' processes still running (they keep their namespaces alive):
    // their veths go all the same, and the held connection with them, which shows it would have
    // told a broken connection from a live one.
    const gone = await cli(h, ['destroy']);
    assert.is(gone.code, 0, gone.out + gone.err);
    await sleep(2500);
    const cut = await held.status();
    assert.not.ok(cut.ok, `the held connection is cut once its containers' veths are gone: ${JSON.stringify(cut)}`);
    held.close();
    held = undefined;
    const after = snapshot(h);
    assert.equal(after, { ...before }, 'after destroy the host is what it was before the first apply');
  } finally {
    held?.close();
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();
