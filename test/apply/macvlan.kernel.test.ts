// plan/apply of a macvlan network end to end (test/scenarios/e2e-macvlan.yaml with its e2e matrix): the
// host's eth1 is a veth to the outside's LAN, the containers' eth0 are macvlan links on it made through
// plan/apply. A failure (the kernel refusing a rule, after the network was made) rolls the host back
// link for link; then the matrix's probes hold, a second plan
// is `No changes.`, and destroy leaves the host as it was.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.ts';
import { apply, desiredFromBuild, nodeSystem, plan, planText, type Target } from '../../src/apply/index.ts';
import { Agents } from '../e2e/harness/agent-process.ts';
import { missingFeatures } from '../e2e/harness/kernel.ts';
import { parseMatrix } from '../e2e/harness/matrix.ts';
import { delNetns, netnsWithPrefix, RUN_PREFIX } from '../e2e/harness/namespaces.ts';
import { detectFeatures, runProbe } from '../e2e/harness/probes.ts';
import { downSandbox, settleSandbox, upSandbox } from '../e2e/harness/sandbox.ts';
import { namespaceOf, planWorld } from '../e2e/harness/world.ts';
import { netnsUnavailable } from '../support/netns.ts';
import { testOrSkip } from '../support/skip.ts';
import { withFault } from './faults.ts';
import { netnsState } from './netns-state.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'bridge']) ?? missingFeatures(['veth', 'bridge', 'macvlan']);
const REPO = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCENARIO = path.join(REPO, 'test', 'scenarios', 'e2e-macvlan.yaml');
const MATRIX = path.join(REPO, 'test', 'e2e', 'matrices', 'e2e-macvlan.e2e.yaml');

testOrSkip(why, 'macvlan: rollback, apply, the probes hold, No changes, destroy', async () => {
  const r = compile({ file: SCENARIO, text: readFileSync(SCENARIO, 'utf8') }, undefined, { files: false });
  const matrix = parseMatrix(readFileSync(MATRIX, 'utf8'), 'e2e-macvlan.e2e.yaml');
  const world = planWorld(`${RUN_PREFIX}mv-`, r.topologies!, r.model!.hosts, matrix);
  const box = world.sandbox.hosts[0]!;
  const target: Target = { host: box.name, hostNetns: box.ns, prefix: box.containerPrefix };
  const stateDir = mkdtempSync(path.join(tmpdir(), 'nfapply-macvlan-'));
  upSandbox(world.sandbox);
  try {
    await settleSandbox(world.sandbox);
    const desired = desiredFromBuild(r, target);
    const before = netnsState(box.ns, box.containerPrefix);

    // The kernel refuses a nat rule (after the macvlan links and the namespaces' insides were made): back as before.
    const failing = withFault(nodeSystem(box.ns), { kind: 'kernel-refuses-nat-rule' });
    const bad = await apply({ desired, target, stateDir, system: failing });
    assert.ok(failing.fired() && bad.error !== undefined, `the apply failed: ${bad.error}`);
    assert.equal(bad.rollbackProblems, []);
    assert.equal(netnsState(box.ns, box.containerPrefix), before, 'rolled back, link for link');

    const o = await apply({ desired, target, stateDir });
    assert.is(o.error, undefined, o.error);
    assert.equal(o.plan.changes.filter((c) => c.label.includes('macvlan')).map((c) => c.label).sort(), [
      `link ${box.containerPrefix}printer eth0 (macvlan on eth1, mode bridge, mtu 1500)`,
      `link ${box.containerPrefix}scanner eth0 (macvlan on eth1, mode bridge, mtu 1500)`,
    ]);
    const agents = new Agents();
    try {
      for (const [who, list] of matrix.servers) {
        for (const s of list) {
          const res = await (await agents.get(namespaceOf(world, who))).request({ op: 'listen', label: who, proto: s.proto, port: s.port });
          if (!res.ok) throw new Error(`server ${who}: ${res.error}`);
        }
      }
      const features = detectFeatures([box.ns]);
      const results = await Promise.all(matrix.probes.map((p) => runProbe(p, { world, agents, features })));
      assert.equal(results.filter((x) => x.outcome === 'failed').map((x) => `${x.text}: ${x.detail}`), [], 'the matrix of e2e-macvlan');
    } finally {
      await agents.close();
    }
    const again = await plan({ desired, target, stateDir, deep: true });
    assert.match(planText(again.plan), /^No changes\.$/m, planText(again.plan));

    const gone = await apply({ target, stateDir });
    assert.is(gone.error, undefined, gone.error);
    assert.equal(netnsState(box.ns, box.containerPrefix), before, 'after destroy the host is as before');
  } finally {
    downSandbox(world.sandbox);
    for (const ns of netnsWithPrefix(box.containerPrefix)) delNetns(ns);
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test.run();
