// Topologies (one per host) and the world around them -> the fabric the tracer walks (fabric.ts).
// Everything here is what setup.sh creates, read back from the IR: the bridges with their addresses and
// ports, each container's namespace with its interfaces and default routes, the overlay namespaces with
// br0 and vxlan0 and their static peers, macvlan/ipvlan children on their parents, the sysctls that
// decide forwarding, br_netfilter and route_localnet; plus the world's uplinks, LANs and underlay.
// A container's namespace (and its veth's host end) is made when a walk first needs it.
import type { ContainerNode, Endpoint, Topology } from '../topology/types.ts';
import { Ns, type ContainerRef, type Fabric, type Iface, type Segment, type VxlanPeer } from './fabric.ts';
import { applySysctls, hostFirewall } from './host-settings.ts';
import { iptablesFirewall } from './iptables.ts';
import { lanEndpoints, ListIndex } from './list-index.ts';
import { addressOf, cidrTest, networkText } from './packet.ts';
import type { HostWorld, TraceWorld } from './types.ts';

class Segments {
  private readonly all = new Map<string, Segment>();
  attach(i: Iface, name: string): void {
    let s = this.all.get(name);
    if (!s) this.all.set(name, (s = { name, members: [] }));
    i.segment = s;
    s.members.push(i);
  }
}

function loopback(ns: Ns): void {
  ns.addIface('lo', 'lo', ['127.0.0.1/8', '::1/128']);
}

const endpointAddrs = (e: Endpoint): string[] => [
  ...(e.ipv4 ? [`${e.ipv4}/${e.ipv4PrefixLength ?? 32}`] : []),
  ...(e.ipv6 ? [`${e.ipv6}/${e.ipv6PrefixLength ?? 128}`] : []),
];

/** One host of the fleet: its namespace, its overlays, and indexes of its endpoints. */
interface HostIndex {
  readonly t: Topology;
  readonly ns: Ns;
  readonly overlays: ReadonlyMap<string, Ns>;
  /** Endpoints by address, and by the container whose namespace they are in. */
  readonly byAddress: ListIndex<Endpoint, 'ipv4' | 'ipv6'>;
  readonly byContainer: ListIndex<Endpoint, 'container'>;
  readonly nodes: ListIndex<ContainerNode, 'name'>;
  /** Container namespaces made so far, by owner name. */
  readonly made: Map<string, Ns>;
}

/** A host's namespace: lo, bridges, its world links (uplink, underlay, LANs), its parent links. */
function hostNamespace(t: Topology, hw: HostWorld | undefined, world: TraceWorld, segments: Segments): Ns {
  const ns = new Ns(`host ${t.host}`, `host ${t.host}`, { kind: 'host', host: t.host });
  ns.topology = t;
  loopback(ns);
  const noIPv6 = applySysctls(ns, t);
  for (const b of t.bridges) ns.addIface(b.name, 'bridge', b.addresses.filter((a) => !(noIPv6.has(b.name) && a.includes(':'))), { origin: b.origin });
  if (hw) {
    const up = ns.addIface(hw.uplink.ifname, 'link', [hw.uplink.v4, hw.uplink.v6, ...(hw.addresses ?? [])].filter((x): x is string => !!x));
    segments.attach(up, 'uplink');
    // The underlay address may sit on the uplink itself (a plain host), or on a link of its own.
    if (hw.underlay && hw.underlay.ifname === hw.uplink.ifname) ns.addAddress(up, hw.underlay.address);
    else if (hw.underlay) segments.attach(ns.addIface(hw.underlay.ifname, 'link', [hw.underlay.address]), 'underlay');
  }
  for (const name of Object.keys(world.lans)) {
    const address = hw?.lans?.[name];
    const used = lanEndpoints(t).some((e) => e.attachment.parent === name) || (t.parentLinks ?? []).some((l) => l.link === name);
    if (address === undefined && !used) continue;
    segments.attach(ns.ifaces.get(name) ?? ns.addIface(name, 'link', address ? [address] : []), `lan ${name}`);
  }
  for (const l of t.parentLinks ?? []) if (!ns.ifaces.has(l.name)) segments.attach(ns.addIface(l.name, 'link'), `link ${t.host} ${l.name}`);
  ns.firewall = hostFirewall(t);
  return ns;
}

/** An overlay's namespace on a host: br0 with the gateways, vxlan0 as a port, its remote peers. */
function overlayNamespace(t: Topology, o: NonNullable<Topology['overlays']>[number]): Ns {
  const ns = new Ns(`overlay ${t.host} ${o.network}`, `overlay ${o.network} (${t.host})`, { kind: 'overlay', host: t.host, network: o.network });
  loopback(ns);
  const br0 = ns.addIface('br0', 'bridge', o.bridgeAddresses, { origin: o.origin });
  const peers = new Map<string, VxlanPeer>();
  for (const p of o.peers) for (const ip of [p.ipv4, p.ipv6]) if (ip) peers.set(ip, { host: p.host, vtep: p.vtep, container: p.container });
  ns.addIface('vxlan0', 'vxlan', [], { master: br0, vxlan: { vni: o.vni, port: o.port, ...(o.local ? { local: o.local } : {}), peers, network: o.network }, origin: o.origin });
  ns.connect();
  return ns;
}

class LazyFabric implements Fabric {
  readonly hosts = new Map<string, Ns>();
  readonly outside: Ns;
  private readonly index = new Map<string, HostIndex>();
  private readonly endpointsOfNs = new WeakMap<Ns, readonly Endpoint[]>();
  private readonly segments = new Segments();

  constructor(
    readonly topologies: readonly Topology[],
    private readonly world: TraceWorld,
  ) {
    this.outside = this.outsideNamespace();
    for (const t of topologies) {
      const ns = hostNamespace(t, world.hosts[t.host], world, this.segments);
      this.hosts.set(t.host, ns);
      const h: HostIndex = {
        t,
        ns,
        overlays: new Map((t.overlays ?? []).map((o) => [o.network, overlayNamespace(t, o)] as const)),
        byAddress: new ListIndex(t.endpoints, ['ipv4', 'ipv6']),
        byContainer: new ListIndex(t.endpoints, ['container']),
        nodes: new ListIndex(t.containers, ['name']),
        made: new Map(),
      };
      this.index.set(t.host, h);
      // macvlan/ipvlan children join their segment now: a walk finds them there by address.
      for (const e of lanEndpoints(t)) this.made(h, e.container);
      ns.connect();
    }
    this.outside.connect();
    this.outsideRoutes();
    if (world.hostDefaultRoute) this.defaultRoutes();
  }

  private outsideNamespace(): Ns {
    const ns = new Ns('outside', 'outside', { kind: 'outside' });
    loopback(ns);
    const w = this.world;
    this.segments.attach(ns.addIface('eth0', 'link', [w.outside.v4, w.outside.v6].filter((x): x is string => !!x)), 'uplink');
    for (const [name, lan] of Object.entries(w.lans)) this.segments.attach(ns.addIface(`lan-${name}`, 'link', lan.outside ? [lan.outside] : []), `lan ${name}`);
    ns.ownsTheRest = w.outsideOwnsTheRest;
    ns.forward = { 4: w.outsideForwards, 6: w.outsideForwards };
    return ns;
  }

  private outsideRoutes(): void {
    const eth0 = this.outside.ifaces.get('eth0')!;
    const routes = [
      ...(this.world.outsideRoutes === 'all'
        ? this.topologies.flatMap((t) => t.bridges.flatMap((b) => b.addresses.map((a) => ({ cidr: networkText(a), host: t.host }))))
        : this.world.outsideRoutes),
      // The hosts' other addresses are reached through their uplinks.
      ...Object.entries(this.world.hosts).flatMap(([host, hw]) => (hw.addresses ?? []).map((cidr) => ({ cidr, host }))),
    ];
    const gateways = new Map<string, string>();
    for (const r of routes) {
      const p = r.cidr.includes('/') ? cidrTest(r.cidr) : undefined;
      const up = this.world.hosts[r.host]?.uplink;
      const cidr = p?.family === 4 ? up?.v4 : up?.v6;
      if (!p || !cidr) continue;
      let via = gateways.get(cidr);
      if (via === undefined) gateways.set(cidr, (via = addressOf(cidr)));
      this.outside.addRoute({ family: p.family, cidr: r.cidr, length: p.prefix.length, dev: eth0, via });
    }
  }

  private defaultRoutes(): void {
    const eth0 = this.outside.ifaces.get('eth0')!;
    for (const [name, ns] of this.hosts) {
      const up = this.world.hosts[name]?.uplink;
      const dev = up && ns.ifaces.get(up.ifname);
      if (dev) for (const a of eth0.addrs) ns.addRoute({ family: a.family, length: 0, dev, via: a.address });
    }
  }

  containersNamed(name: string): readonly ContainerRef[] {
    const out: ContainerRef[] = [];
    for (const [host, h] of this.index) {
      const node = h.nodes.find(name);
      if (node) out.push({ host, node });
    }
    return out;
  }

  namespaceOf(ref: ContainerRef): Ns {
    const h = this.index.get(ref.host)!;
    let c = ref.node;
    for (let hops = 0; c.networking.kind === 'shared' && hops < 16; hops++) c = h.nodes.find(c.networking.container) ?? c;
    return c.networking.kind === 'netns' ? this.made(h, c.name) : h.ns;
  }

  endpointsIn(ns: Ns): readonly Endpoint[] {
    return this.endpointsOfNs.get(ns) ?? [];
  }

  /** The namespace of container `name` of host `h`, made on first use with its interfaces and routes. */
  private made(h: HostIndex, name: string): Ns {
    let ns = h.made.get(name);
    if (ns) return ns;
    const node = h.nodes.find(name)!;
    const several = this.topologies.length > 1 && !!node.sandbox;
    ns = new Ns(`container ${h.t.host} ${name}`, `container ${name}${several ? ` (${h.t.host})` : ''}`, { kind: 'container', host: h.t.host, container: name });
    h.made.set(name, ns);
    ns.container = node;
    loopback(ns);
    if (node.firewall?.v4) ns.firewall = iptablesFirewall(node.firewall.v4, undefined);
    if (node.loadBalancer) ns.ipvs = { marks: new Set(node.loadBalancer.services.map((s) => s.fwMark)), vips: new Set(node.loadBalancer.vips.map(addressOf)) };
    const eps = h.byContainer.all(name);
    this.endpointsOfNs.set(ns, eps);
    for (const e of eps) this.attach(e, ns, h);
    ns.connect();
    for (const r of node.routes) {
      const dev = ns.ifaces.get(r.device);
      if (dev) ns.addRoute({ family: r.family, length: 0, dev, ...(r.via ? { via: r.via } : {}) });
    }
    return ns;
  }

  /** Wires one endpoint: the container's interface and what it is joined to. */
  private attach(e: Endpoint, cns: Ns, h: HostIndex): void {
    const a = e.attachment;
    const inside = cns.addIface(e.ifname, a && a.kind !== 'overlay' ? a.kind : 'veth', endpointAddrs(e), { origin: e.origin });
    if (!a || a.kind === 'overlay') {
      const ns = a ? h.overlays.get(e.network) : h.ns;
      const bridge = ns?.ifaces.get(a ? 'br0' : e.bridge);
      if (!ns || !bridge) return;
      inside.peer = ns.addIface(e.hostIfname, 'veth', [], { peer: inside, master: bridge, hairpin: e.hairpin, origin: e.origin });
      return;
    }
    let parent = h.ns.ifaces.get(a.parent);
    if (!parent) {
      parent = h.ns.addIface(a.parent, 'link');
      this.segments.attach(parent, `link ${h.t.host} ${a.parent}`);
    }
    inside.child = { parent, driver: a.kind, mode: a.mode };
    this.segments.attach(inside, parent.segment!.name);
  }

  /** portFor's answers by bridge and address (a trace asks again on the reply and the handshake's end). */
  private readonly ports = new WeakMap<Iface, Map<string, Iface | undefined>>();

  portFor(bridge: Iface, address: string): Iface | undefined {
    let byAddress = this.ports.get(bridge);
    if (!byAddress) this.ports.set(bridge, (byAddress = new Map()));
    if (byAddress.has(address)) return byAddress.get(address);
    const port = this.findPort(bridge, address);
    byAddress.set(address, port);
    return port;
  }

  private findPort(bridge: Iface, address: string): Iface | undefined {
    const place = bridge.ns.place;
    if (place.kind !== 'host' && place.kind !== 'overlay') return undefined;
    const h = this.index.get(place.host)!;
    const ep = h.byAddress.find(address, (e) => (place.kind === 'host' ? !e.attachment && e.bridge === bridge.name : e.attachment?.kind === 'overlay' && e.network === place.network));
    if (ep) {
      this.made(h, ep.container);
      return bridge.ns.ifaces.get(ep.hostIfname);
    }
    const vxlan0 = place.kind === 'overlay' ? bridge.ns.ifaces.get('vxlan0') : undefined;
    return vxlan0?.vxlan?.peers.has(address) ? vxlan0 : undefined;
  }

  overlayFor(host: string, vni: number, port: number): Ns | undefined {
    for (const ov of this.index.get(host)?.overlays.values() ?? []) {
      const v = ov.ifaces.get('vxlan0')?.vxlan;
      if (v && v.vni === vni && v.port === port) return ov;
    }
    return undefined;
  }

  private readonly fleetAddresses = new Map<string, boolean>();

  inFleet(address: string): boolean {
    let known = this.fleetAddresses.get(address);
    if (known === undefined) this.fleetAddresses.set(address, (known = this.holds(address)));
    return known;
  }

  /** Whether a namespace of the fleet has `address` (containers' whether made or not). */
  private holds(address: string): boolean {
    for (const h of this.index.values()) {
      if (h.ns.isLocal(address) || h.byAddress.has(address)) return true;
      for (const ov of h.overlays.values()) if (ov.isLocal(address)) return true;
    }
    return false;
  }

  owners(address: string): readonly Ns[] {
    const out: Ns[] = [];
    for (const h of this.index.values()) {
      if (h.ns.isLocal(address)) out.push(h.ns);
      for (const ov of h.overlays.values()) if (ov.isLocal(address)) out.push(ov);
      for (const e of h.byAddress.all(address)) out.push(this.made(h, e.container));
    }
    return out;
  }
}

export const buildFabric = (topologies: readonly Topology[], world: TraceWorld): Fabric => new LazyFabric(topologies, world);
