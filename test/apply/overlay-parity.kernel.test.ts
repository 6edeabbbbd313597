// Both ways onto a host make the same kernel state: for each host of examples/swarm-overlay.yaml (the
// overlay example the e2e suite proves with packets: overlay namespaces, VXLAN, docker_gwbridge,
// ingress_sbox, a service task's rules), setup.sh runs in one host namespace and plan/apply in
// another, and every namespace each made (prefix aside) holds the same links, addresses, routes,
// permanent neighbours, permanent FDB entries and iptables rules; so do the two host namespaces. The
// same for the macvlan scenario (test/scenarios/e2e-macvlan.yaml). Only
// the MACs the kernel picks (veths' other ends, VXLAN devices) are left out of the comparison.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.ts';
import { apply, desiredFromBuild } from '../../src/apply/index.ts';
import { runScript, writeBuild } from '../e2e/harness/deploy.ts';
import { missingFeatures } from '../e2e/harness/kernel.ts';
import { addNetns, delNetns, netnsWithPrefix, RUN_PREFIX } from '../e2e/harness/namespaces.ts';
import type { HostBox } from '../e2e/harness/sandbox.ts';
import { netnsUnavailable } from '../support/netns.ts';
import { testOrSkip } from '../support/skip.ts';
import { netnsState, type NetnsState } from './netns-state.ts';
import { check, tool } from '../e2e/harness/exec.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'bridge', 'flock']) ?? missingFeatures(['veth', 'bridge', 'vxlan']);
const REPO = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const EXAMPLE = path.join(REPO, 'examples', 'swarm-overlay.yaml');
const MACVLAN = path.join(REPO, 'test', 'scenarios', 'e2e-macvlan.yaml');
const whyMacvlan = why ?? missingFeatures(['macvlan']);

/** A bare host namespace (loopback up) standing for one host, and its container prefix. */
function box(tag: string, name: string): HostBox {
  const ns = `${RUN_PREFIX}${tag}`;
  addNetns(ns);
  return { name, ns, containerPrefix: `${ns}-`, uplink: { v4: '', v6: '' }, lans: [] };
}

/**
 * Both states once the kernel has caught up: carrier changes reach a link through linkwatch, which
 * fires at most once a second (net/core/link_watch.c), and IPv6 gives a link its address (and so the
 * solicited-node multicast entry in its FDB) only once it has carrier; so a state read right after a
 * script ends may be a second behind. Read again, half a second apart, until the two agree or 5 s pass.
 */
async function settled(script: HostBox, applied: HostBox): Promise<{ fromScript: NetnsState; fromApply: NetnsState }> {
  const read = () => ({
    fromScript: netnsState(script.ns, script.containerPrefix, { randomMacs: true, files: false }),
    fromApply: netnsState(applied.ns, applied.containerPrefix, { randomMacs: true, files: false }),
  });
  let got = read();
  for (let i = 0; i < 10 && JSON.stringify(got.fromScript) !== JSON.stringify(got.fromApply); i++) {
    await new Promise((r) => setTimeout(r, 500));
    got = read();
  }
  return got;
}

/** Runs setup.sh and apply --only network for `host` of `file`, each in a host namespace of its own, and compares. */
async function compare(file: string, host: string, tag: string, prepare: (b: HostBox) => void = () => undefined): Promise<NetnsState> {
  const r = compile({ file, text: readFileSync(file, 'utf8') });
  if (!r.files || !r.model) throw new Error(`${file} does not build`);
  const dir = mkdtempSync(path.join(tmpdir(), 'nf-parity-'));
  const script = box(`ps${tag}`, host);
  const applied = box(`pa${tag}`, host);
  try {
    prepare(script);
    prepare(applied);
    writeBuild(dir, r.files);
    runScript(path.join(dir, host), 'setup.sh', script);
    // setup.sh leaves the host's rules to iptables-restore and the files to whoever installs them:
    // the comparison is of what both make, the network (apply --only network).
    const target = { host, hostNetns: applied.ns, prefix: applied.containerPrefix };
    const o = await apply({ desired: desiredFromBuild(r, target), target, stateDir: path.join(dir, 'state'), only: 'network' });
    assert.is(o.error, undefined, o.error);
    const { fromScript, fromApply } = await settled(script, applied);
    assert.equal(Object.keys(fromApply).sort(), Object.keys(fromScript).sort(), 'the same namespaces');
    for (const ns of Object.keys(fromScript)) assert.equal(fromApply[ns], fromScript[ns], `${host}: namespace ${ns}`);
    return fromScript;
  } finally {
    for (const b of [script, applied]) {
      for (const ns of netnsWithPrefix(b.containerPrefix)) delNetns(ns);
      delNetns(b.ns);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const host of ['node1', 'node2']) {
  testOrSkip(why, `${host} of swarm-overlay.yaml: apply makes what setup.sh makes`, async () => {
    const made = await compare(EXAMPLE, host, host.slice(-1));
    const overlays = Object.keys(made).filter((ns) => /^1-/.test(ns));
    assert.is(overlays.length, 2, 'setup.sh made both overlay namespaces');
    for (const ns of overlays) assert.ok(made[ns]!.some((l) => / vxlan id \d+ local /.test(l)), `${ns} holds the VXLAN device`);
  });
}

testOrSkip(whyMacvlan, 'e2e-macvlan.yaml: apply makes what setup.sh makes', async () => {
  // eth1, the macvlan parent the host has: a veth pair of its own here.
  const made = await compare(MACVLAN, 'local', 'm', (b) => void check(tool('ip'), ['-n', b.ns, '-batch', '-'], { input: 'link add eth1 address 02:00:00:00:e1:01 type veth peer name eth1p address 02:00:00:00:e1:02\nlink set dev eth1 up\nlink set dev eth1p up\n' }));
  assert.ok(made['printer']!.some((l) => /^link eth0 macvlan 1500 /.test(l)), made['printer']!.join('\n'));
});

test.run();
