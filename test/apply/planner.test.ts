// The planner on its own (pure): desired + live + last apply -> changes and steps. Live states are made
// up here as data, from the builds of the fixtures' versions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FirewallApplier } from '../../src/apply/firewall/applier.ts';
import { makePlan, type PlanInput } from '../../src/apply/planner.ts';
import type { Plan, Step } from '../../src/apply/plan-types.ts';
import { filePath } from '../../src/apply/plan-settings.ts';
import type { Applied, Desired, Live, LiveLink } from '../../src/apply/types.ts';
import { desiredOf } from './support.ts';

const target = { host: 'local', hostNetns: 'h', prefix: 'p-' };
const v1 = desiredOf('v1', target);
const v2 = desiredOf('v2', target);

/** A firewall applier that has nothing to do: these tests are about the network and files. */
const noFirewall: FirewallApplier = {
  backend: 'iptables',
  readCommands: () => ({}),
  plan: () => ({ backend: 'iptables', changes: [], transactions: [], warnings: [], notes: [], after: { backend: 'iptables' } }),
  commit: () => undefined,
  rollback: () => undefined,
  fingerprint: () => '',
};

/** The live host once `d` is applied (and `extra` links of someone else's). */
function liveOf(d: Desired | undefined, sysctls: Record<string, string> = {}, extra: LiveLink[] = []): Live {
  const links: Record<string, LiveLink> = {};
  for (const l of d?.network.links ?? []) {
    links[l.name] =
      l.kind === 'bridge'
        ? { name: l.name, kind: 'bridge', mac: l.mac, mtu: l.mtu, up: true, addresses: [...l.addresses], peerElsewhere: false }
        : { name: l.name, kind: 'veth', mac: '02:00:00:00:00:01', mtu: l.mtu, up: true, master: l.master, hairpin: l.hairpin, addresses: [], peerElsewhere: true };
  }
  for (const l of extra) links[l.name] = l;
  const files: Record<string, string> = {};
  for (const f of d?.network.files ?? []) files[filePath(f)] = f.text;
  const sys: Record<string, string> = { 'net/ipv4/ip_forward': '0', 'net/ipv6/conf/all/forwarding': '0', ...sysctls };
  for (const s of d?.network.sysctls ?? []) sys[s.path] = s.value;
  return { namespaces: [...(d?.network.namespaces ?? [])], links, sysctls: sys, files, etcNetnsExists: true, interiors: {}, firewall: { backend: 'iptables', text: {} } };
}

const applied = (d: Desired, sysctlsBefore: Record<string, string> = {}): Applied => ({ format_version: 1, target, network: d.network, firewall: null, sysctlsBefore, madeEtcNetns: false });

function plan(i: Omit<PlanInput, 'target' | 'applier' | 'fingerprint'>): Plan {
  const r = makePlan({ ...i, target, applier: noFirewall, fingerprint: '' });
  if ('conflicts' in r) throw new Error(r.conflicts.join('; '));
  return r.plan;
}

const kinds = (steps: readonly Step[]) => steps.map((s) => s.kind);

test('from empty: namespaces first, then host links, sysctls, the namespaces inside, files', () => {
  const p = plan({ desired: v1, live: liveOf(undefined, { 'net/ipv4/ip_forward': '0' }) });
  assert.equal(kinds(p.steps), ['ip', 'ip', 'sysctl', 'parallel', 'files']);
  const [ns, host] = p.steps as Extract<Step, { kind: 'ip' }>[];
  assert.equal(ns!.batch.where, 'current');
  assert.ok(ns!.batch.lines.every((l) => l.startsWith('netns add p-')));
  assert.equal(host!.batch.where, 'host');
  assert.ok(host!.batch.lines.findIndex((l) => / type veth /.test(l)) > host!.batch.lines.findIndex((l) => / type bridge$/.test(l)), 'bridges before the veths that name them');
  assert.equal(p.after.sysctlsBefore, { 'net/ipv4/ip_forward': '0' }, 'the value netform replaced is remembered');
  assert.is(p.summary.destroy, 0);
});

test('unchanged: no change, no step', () => {
  const p = plan({ desired: v1, live: liveOf(v1), last: applied(v1) });
  assert.equal(p.changes, []);
  assert.equal(p.steps, []);
});

test('one container more touches only its objects', () => {
  const p = plan({ desired: v2, live: liveOf(v1), last: applied(v1) });
  const network = p.changes.filter((c) => c.part === 'network');
  assert.ok(network.length > 0 && network.every((c) => c.action === 'create' && (c.label.includes('p-cache') || /^link veth/.test(c.label))), network.map((c) => c.label).join('\n'));
  const inside = p.steps.find((s) => s.kind === 'parallel') as Extract<Step, { kind: 'parallel' }>;
  assert.equal(inside.steps.map((s) => s.batch.where), [{ netns: 'p-cache' }]);
});

test('a link of the same name that netform did not make is a conflict; nothing is planned', () => {
  const name = v1.network.links.find((l) => l.kind === 'bridge')!.name;
  const r = makePlan({ desired: v1, live: liveOf(undefined, {}, [{ name, kind: 'bridge', mac: 'x', mtu: 1500, up: true, addresses: [], peerElsewhere: false }]), target, applier: noFirewall, fingerprint: '' });
  assert.ok('conflicts' in r);
  assert.match((r as { conflicts: string[] }).conflicts[0]!, new RegExp(`link ${name} already exists`));
});

test('drift: a link netform made and someone deleted is made again, marked; a changed MTU is set back', () => {
  const live = liveOf(v1);
  const [bridge, veth] = [v1.network.links.find((l) => l.kind === 'bridge')!, v1.network.links.find((l) => l.kind === 'veth')!];
  delete (live.links as Record<string, LiveLink>)[veth.name];
  (live.links as Record<string, LiveLink>)[bridge.name] = { ...live.links[bridge.name]!, mtu: 1400 };
  const p = plan({ desired: v1, live, last: applied(v1) });
  const byId = new Map(p.changes.map((c) => [c.id, c]));
  assert.equal([byId.get(`link/${veth.name}`)?.action, byId.get(`link/${veth.name}`)?.drift], ['create', true]);
  assert.equal([byId.get(`link/${bridge.name}`)?.action, byId.get(`link/${bridge.name}`)?.drift, byId.get(`link/${bridge.name}`)?.details], ['update', true, ['mtu 1400 -> 1500']]);
  const host = p.steps.find((s) => s.kind === 'ip' && s.batch.where === 'host') as Extract<Step, { kind: 'ip' }>;
  assert.ok(host.undo.some((b) => b.lines.includes(`link set dev ${bridge.name} mtu 1400`)), 'undo sets the MTU found back');
});

test('destroy: files, then namespaces, the wait for their veths, bridges, and the sysctls put back last', () => {
  const p = plan({ live: liveOf(v1, { 'net/ipv4/ip_forward': '1' }), last: applied(v1, { 'net/ipv4/ip_forward': '0' }) });
  assert.equal(kinds(p.steps), ['files', 'ip', 'wait-gone', 'ip', 'sysctl']);
  const restore = p.steps.at(-1) as Extract<Step, { kind: 'sysctl' }>;
  assert.equal(restore.set, [{ path: 'net/ipv4/ip_forward', value: '0' }]);
  assert.equal(p.after.sysctlsBefore, {});
  assert.is(p.summary.add, 0);
  assert.ok(p.summary.destroy > 0);
});

test('two veths of one container trading names inside it: both go before either is made again', () => {
  const v3 = desiredOf('v3', target);
  const swap = (n: string) => (n === 'eth0' ? 'eth1' : n === 'eth1' ? 'eth0' : n);
  const ns = 'p-cache';
  const swapped: Desired = {
    ...v3,
    network: {
      ...v3.network,
      links: v3.network.links.map((l) => (l.kind === 'veth' && l.peer.netns === ns ? { ...l, peer: { ...l.peer, ifname: swap(l.peer.ifname) } } : l)),
      interfaces: v3.network.interfaces.map((i) => (i.netns === ns ? { ...i, ifname: swap(i.ifname) } : i)),
      routes: v3.network.routes.map((r) => (r.netns === ns ? { ...r, device: swap(r.device) } : r)),
    },
  };
  const p = plan({ desired: swapped, live: liveOf(v3), last: applied(v3) });
  const host = p.steps.find((s) => s.kind === 'ip' && s.batch.where === 'host') as Extract<Step, { kind: 'ip' }>;
  const firstAdd = host.batch.lines.findIndex((l) => l.startsWith('link add'));
  assert.equal(host.batch.lines.slice(0, firstAdd).filter((l) => l.startsWith('link del')).length, 2, host.batch.lines.join('\n'));
  assert.equal(p.changes.filter((c) => c.kind === 'link').map((c) => c.action), ['replace', 'replace']);
});

test('a host sysctl changed by someone since netform set it is left as it is', () => {
  const p = plan({ live: liveOf(v1, { 'net/ipv4/ip_forward': '1' }), last: applied({ ...v1, network: { ...v1.network, sysctls: v1.network.sysctls.map((s) => (s.path === 'net/ipv4/ip_forward' ? { ...s, value: '2' } : s)) } }, { 'net/ipv4/ip_forward': '0' }) });
  assert.not.ok(p.steps.some((s) => s.kind === 'sysctl'));
  assert.ok(p.notes.some((n) => /ip_forward stays 1/.test(n)));
});

test.run();
