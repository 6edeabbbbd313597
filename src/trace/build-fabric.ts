// Topologies (one per host) and the world around them -> the fabric the tracer walks (fabric.ts).
// Everything here is what setup.sh creates, read back from the IR: the bridges with their addresses and
// ports, each container's namespace with its interfaces and default routes, the overlay namespaces with
// br0 and vxlan0 and their static peers, macvlan/ipvlan children on their parents, the sysctls that
// decide forwarding, br_netfilter and route_localnet; plus the world's uplinks, LANs and underlay.
import type { ContainerNode, Endpoint, Sysctl, Topology } from '../topology/types.ts';
import { formatNetwork, parsePrefix } from '../net/address.ts';
import { Ns, type Fabric, type Iface, type Segment, type Setting, type VxlanPeer } from './fabric.ts';
import { iptablesFirewall } from './iptables.ts';
import type { Firewall } from './netfilter.ts';
import { addressOf } from './packet.ts';
import type { HostWorld, TraceWorld } from './types.ts';

class Segments {
  readonly all = new Map<string, Segment>();
  get(name: string): Segment {
    let s = this.all.get(name);
    if (!s) this.all.set(name, (s = { name, members: [] }));
    return s;
  }
  attach(i: Iface, name: string): void {
    const s = this.get(name);
    i.segment = s;
    s.members.push(i);
  }
}

const key = (s: Sysctl) => s.key.join('.');

/** What the host's sysctls fix: forwarding, br_netfilter, route_localnet, interfaces without IPv6. */
function applySysctls(ns: Ns, t: Topology): Set<string> {
  const noIPv6 = new Set<string>();
  const fixed = { forward4: false, forward6: false, br4: false, br6: false };
  for (const s of [...t.hostSysctls, ...t.bridges.flatMap((b) => b.sysctls)]) {
    const k = key(s);
    const on = s.value === '1';
    if (k === 'net.ipv4.ip_forward') [fixed.forward4, ns.forward[4]] = [true, on];
    else if (k === 'net.ipv6.conf.all.forwarding') [fixed.forward6, ns.forward[6]] = [true, on];
    else if (k === 'net.bridge.bridge-nf-call-iptables') [fixed.br4, ns.brNetfilter[4]] = [true, on];
    else if (k === 'net.bridge.bridge-nf-call-ip6tables') [fixed.br6, ns.brNetfilter[6]] = [true, on];
    else if (s.key.length === 5 && s.key[4] === 'route_localnet' && on) ns.routeLocalnet.add(s.key[3]!);
    else if (s.key.length === 5 && s.key[4] === 'disable_ipv6' && on) noIPv6.add(s.key[3]!);
  }
  const unset = (v: Setting, isFixed: boolean, fact: Setting): Setting => (isFixed ? v : fact);
  ns.forward = { 4: unset(ns.forward[4], fixed.forward4, 'forward4'), 6: unset(ns.forward[6], fixed.forward6, 'forward6') };
  ns.brNetfilter = { 4: unset(ns.brNetfilter[4], fixed.br4, 'brNetfilter'), 6: unset(ns.brNetfilter[6], fixed.br6, 'brNetfilter') };
  return noIPv6;
}

function hostFirewall(t: Topology): Firewall | undefined {
  const fw = t.firewall;
  if (fw.backend === 'iptables') return fw.v4 || fw.v6 ? iptablesFirewall(fw.v4, fw.v6) : undefined;
  return undefined;
}

function loopback(ns: Ns): void {
  ns.addIface('lo', 'lo', ['127.0.0.1/8', '::1/128']);
}

/** A host's namespace: lo, bridges, its world links (uplink, underlay, LANs), its parent links. */
function hostNamespace(t: Topology, hw: HostWorld | undefined, world: TraceWorld, segments: Segments): Ns {
  const ns = new Ns(`host ${t.host}`, `host ${t.host}`, { kind: 'host', host: t.host });
  ns.topology = t;
  loopback(ns);
  const noIPv6 = applySysctls(ns, t);
  for (const b of t.bridges) {
    const addrs = b.addresses.filter((a) => !(noIPv6.has(b.name) && a.includes(':')));
    ns.addIface(b.name, 'bridge', addrs, { ports: [], origin: b.origin });
  }
  if (hw) {
    const up = ns.addIface(hw.uplink.ifname, 'link', [hw.uplink.v4, hw.uplink.v6].filter((x): x is string => !!x));
    segments.attach(up, 'uplink');
    // The underlay address may sit on the uplink itself (a plain host), or on a link of its own.
    if (hw.underlay && hw.underlay.ifname === hw.uplink.ifname) ns.addAddress(up, hw.underlay.address);
    else if (hw.underlay) segments.attach(ns.addIface(hw.underlay.ifname, 'link', [hw.underlay.address]), 'underlay');
  }
  for (const name of Object.keys(world.lans)) {
    const address = hw?.lans?.[name];
    const hasChildren = t.endpoints.some((e) => e.attachment && e.attachment.kind !== 'overlay' && e.attachment.parent === name);
    if (address === undefined && !hasChildren && !(t.parentLinks ?? []).some((l) => l.link === name)) continue;
    segments.attach(ns.ifaces.get(name) ?? ns.addIface(name, 'link', address ? [address] : []), `lan ${name}`);
  }
  for (const l of t.parentLinks ?? []) {
    if (!ns.ifaces.has(l.name)) segments.attach(ns.addIface(l.name, 'link'), `link ${t.host} ${l.name}`);
  }
  ns.firewall = hostFirewall(t);
  return ns;
}

/** An overlay's namespace on a host: br0 with the gateways, vxlan0 as a port, its remote peers. */
function overlayNamespace(t: Topology, o: NonNullable<Topology['overlays']>[number]): Ns {
  const ns = new Ns(`overlay ${t.host} ${o.network}`, `overlay ${o.network} (${t.host})`, { kind: 'overlay', host: t.host, network: o.network });
  loopback(ns);
  const br0 = ns.addIface('br0', 'bridge', o.bridgeAddresses, { ports: [], origin: o.origin });
  const peers = new Map<string, VxlanPeer>();
  for (const p of o.peers) for (const ip of [p.ipv4, p.ipv6]) if (ip) peers.set(ip, { host: p.host, vtep: p.vtep, container: p.container });
  const vxlan0 = ns.addIface('vxlan0', 'vxlan', [], {
    master: br0,
    vxlan: { vni: o.vni, port: o.port, ...(o.local ? { local: o.local } : {}), peers, network: o.network },
    origin: o.origin,
  });
  br0.ports!.push(vxlan0);
  ns.connect();
  return ns;
}

const containerLabel = (c: ContainerNode, t: Topology, several: boolean) => (c.sandbox && several ? `container ${c.name} (${t.host})` : `container ${c.name}`);

function endpointAddrs(e: Endpoint): string[] {
  return [...(e.ipv4 ? [`${e.ipv4}/${e.ipv4PrefixLength ?? 32}`] : []), ...(e.ipv6 ? [`${e.ipv6}/${e.ipv6PrefixLength ?? 128}`] : [])];
}

/** Wires one endpoint: the container's interface and what it is joined to. */
function attachEndpoint(e: Endpoint, cns: Ns, host: Ns, overlays: ReadonlyMap<string, Ns>, segments: Segments, t: Topology): void {
  const a = e.attachment;
  if (!a) {
    const inside = cns.addIface(e.ifname, 'veth', endpointAddrs(e), { origin: e.origin });
    const bridge = host.ifaces.get(e.bridge);
    const outside = host.addIface(e.hostIfname, 'veth', [], { peer: inside, hairpin: e.hairpin, origin: e.origin, ...(bridge ? { master: bridge } : {}) });
    inside.peer = outside;
    bridge?.ports!.push(outside);
    return;
  }
  if (a.kind === 'overlay') {
    const ov = overlays.get(e.network);
    const inside = cns.addIface(e.ifname, 'veth', endpointAddrs(e), { origin: e.origin });
    if (!ov) return;
    const br0 = ov.ifaces.get('br0')!;
    const port = ov.addIface(e.hostIfname, 'veth', [], { peer: inside, master: br0, origin: e.origin });
    inside.peer = port;
    br0.ports!.push(port);
    return;
  }
  let parent = host.ifaces.get(a.parent);
  if (!parent) {
    parent = host.addIface(a.parent, 'link');
    segments.attach(parent, `link ${t.host} ${a.parent}`);
  }
  const child = cns.addIface(e.ifname, a.kind, endpointAddrs(e), { child: { parent, driver: a.kind, mode: a.mode }, origin: e.origin });
  segments.attach(child, parent.segment!.name);
}

function containerNamespaces(t: Topology, host: Ns, overlays: ReadonlyMap<string, Ns>, segments: Segments, several: boolean): Map<string, { ns: Ns; node: ContainerNode }> {
  const own = new Map<string, { ns: Ns; node: ContainerNode }>();
  for (const c of t.containers) {
    if (c.networking.kind !== 'netns') continue;
    const ns = new Ns(`container ${t.host} ${c.name}`, containerLabel(c, t, several), { kind: 'container', host: t.host, container: c.name });
    ns.container = c;
    loopback(ns);
    if (c.firewall?.v4) ns.firewall = iptablesFirewall(c.firewall.v4, undefined);
    if (c.loadBalancer) {
      ns.ipvs = { marks: new Set(c.loadBalancer.services.map((s) => s.fwMark)), vips: new Set(c.loadBalancer.vips.map(addressOf)) };
    }
    own.set(c.name, { ns, node: c });
  }
  for (const e of t.endpoints) {
    const c = own.get(e.container);
    if (c) attachEndpoint(e, c.ns, host, overlays, segments, t);
  }
  for (const { ns, node } of own.values()) {
    ns.connect();
    for (const r of node.routes) {
      const dev = ns.ifaces.get(r.device);
      if (dev) ns.addRoute({ family: r.family, length: 0, dev, ...(r.via ? { via: r.via } : {}) });
    }
  }
  return own;
}

/** The outside: its uplink address, its LAN addresses, its routes through the hosts. */
function outsideNamespace(world: TraceWorld, segments: Segments): Ns {
  const ns = new Ns('outside', 'outside', { kind: 'outside' });
  loopback(ns);
  segments.attach(ns.addIface('eth0', 'link', [world.outside.v4, world.outside.v6].filter((x): x is string => !!x)), 'uplink');
  for (const [name, lan] of Object.entries(world.lans)) segments.attach(ns.addIface(`lan-${name}`, 'link', lan.outside ? [lan.outside] : []), `lan ${name}`);
  ns.ownsTheRest = world.outsideOwnsTheRest;
  return ns;
}

function outsideRoutes(outside: Ns, world: TraceWorld, topologies: readonly Topology[]): void {
  const eth0 = outside.ifaces.get('eth0')!;
  const via = (host: string, family: 4 | 6) => {
    const up = world.hosts[host]?.uplink;
    const cidr = family === 4 ? up?.v4 : up?.v6;
    return cidr ? addressOf(cidr) : undefined;
  };
  const routes = world.outsideRoutes === 'all'
    ? topologies.flatMap((t) => t.bridges.flatMap((b) => b.addresses.map((a) => ({ cidr: formatNetwork(parsePrefix(a)!), host: t.host }))))
    : world.outsideRoutes;
  for (const r of routes) {
    const p = parsePrefix(r.cidr);
    const gw = p && via(r.host, p.family);
    if (p && gw) outside.addRoute({ family: p.family, cidr: r.cidr, length: p.length, dev: eth0, via: gw });
  }
}

export function buildFabric(topologies: readonly Topology[], world: TraceWorld): Fabric {
  const segments = new Segments();
  const outside = outsideNamespace(world, segments);
  const hosts = new Map<string, Ns>();
  const containers = new Map<string, { host: string; ns: Ns; node: ContainerNode }[]>();
  const namespaces: Ns[] = [outside];
  const several = topologies.length > 1;
  for (const t of topologies) {
    const host = hostNamespace(t, world.hosts[t.host], world, segments);
    hosts.set(t.host, host);
    namespaces.push(host);
    const overlays = new Map((t.overlays ?? []).map((o) => [o.network, overlayNamespace(t, o)] as const));
    namespaces.push(...overlays.values());
    const own = containerNamespaces(t, host, overlays, segments, several);
    host.connect();
    for (const c of t.containers) {
      let target = c;
      for (let hops = 0; target.networking.kind === 'shared' && hops < 16; hops++) target = t.containers.find((x) => x.name === (target.networking as { container: string }).container) ?? target;
      const ns = target.networking.kind === 'host' ? host : own.get(target.name)?.ns;
      if (!ns) continue;
      const list = containers.get(c.name) ?? [];
      list.push({ host: t.host, ns, node: c });
      containers.set(c.name, list);
    }
    namespaces.push(...[...own.values()].map((x) => x.ns));
  }
  outside.connect();
  outsideRoutes(outside, world, topologies);
  if (world.hostDefaultRoute) {
    const eth0 = outside.ifaces.get('eth0')!;
    for (const [name, ns] of hosts) {
      const up = world.hosts[name]?.uplink;
      const dev = up && ns.ifaces.get(up.ifname);
      if (!dev) continue;
      for (const a of eth0.addrs) ns.addRoute({ family: a.family, length: 0, dev, via: a.address });
    }
  }
  const fleetAddresses = new Set<string>();
  for (const ns of namespaces) if (ns !== outside) for (const a of ns.locals) fleetAddresses.add(a);
  return { namespaces, hosts, containers, outside, topologies, fleetAddresses };
}
