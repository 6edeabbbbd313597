// netform.netform.apply driven by ansible-playbook against an inventory of three hosts that are network
// namespaces on one underlay (test/e2e/harness/sandbox.ts), each reached with connection: local and
// applied in its namespace (host_netns), netform installed as the one file dist/netform.cjs. The hosts
// share an attachable overlay (VXLAN over the underlay, applied through plan/apply):
//   v1 applied on every host, probes across the overlay by address and by name hold; v1 again: changed=0;
//   v2 (a container joins on h2) under --check --diff: each host's plan shown (h1 and h3 learn the new
//   peer in place), nothing changed; then applied, and the new container is reached by name;
//   v3 with a foreign link on h3 in the way: h3 fails with netform's message and keeps v2, h1 and h2
//   are applied; state: absent removes what netform made.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.ts';
import { Agents } from '../e2e/harness/agent-process.ts';
import { check, tool } from '../e2e/harness/exec.ts';
import { missingFeatures } from '../e2e/harness/kernel.ts';
import { parseMatrix } from '../e2e/harness/matrix.ts';
import { delNetns, netnsWithPrefix, RUN_PREFIX } from '../e2e/harness/namespaces.ts';
import { detectFeatures, runProbe } from '../e2e/harness/probes.ts';
import { hostState, savedRules } from '../e2e/harness/snapshot.ts';
import { downSandbox, settleSandbox, upSandbox, type HostBox, type Sandbox } from '../e2e/harness/sandbox.ts';
import { namespaceOf, planWorld, type World } from '../e2e/harness/world.ts';
import { KERNEL_TOOLS, kernelUnavailable } from '../support/netns.ts';
import { testOrSkip } from '../support/skip.ts';
import { failedByName, serveByName, type ByName } from '../apply/by-name.ts';
import { ansiblePlaybook, ansibleUnavailable, bundleUnavailable, HERE, hostOutput, installBundle, PLAYBOOK, recapLine } from './support.ts';

const reason = kernelUnavailable(KERNEL_TOOLS) ?? ansibleUnavailable() ?? bundleUnavailable() ?? missingFeatures(['veth', 'bridge', 'vxlan']);
const fixture = (v: string) => path.join(HERE, `fleet-${v}.yaml`);

function topologies(v: string) {
  const r = compile({ file: fixture(v), text: readFileSync(fixture(v), 'utf8') }, undefined, { files: false });
  if (!r.topologies || !r.model) throw new Error(`fleet-${v}.yaml does not build`);
  return { list: r.topologies, hosts: r.model.hosts };
}

interface Fleet {
  readonly sandbox: Sandbox;
  readonly scratch: string;
  readonly inventory: string;
  stateDir(h: HostBox): string;
}
let fleet: Fleet | undefined;
const F = (): Fleet => {
  if (!fleet) throw new Error('the fleet was not set up');
  return fleet;
};
const host = (name: string): HostBox => F().sandbox.hosts.find((h) => h.name === name)!;

/** The sandbox for every version (v3 has every link name), the one-file install and the inventory. */
async function setUp(): Promise<Fleet> {
  const v3 = topologies('v3');
  const sandbox = planWorld(`${RUN_PREFIX}an-`, v3.list, v3.hosts).sandbox;
  const scratch = mkdtempSync(path.join(tmpdir(), 'netform-ansible-'));
  const stateDir = (h: HostBox) => path.join(scratch, `state-${h.name}`);
  const executable = installBundle(scratch);
  const hosts = Object.fromEntries(sandbox.hosts.map((h) => [h.name, { netform_host_netns: h.ns, netform_netns_prefix: h.containerPrefix, netform_state_dir: stateDir(h) }]));
  const inventory = path.join(scratch, 'inventory.json');
  const vars = { ansible_connection: 'local', ansible_python_interpreter: '{{ ansible_playbook_python }}', netform_executable: executable };
  writeFileSync(inventory, JSON.stringify({ fleet: { hosts, vars } }, null, 1));
  upSandbox(sandbox);
  await settleSandbox(sandbox);
  return { sandbox, scratch, inventory, stateDir };
}

function tearDown(f: Fleet): void {
  downSandbox(f.sandbox);
  for (const h of f.sandbox.hosts) {
    for (const ns of netnsWithPrefix(h.containerPrefix)) delNetns(ns);
    for (const d of readdirSync('/etc/netns').filter((n) => n.startsWith(h.containerPrefix))) rmSync(path.join('/etc/netns', d), { recursive: true, force: true });
  }
  rmSync(f.scratch, { recursive: true, force: true });
}

/** Runs the playbook on a copy of fleet-<v>.yaml in the scratch folder, where apply writes its lock. */
const play = (v: string, ...args: string[]) => {
  const src = path.join(F().scratch, `fleet-${v}.yaml`);
  copyFileSync(fixture(v), src);
  return ansiblePlaybook(['-i', F().inventory, PLAYBOOK, '-e', `netform_src=${src}`, ...args], F().scratch);
};

/** Everything an apply changes on a host, as text: rules, links, addresses, routes, namespaces, files, state. */
function snapshot(h: HostBox): string {
  const s = hostState(h.ns);
  const files = readdirSync('/etc/netns').filter((n) => n.startsWith(h.containerPrefix)).sort().flatMap((d) => readdirSync(path.join('/etc/netns', d)).sort().map((f) => `${d}/${f}:\n${readFileSync(path.join('/etc/netns', d, f), 'utf8')}`));
  let state = '(no state)';
  try {
    state = readFileSync(path.join(F().stateDir(h), 'state.json'), 'utf8');
  } catch {
    // Nothing applied yet.
  }
  return [savedRules(h.ns, 4), savedRules(h.ns, 6), s.links, s.addresses, s.routes, netnsWithPrefix(h.containerPrefix).sort().join(' '), ...files, state].join('\n---\n');
}

/** Connections by name across the overlay, per version: the ring of web servers, and api2 from the other hosts in v2. */
const BY_NAME: Record<string, readonly ByName[]> = {
  v1: [
    { from: 'web1', to: 'web2', network: 'fleet', port: 7000 },
    { from: 'web2', to: 'web3', network: 'fleet', port: 7000 },
    { from: 'web3', to: 'web1', network: 'fleet', port: 7000 },
  ],
  v2: [
    { from: 'web1', to: 'web2', network: 'fleet', port: 7000 },
    { from: 'web1', to: 'api2', network: 'fleet', port: 7000 },
    { from: 'web3', to: 'api2', network: 'fleet', port: 7000 },
  ],
};

/** The probes of fleet-<v>.e2e.yaml and the connections by name of that version that did not hold, as lines. */
async function failedProbes(v: string): Promise<string[]> {
  const t = topologies(v).list;
  const sandbox = F().sandbox;
  const world: World = { sandbox, topologies: sandbox.hosts.map((h) => t.find((x) => x.host === h.name)!) };
  const matrix = parseMatrix(readFileSync(path.join(HERE, `fleet-${v}.e2e.yaml`), 'utf8'), `fleet-${v}.e2e.yaml`);
  const agents = new Agents();
  try {
    for (const [who, list] of matrix.servers) {
      for (const s of list) {
        const r = await (await agents.get(namespaceOf(world, who))).request({ op: 'listen', label: who, proto: s.proto, port: s.port });
        if (!r.ok) throw new Error(`server ${who} ${s.proto}/${s.port}: ${r.error}`);
      }
    }
    const features = detectFeatures(sandbox.hosts.map((h) => h.ns));
    const results = await Promise.all(matrix.probes.map((p) => runProbe(p, { world, agents, features })));
    const failed = results.filter((r) => r.outcome === 'failed').map((r) => `${r.text}: ${r.detail}`);
    const byName = BY_NAME[v] ?? [];
    await serveByName(agents, world, [...new Set(byName.map((p) => p.to))], 7000);
    return [...failed, ...(await failedByName(agents, world, byName))];
  } finally {
    await agents.close();
  }
}

const hasLink = (h: HostBox, name: string) => check(tool('ip'), ['-n', h.ns, '-o', 'link', 'show']).split('\n').some((l) => new RegExp(`^\\d+: ${name}[@:]`).test(l));

test.before(async () => {
  if (!reason) fleet = await setUp();
});
test.after(() => {
  if (fleet) tearDown(fleet);
});

testOrSkip(reason, 'v1: the first run applies every host; probes across the overlay, by address and by name, hold', async () => {
  const r = await play('v1');
  assert.is(r.code, 0, r.out);
  assert.is(recapLine(r.out), 'h1:changed=1,failed=0,unreachable=0 h2:changed=1,failed=0,unreachable=0 h3:changed=1,failed=0,unreachable=0', r.out);
  for (const h of F().sandbox.hosts) {
    assert.ok(netnsWithPrefix(h.containerPrefix).length > 0, `${h.name} has no container namespace`);
    assert.ok(netnsWithPrefix(`${h.containerPrefix}1-`).length === 2, `${h.name} has the overlay namespaces of ingress and fleet`);
  }
  assert.equal(await failedProbes('v1'), []);
});

testOrSkip(reason, 'v1 again: changed=0 on every host', async () => {
  const r = await play('v1');
  assert.is(r.code, 0, r.out);
  assert.is(recapLine(r.out), 'h1:changed=0,failed=0,unreachable=0 h2:changed=0,failed=0,unreachable=0 h3:changed=0,failed=0,unreachable=0', r.out);
});

testOrSkip(reason, 'v2 under --check --diff: the plan of every host (the new peer in place on h1 and h3), and nothing changed', async () => {
  const before = F().sandbox.hosts.map(snapshot);
  const r = await play('v2', '--check', '--diff');
  assert.is(r.code, 0, r.out);
  assert.is(recapLine(r.out), 'h1:changed=1,failed=0,unreachable=0 h2:changed=1,failed=0,unreachable=0 h3:changed=1,failed=0,unreachable=0', r.out);
  const h2 = hostOutput(r.out, 'h2');
  assert.match(h2, `+ network namespace ${host('h2').containerPrefix}api2`);
  assert.match(h2, `+ link `);
  assert.match(h2, '-A DOCKER -p tcp -m tcp --dport 8081 -j DNAT --to-destination');
  assert.match(h2, /Plan: \d+ to add, \d+ to change, 0 to destroy\./);
  // The other hosts learn api2 as a peer of the overlay (one neighbour, one FDB entry) and by name.
  for (const [name, web] of [['h1', 'web1'], ['h3', 'web3']] as const) {
    const out = hostOutput(r.out, name);
    assert.match(out, new RegExp(`~ overlay ${host(name).containerPrefix}1-\\S+ .*\\n +\\+ neighbour 10\\.\\S+ lladdr \\S+\\n +\\+ fdb \\S+ dst 10\\.77\\.0\\.12\\n`), out);
    assert.match(out, `~ file /etc/netns/${host(name).containerPrefix}${web}/hosts`);
    assert.match(out, 'Plan: 0 to add, 2 to change, 0 to destroy.');
  }
  assert.equal(F().sandbox.hosts.map(snapshot), before, 'a check run changed a host');
});

testOrSkip(reason, 'v2 applied: every host changes; the probes of v2 hold, api2 by name across the overlay', async () => {
  const r = await play('v2');
  assert.is(r.code, 0, r.out);
  assert.is(recapLine(r.out), 'h1:changed=1,failed=0,unreachable=0 h2:changed=1,failed=0,unreachable=0 h3:changed=1,failed=0,unreachable=0', r.out);
  assert.equal(await failedProbes('v2'), []);
});

testOrSkip(reason, "v3 with h3 in the way: h3 fails with netform's message and keeps v2; h1 and h2 are applied", async () => {
  const h3 = host('h3');
  check(tool('ip'), ['-n', h3.ns, 'link', 'add', 'br-backend', 'type', 'bridge']);
  const before = snapshot(h3);
  const r = await play('v3');
  assert.is(r.code, 2, r.out);
  assert.is(recapLine(r.out), 'h1:changed=1,failed=0,unreachable=0 h2:changed=1,failed=0,unreachable=0 h3:changed=0,failed=1,unreachable=0', r.out);
  const failed = hostOutput(r.out, 'h3');
  // netform may first say that it waits for another apply to a host of that name (the lock is the host's).
  assert.match(failed, /^fatal: \[h3\]: FAILED! => .*"msg": "netform apply failed \(exit 1\): (netform: waiting for [^"]*?\\n)?netform: cannot apply to host h3:\\n {2}- link br-backend already exists in the host namespace and netform did not make it"/m, r.out);
  assert.is(snapshot(h3), before, 'the failing host changed');
  for (const name of ['h1', 'h2']) assert.ok(hasLink(host(name), 'br-backend'), `${name} has no br-backend`);
});

testOrSkip(reason, 'state: absent removes what netform made on every host', async () => {
  const r = await play('v3', '-e', 'netform_state=absent');
  assert.is(r.code, 0, r.out);
  assert.is(recapLine(r.out), 'h1:changed=1,failed=0,unreachable=0 h2:changed=1,failed=0,unreachable=0 h3:changed=1,failed=0,unreachable=0', r.out);
  for (const h of F().sandbox.hosts) {
    assert.equal(netnsWithPrefix(h.containerPrefix), [], `${h.name} keeps container namespaces`);
    assert.not.ok(hasLink(h, 'docker0'), `${h.name} keeps docker0`);
  }
  assert.ok(hasLink(host('h3'), 'br-backend'), "h3's own br-backend went");
});

test.run();
