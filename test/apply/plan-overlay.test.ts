// The planner on overlay networks, on its own (pure): an overlay fleet's desired state against made-up
// live states. From empty: the VXLAN device made in the host namespace and moved in before the
// namespaces' insides run, br0 and the ports inside, the FDB entries with `bridge`, the rules inside
// namespaces with iptables-restore, the routing mesh's ipvs tables left out without IPVS. A peer that
// joins or leaves on another host is one neighbour and one FDB entry; a VXLAN device that changes is
// refused; encrypted overlays are refused before anything is read.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.ts';
import { desiredFromBuild, type Desired } from '../../src/apply/index.ts';
import type { FirewallApplier } from '../../src/apply/firewall/applier.ts';
import { makePlan, type PlanInput } from '../../src/apply/planner.ts';
import type { IpBatch, Plan, Step } from '../../src/apply/plan-types.ts';
import type { Applied, Live } from '../../src/apply/types.ts';
import { FIXTURES } from './support.ts';

const target = { host: 'h2', hostNetns: 'h', prefix: 'p-' };
const load = (name: string) => {
  const file = path.join(FIXTURES, name);
  return compile({ file, text: readFileSync(file, 'utf8') }, undefined, { files: false });
};
const v1 = desiredFromBuild(load('overlay-v1.yaml'), target);
const v2 = desiredFromBuild(load('overlay-v2.yaml'), target);

const noFirewall: FirewallApplier = {
  backend: 'iptables',
  readCommands: () => ({}),
  plan: () => ({ backend: 'iptables', changes: [], transactions: [], warnings: [], notes: [], after: { backend: 'iptables' } }),
  commit: () => undefined,
  rollback: () => undefined,
  fingerprint: () => '',
};

/** The live host once `d` is applied: its namespaces and host links (the insides are not read). */
function liveOf(d: Desired | undefined, ipvs = false): Live {
  const links: Live['links'] = Object.fromEntries(
    (d?.network.links ?? []).map((l) => [l.name, l.kind === 'bridge' ? { name: l.name, kind: 'bridge', mac: l.mac, mtu: l.mtu, up: true, addresses: [...l.addresses], peerElsewhere: false } : { name: l.name, kind: 'veth', mac: '02:00:00:00:00:01', mtu: l.mtu, up: true, master: l.master, hairpin: l.hairpin, addresses: [], peerElsewhere: true }]),
  );
  const sysctls: Record<string, string> = { 'net/ipv4/ip_forward': '1', 'net/ipv6/conf/all/forwarding': '0' };
  for (const s of d?.network.sysctls ?? []) sysctls[s.path] = s.value;
  return { namespaces: [...(d?.network.namespaces ?? [])], links, sysctls, files: {}, etcNetnsExists: true, interiors: {}, firewall: { backend: 'iptables', text: {} }, ipvs };
}

function plan(i: Omit<PlanInput, 'target' | 'applier' | 'fingerprint'>): Plan {
  const r = makePlan({ ...i, target, applier: noFirewall, fingerprint: '', only: 'network' });
  if ('conflicts' in r) throw new Error(r.conflicts.join('; '));
  return r.plan;
}

/** Applied state: the plan's own record of what it applied (the IPVS tables it left out are not in it). */
const appliedAfter = (d: Desired): Applied => plan({ desired: d, live: liveOf(undefined) }).after;

/** Every batch of the steps, in order, parallel ones flattened. */
const batches = (steps: readonly Step[]): IpBatch[] => steps.flatMap((s) => (s.kind === 'ip' ? [s.batch] : s.kind === 'parallel' ? s.steps.map((x) => x.batch) : []));
const where = (b: IpBatch) => (typeof b.where === 'object' ? b.where.netns : b.where);

test('from empty: overlay namespaces, the VXLAN device made in the host namespace and moved in, then br0, ports, FDB and rules', () => {
  const p = plan({ desired: v1, live: liveOf(undefined) });
  const all = batches(p.steps);
  const overlay = v1.network.overlays!.find((o) => o.vni === 4097)!;
  assert.ok(all[0]!.lines.includes(`netns add ${overlay.netns}`), 'the overlay namespace is made with the others');
  const host = all.find((b) => b.where === 'host')!;
  const vx = host.lines.indexOf(`link add name ${overlay.vxlan} mtu 1450 type vxlan id 4097 local 10.78.0.12 dstport 4789 learning proxy l2miss l3miss`);
  assert.ok(vx >= 0, host.lines.join('\n'));
  assert.is(host.lines[vx + 1], `link set dev ${overlay.vxlan} netns ${overlay.netns}`);
  assert.ok(host.lines.some((l) => new RegExp(`^link add name veth\\w+ mtu 1450 netns ${overlay.netns} type veth peer name eth0 mtu 1450 netns p-b1$`).test(l)));
  const inside = all.find((b) => where(b) === overlay.netns && !b.program)!;
  assert.equal(inside.lines.slice(0, 8), ['link set dev lo up', 'link add name br0 type bridge', `link set dev br0 address ${overlay.bridgeMac} mtu 1450`, 'addr add 10.0.1.1/24 dev br0 brd +', `link set dev ${overlay.vxlan} name vxlan0`, 'link set dev vxlan0 master br0 mtu 1450', 'link set dev vxlan0 up', 'link set dev br0 up']);
  assert.ok(inside.lines.includes('neigh add 10.0.1.2 lladdr 02:42:0a:00:01:02 dev vxlan0 nud permanent'));
  assert.ok(inside.lines.some((l) => /^link set dev veth\w+ master br0$/.test(l)), 'the ports join br0');
  const fdb = all.find((b) => where(b) === overlay.netns && b.program === 'bridge')!;
  assert.equal(fdb.lines, ['fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.78.0.11', 'fdb replace 02:42:0a:00:01:02 dev vxlan0 dst 10.78.0.11 self permanent']);
  assert.ok(all.indexOf(fdb) > all.indexOf(inside), 'FDB entries once vxlan0 exists');
  const rules = all.filter((b) => b.program === 'iptables-restore');
  assert.equal(rules.map(where).sort(), ['p-ingress_sbox', 'p-web.1']);
  const mesh = rules.find((b) => where(b) === 'p-ingress_sbox')!.lines.join('\n');
  assert.match(mesh, /^\*mangle$/m);
  assert.not.match(mesh, /^\*nat$/m, 'the ipvs table is left out without IPVS');
  assert.ok(p.notes.some((n) => /nat table\(s\) in p-ingress_sbox use the ipvs match/.test(n)), p.notes.join('\n'));
  assert.ok(p.changes.some((c) => c.kind === 'overlay' && c.action === 'create' && c.label.includes('vxlan id 4097 local 10.78.0.12 dstport 4789')));
});

test('with IPVS the routing mesh loads every table', () => {
  const p = plan({ desired: v1, live: liveOf(undefined, true) });
  const mesh = batches(p.steps).find((b) => b.program === 'iptables-restore' && where(b) === 'p-ingress_sbox')!;
  assert.match(mesh.lines.join('\n'), /^\*nat$/m);
});

test('applied again: No changes', () => {
  const p = plan({ desired: v1, last: appliedAfter(v1), live: liveOf(v1) });
  assert.equal(p.changes, []);
  assert.equal(p.steps, []);
});

test('a peer joins on another host: one neighbour and one FDB entry, each with its undo', () => {
  const p = plan({ desired: v2, last: appliedAfter(v1), live: liveOf(v1) });
  assert.equal(p.changes.map((c) => `${c.action} ${c.kind}`), ['update overlay']);
  const [inside, fdb] = batches(p.steps);
  assert.equal(inside!.lines, ['neigh add 10.0.1.6 lladdr 02:42:0a:00:01:06 dev vxlan0 nud permanent']);
  assert.equal(fdb!.lines, ['fdb replace 02:42:0a:00:01:06 dev vxlan0 dst 10.78.0.11 self permanent']);
  const undo = p.steps.flatMap((s) => (s.kind === 'parallel' ? s.steps.flatMap((x) => x.undo.flatMap((u) => u.lines)) : []));
  assert.equal(undo, ['neigh del 10.0.1.6 dev vxlan0', 'fdb del 02:42:0a:00:01:06 dev vxlan0 dst 10.78.0.11 self']);
});

test('a peer leaves: its entries are deleted, and undoing adds them back', () => {
  const p = plan({ desired: v1, last: appliedAfter(v2), live: liveOf(v2) });
  const lines = batches(p.steps).flatMap((b) => b.lines);
  assert.equal(lines, ['neigh del 10.0.1.6 dev vxlan0', 'fdb del 02:42:0a:00:01:06 dev vxlan0 dst 10.78.0.11 self']);
  assert.equal(p.changes[0]!.details, ['- neighbour 10.0.1.6 lladdr 02:42:0a:00:01:06', '- fdb 02:42:0a:00:01:06 dst 10.78.0.11']);
});

test('rules no longer wanted in a namespace that stays: its tables are emptied, undoing loads them again', () => {
  const without: Desired = { ...v1, network: { ...v1.network, netnsRules: v1.network.netnsRules!.filter((r) => r.netns !== 'p-web.1') } };
  const p = plan({ desired: without, last: appliedAfter(v1), live: liveOf(v1) });
  const step = p.steps.find((s) => s.kind === 'ip' && s.batch.program === 'iptables-restore') as Extract<Step, { kind: 'ip' }>;
  assert.ok(step.batch.lines.every((l) => /^(\*\w+|:\w+ ACCEPT \[0:0\]|COMMIT)$/.test(l)), step.batch.lines.join('\n'));
  assert.match(step.undo[0]!.lines.join('\n'), /-A PREROUTING -d 10\.0\.0\.\d+\/32 -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 80/);
  assert.equal(p.changes.map((c) => `${c.action} ${c.label}`), ['delete rules in p-web.1 (iptables raw, filter, nat)']);
});

test('destroy: the namespaces go with everything in them; undoing makes the overlays, their veths and the rules again', () => {
  const p = plan({ last: appliedAfter(v1), live: liveOf(v1) });
  const remove = p.steps.find((s) => s.kind === 'ip' && s.label.startsWith('remove ')) as Extract<Step, { kind: 'ip' }>;
  assert.ok(v1.network.overlays!.every((o) => remove.batch.lines.includes(`netns del ${o.netns}`)));
  const undo = remove.undo.flatMap((u) => u.lines);
  for (const o of v1.network.overlays!) assert.ok(undo.includes(`link set dev ${o.vxlan} netns ${o.netns}`), `${o.netns} is made again`);
  assert.ok(remove.undo.some((u) => u.program === 'bridge'), 'with its FDB entries');
  assert.ok(remove.undo.some((u) => u.program === 'iptables-restore' && where(u) === 'p-web.1'), 'and the rules');
  assert.ok(p.changes.filter((c) => c.kind === 'overlay').every((c) => c.action === 'delete'));
});

test('a VXLAN device that changes is refused with what to do', () => {
  const moved: Desired = { ...v1, network: { ...v1.network, overlays: v1.network.overlays!.map((o) => ({ ...o, local: '10.78.0.99' })) } };
  const r = makePlan({ desired: moved, last: appliedAfter(v1), live: liveOf(v1), target, applier: noFirewall, fingerprint: '' });
  assert.ok('conflicts' in r);
  assert.match(r.conflicts.join('\n'), /local 10\.78\.0\.12 -> 10\.78\.0\.99.*run netform destroy, then apply/);
});

test('encrypted overlays are refused with a clear message', () => {
  const yaml = readFileSync(path.join(FIXTURES, 'overlay-v1.yaml'), 'utf8').replace('    attachable: true\n', '    attachable: true\n    driver_opts: {encrypted: ""}\n');
  const r = compile({ file: 'encrypted.yaml', text: yaml }, undefined, { files: false, requireSecrets: false });
  assert.throws(() => desiredFromBuild(r, target), /plan and apply do not manage encrypted overlays \(mesh: ESP security associations and policies\) yet; use setup\.sh and teardown\.sh/);
});

test('macvlan: each container link made on its parent in its namespace; a parent the host lacks is refused', () => {
  const file = path.join(FIXTURES, '..', '..', 'scenarios', 'e2e-macvlan.yaml');
  const d = desiredFromBuild(compile({ file, text: readFileSync(file, 'utf8') }, undefined, { files: false }), { ...target, host: 'local' });
  const parent = { name: 'eth1', kind: 'veth', mac: '02:00:00:00:e1:01', mtu: 1500, up: true, addresses: [], peerElsewhere: false };
  const live = { ...liveOf(undefined), links: { eth1: parent } };
  const host = batches(plan({ desired: d, live }).steps).find((b) => b.where === 'host')!;
  assert.ok(host.lines.includes('link add link eth1 name eth0 mtu 1500 netns p-printer type macvlan mode bridge'), host.lines.join('\n'));
  const r = makePlan({ desired: d, live: liveOf(undefined), target, applier: noFirewall, fingerprint: '' });
  assert.ok('conflicts' in r && r.conflicts.includes('the macvlan parent eth1 of p-printer eth0 is not a link of the host'));
});

test.run();
