// plan/apply of an overlay fleet end to end: two host namespaces joined by an underlay bridge, each
// applied with plan/apply for its host of one file (an attachable overlay across both, a service task
// with rules inside its namespace). After v1: probes across the overlay by address and by name hold,
// and a second plan is `No changes.`; forwarding entries deleted by hand and a rule added by hand show
// as drift in plan --deep and are put right; v2 adds a container on h1, which h2 sees as one neighbour
// and one FDB entry changed in place; a failure (the rules inside a namespace, an FDB entry, a destroy's
// last step) rolls a host back to what it was, link for link and entry for entry; destroy leaves each
// host as it was before the first apply.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.ts';
import { apply, desiredFromBuild, nodeSystem, plan, planText, type Desired, type System, type Target } from '../../src/apply/index.ts';
import { Agents } from '../e2e/harness/agent-process.ts';
import { check, tool } from '../e2e/harness/exec.ts';
import { missingFeatures } from '../e2e/harness/kernel.ts';
import { parseMatrix } from '../e2e/harness/matrix.ts';
import { delNetns, netnsWithPrefix, RUN_PREFIX } from '../e2e/harness/namespaces.ts';
import { detectFeatures, runProbe } from '../e2e/harness/probes.ts';
import { downSandbox, settleSandbox, upSandbox, type HostBox } from '../e2e/harness/sandbox.ts';
import { namespaceOf, planWorld, type World } from '../e2e/harness/world.ts';
import { netnsUnavailable } from '../support/netns.ts';
import { testOrSkip } from '../support/skip.ts';
import { failedByName, serveByName } from './by-name.ts';
import { withFault } from './faults.ts';
import { netnsState } from './netns-state.ts';
import { FIXTURES } from './support.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'bridge']) ?? missingFeatures(['veth', 'bridge', 'vxlan']);

function build(version: string) {
  const file = path.join(FIXTURES, `overlay-${version}.yaml`);
  const r = compile({ file, text: readFileSync(file, 'utf8') }, undefined, { files: false });
  if (!r.topologies || !r.model) throw new Error(`${file} does not build`);
  return r;
}

const target = (h: HostBox): Target => ({ host: h.name, hostNetns: h.ns, prefix: h.containerPrefix });
const stateDir = (root: string, h: HostBox) => path.join(root, h.name);

async function probes(world: World, version: string): Promise<string[]> {
  const matrix = parseMatrix(readFileSync(path.join(FIXTURES, `overlay-${version}.e2e.yaml`), 'utf8'), `overlay-${version}.e2e.yaml`);
  const agents = new Agents();
  try {
    for (const [who, list] of matrix.servers) {
      for (const s of list) {
        const r = await (await agents.get(namespaceOf(world, who))).request({ op: 'listen', label: who, proto: s.proto, port: s.port });
        if (!r.ok) throw new Error(`server ${who} ${s.proto}/${s.port}: ${r.error}`);
      }
    }
    const features = detectFeatures(world.sandbox.hosts.map((h) => h.ns));
    const results = await Promise.all(matrix.probes.map((p) => runProbe(p, { world, agents, features })));
    const failed = results.filter((r) => r.outcome === 'failed').map((r) => `${r.text}: ${r.detail}`);
    // By name, across the overlay: the client resolves the name through its hosts file and connects.
    await serveByName(agents, world, ['a1', 'b1', 'web.1'], 7000);
    failed.push(...(await failedByName(agents, world, [
      { from: 'a1', to: 'b1', network: 'mesh', port: 7000 },
      { from: 'a1', to: 'web.1', network: 'mesh', port: 7000 },
      { from: 'b1', to: 'a1', network: 'mesh', port: 7000 },
    ])));
    return failed;
  } finally {
    await agents.close();
  }
}

/**
 * A System on which one kind of step fails: iptables-restore inside a namespace (the last network step
 * of an apply), or `bridge -batch` (the FDB entries, after the neighbour entries went in).
 */
function failing(base: System, what: 'rules' | 'fdb'): System & { fired: () => boolean } {
  let fired = false;
  const hit = (argv: readonly string[]) =>
    what === 'rules' ? argv[0] === 'ip' && argv[1] === 'netns' && argv[2] === 'exec' && argv[4] === 'iptables-restore' : argv[0] === 'bridge' && !argv.includes('-force');
  return {
    ...base,
    run(argv, options) {
      if (hit(argv)) {
        fired = true;
        return { status: 1, stdout: '', stderr: 'injected failure' };
      }
      return base.run(argv, options);
    },
    fired: () => fired,
  };
}

testOrSkip(why, 'overlay fleet: apply per host, probes across the overlay by name, No changes, a peer added in place, rollback, destroy', async () => {
  const v1 = build('v1');
  const v2 = build('v2');
  const world = planWorld(`${RUN_PREFIX}ov-`, v2.topologies!, v2.model!.hosts);
  const hosts = world.sandbox.hosts;
  const root = mkdtempSync(path.join(tmpdir(), 'nfapply-overlay-'));
  const desired = (r: typeof v1, h: HostBox): Desired => desiredFromBuild(r, target(h));
  upSandbox(world.sandbox);
  try {
    await settleSandbox(world.sandbox);
    const before = hosts.map((h) => netnsState(h.ns, h.containerPrefix));

    // A failure at the rules inside web.1 (after namespaces, links, overlays and FDB entries): h2 is rolled back.
    const h2 = hosts.find((h) => h.name === 'h2')!;
    const failingRules = failing(nodeSystem(h2.ns), 'rules');
    const bad = await apply({ desired: desired(v1, h2), target: target(h2), stateDir: stateDir(root, h2), system: failingRules });
    assert.ok(failingRules.fired(), 'the rules step was reached');
    assert.ok(bad.error?.startsWith('rules in '), `the apply failed at the rules: ${bad.error}`);
    assert.equal(bad.rollbackProblems, []);
    assert.equal(netnsState(h2.ns, h2.containerPrefix), before[1], 'h2 rolled back, link for link');

    for (const h of hosts) {
      const o = await apply({ desired: desired(v1, h), target: target(h), stateDir: stateDir(root, h) });
      assert.is(o.error, undefined, `${h.name}: ${o.error}`);
      assert.ok(o.plan.changes.some((c) => c.kind === 'overlay' && c.action === 'create'), `${h.name}: an overlay is made`);
    }
    assert.equal(await probes(world, 'v1'), [], 'v1 probes');
    for (const h of hosts) {
      const again = await plan({ desired: desired(v1, h), target: target(h), stateDir: stateDir(root, h), deep: true });
      assert.match(planText(again.plan), /^No changes\.$/m, `${h.name}: a second plan (deep) changes nothing\n${planText(again.plan)}`);
    }

    // Drift: a neighbour and the flood entry deleted by hand on h1 show in plan --deep, and apply puts them back.
    const h1 = hosts.find((h) => h.name === 'h1')!;
    const mesh = desired(v1, h1).network.overlays!.find((o) => o.vni === 4097)!;
    const peer = mesh.neighbours[0]!;
    check(tool('ip'), ['-n', mesh.netns, 'neigh', 'del', peer.ip, 'dev', 'vxlan0']);
    check(tool('bridge'), ['-n', mesh.netns, 'fdb', 'del', '00:00:00:00:00:00', 'dev', 'vxlan0', 'dst', mesh.floods[0]!]);
    const drift = await plan({ desired: desired(v1, h1), target: target(h1), stateDir: stateDir(root, h1), deep: true });
    const drifted = drift.plan.changes.filter((c) => c.drift);
    assert.equal(drifted.map((c) => [c.kind, c.details]), [['overlay', [`+ neighbour ${peer.ip} lladdr ${peer.mac}`, `+ fdb 00:00:00:00:00:00 dst ${mesh.floods[0]} (flood)`]]], planText(drift.plan));
    const fixed = await apply({ desired: desired(v1, h1), target: target(h1), stateDir: stateDir(root, h1), deep: true });
    assert.is(fixed.error, undefined, fixed.error);
    const clean = await plan({ desired: desired(v1, h1), target: target(h1), stateDir: stateDir(root, h1), deep: true });
    assert.match(planText(clean.plan), /^No changes\.$/m, planText(clean.plan));

    // A rule added by hand inside web.1 on h2: drift in plan --deep, and apply loads web.1's tables again.
    check(tool('ip'), ['netns', 'exec', `${h2.containerPrefix}web.1`, 'iptables', '-I', 'INPUT', '1', '-s', '192.0.2.9/32', '-j', 'ACCEPT']);
    const ruleDrift = await plan({ desired: desired(v1, h2), target: target(h2), stateDir: stateDir(root, h2), deep: true });
    assert.equal(ruleDrift.plan.changes.filter((c) => c.drift).map((c) => [c.label, c.details]), [[`rules in ${h2.containerPrefix}web.1 (iptables raw, filter, nat)`, ['- -A INPUT -s 192.0.2.9/32 -j ACCEPT']]], planText(ruleDrift.plan));
    assert.is((await apply({ desired: desired(v1, h2), target: target(h2), stateDir: stateDir(root, h2), deep: true })).error, undefined);
    assert.match(planText((await plan({ desired: desired(v1, h2), target: target(h2), stateDir: stateDir(root, h2), deep: true })).plan), /^No changes\.$/m);

    // v2: a2 joins on h1 first, as a fleet is applied host after host: its first frames (IPv6 router
    // solicitations) flood to h2, whose vxlan0 may learn its MAC before h2 writes the static entry.
    const onH1 = await apply({ desired: desired(v2, h1), target: target(h1), stateDir: stateDir(root, h1) });
    assert.is(onH1.error, undefined, onH1.error);
    await new Promise((r) => setTimeout(r, 1500));
    // On h2 only the overlay's entries and the hosts files change.
    const a2 = v2.topologies!.find((t) => t.host === 'h1')!.endpoints.find((e) => e.container === 'a2' && e.network === 'mesh')!;
    // The FDB entry failing after the neighbour entry went in: the neighbour entry comes out again.
    const v1OnH2 = netnsState(h2.ns, h2.containerPrefix);
    const failingFdb = failing(nodeSystem(h2.ns), 'fdb');
    const badFdb = await apply({ desired: desired(v2, h2), target: target(h2), stateDir: stateDir(root, h2), system: failingFdb });
    assert.ok(failingFdb.fired() && badFdb.error !== undefined, `the FDB step failed: ${badFdb.error}`);
    assert.equal(badFdb.rollbackProblems, []);
    assert.equal(netnsState(h2.ns, h2.containerPrefix), v1OnH2, 'h2 keeps v1, entry for entry');
    const onH2 = await apply({ desired: desired(v2, h2), target: target(h2), stateDir: stateDir(root, h2) });
    assert.is(onH2.error, undefined, onH2.error);
    const h2Changes = onH2.plan.changes.map((c) => `${c.action} ${c.kind}`).sort();
    assert.equal(h2Changes, ['update file', 'update file', 'update overlay'], `h2 changes only its overlay's entries and two hosts files: ${h2Changes.join(', ')}`);
    const overlay = onH2.plan.changes.find((c) => c.kind === 'overlay')!;
    assert.equal(overlay.details, [`+ neighbour ${a2.ipv4} lladdr ${a2.mac}`, `+ fdb ${a2.mac} dst ${h1.underlay!.address}`]);
    assert.equal(await probes(world, 'v2'), [], 'v2 probes');
    for (const h of hosts) {
      const again = await apply({ desired: desired(v2, h), target: target(h), stateDir: stateDir(root, h) });
      assert.is(again.plan.summary.add + again.plan.summary.change + again.plan.summary.destroy, 0, `${h.name}: a second apply of v2 changes nothing\n${planText(again.plan)}`);
    }

    // A destroy failing after the namespaces went (removing the bridges): everything comes back as it
    // was, overlay namespaces, VXLAN devices, veths, FDB and neighbour entries and rules included.
    const applied = netnsState(h2.ns, h2.containerPrefix);
    const failingDestroy = withFault(nodeSystem(h2.ns), { kind: 'batch-fails', match: /^link del docker_gwbridge$/m });
    const badDestroy = await apply({ target: target(h2), stateDir: stateDir(root, h2), system: failingDestroy });
    assert.ok(failingDestroy.fired() && badDestroy.error !== undefined, `the destroy failed: ${badDestroy.error}`);
    assert.equal(badDestroy.rollbackProblems, []);
    assert.equal(netnsState(h2.ns, h2.containerPrefix), applied, 'a failed destroy puts h2 back, link for link');

    for (const h of hosts) {
      const gone = await apply({ target: target(h), stateDir: stateDir(root, h) });
      assert.is(gone.error, undefined, gone.error);
    }
    assert.equal(hosts.map((h) => netnsState(h.ns, h.containerPrefix)), before, 'after destroy each host is what it was before the first apply');
  } finally {
    downSandbox(world.sandbox);
    for (const h of hosts) {
      for (const ns of netnsWithPrefix(h.containerPrefix)) delNetns(ns);
      for (const d of readdirSync('/etc/netns').filter((n) => n.startsWith(h.containerPrefix))) rmSync(path.join('/etc/netns', d), { recursive: true, force: true });
    }
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
