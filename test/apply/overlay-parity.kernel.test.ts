// Both ways onto a host make the same kernel state: for each host of examples/swarm-overlay.yaml (the
// overlay example the e2e suite proves with packets: overlay namespaces, VXLAN, docker_gwbridge,
// ingress_sbox, a service task's rules), setup.sh runs in one host namespace and plan/apply in
// another, and every namespace each made (prefix aside) holds the same links, addresses, routes,
// permanent neighbours, permanent FDB entries and iptables rules; so do the two host namespaces. Only
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
import { netnsState } from './netns-state.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'bridge', 'flock']) ?? missingFeatures(['veth', 'bridge', 'vxlan']);
const EXAMPLE = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'examples', 'swarm-overlay.yaml');

/** A bare host namespace (loopback up) standing for one host, and its container prefix. */
function box(tag: string, name: string): HostBox {
  const ns = `${RUN_PREFIX}${tag}`;
  addNetns(ns);
  return { name, ns, containerPrefix: `${ns}-`, uplink: { v4: '', v6: '' }, lans: [] };
}

for (const host of ['node1', 'node2']) {
  testOrSkip(why, `${host} of swarm-overlay.yaml: apply makes what setup.sh makes`, async () => {
    const r = compile({ file: EXAMPLE, text: readFileSync(EXAMPLE, 'utf8') });
    if (!r.files || !r.model) throw new Error('swarm-overlay.yaml does not build');
    const dir = mkdtempSync(path.join(tmpdir(), 'nf-parity-'));
    const script = box(`ps${host.slice(-1)}`, host);
    const applied = box(`pa${host.slice(-1)}`, host);
    try {
      writeBuild(dir, r.files);
      runScript(path.join(dir, host), 'setup.sh', script);
      // setup.sh leaves the host's rules to iptables-restore and the files to whoever installs them:
      // the comparison is of what both make, the network (apply --only network).
      const target = { host, hostNetns: applied.ns, prefix: applied.containerPrefix };
      const o = await apply({ desired: desiredFromBuild(r, target), target, stateDir: path.join(dir, 'state'), only: 'network' });
      assert.is(o.error, undefined, o.error);
      const fromScript = netnsState(script.ns, script.containerPrefix, { randomMacs: true, files: false });
      const fromApply = netnsState(applied.ns, applied.containerPrefix, { randomMacs: true, files: false });
      const overlays = Object.keys(fromScript).filter((ns) => /^1-/.test(ns));
      assert.is(overlays.length, 2, 'setup.sh made both overlay namespaces');
      for (const ns of overlays) assert.ok(fromScript[ns]!.some((l) => / vxlan id \d+ local /.test(l)), `${ns} holds the VXLAN device`);
      assert.equal(Object.keys(fromApply).sort(), Object.keys(fromScript).sort(), 'the same namespaces');
      for (const ns of Object.keys(fromScript)) assert.equal(fromApply[ns], fromScript[ns], `${host}: namespace ${ns}`);
    } finally {
      for (const b of [script, applied]) {
        for (const ns of netnsWithPrefix(b.containerPrefix)) delNetns(ns);
        delNetns(b.ns);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
