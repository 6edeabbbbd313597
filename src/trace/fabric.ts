// The network the tracer walks: every namespace of the fleet (each host's, each container's, each
// overlay's, the outside), their interfaces and addresses, their routes, their firewalls, and the links
// between them: veth pairs, bridges and their ports, the shared segments of the world (the uplink, LANs,
// the underlay) with the macvlan/ipvlan children on them, and VXLAN between overlay namespaces.
import type { Origin } from '../diagnostics/origin.ts';
import type { ContainerNode, Endpoint, Topology } from '../topology/types.ts';
import { prefixLength } from './packet.ts';
import { RouteTable } from './route-table.ts';
import type { Firewall } from './netfilter.ts';
import type { Place } from './types.ts';

export interface IfAddr {
  readonly address: string;
  /** The address with its prefix length. */
  readonly cidr: string;
  readonly family: 4 | 6;
}

export type IfKind = 'lo' | 'bridge' | 'veth' | 'link' | 'macvlan' | 'ipvlan' | 'vxlan';

export interface VxlanPeer {
  readonly host: string;
  readonly vtep: string;
  readonly container: string;
}

export interface Iface {
  readonly name: string;
  readonly ns: Ns;
  readonly kind: IfKind;
  readonly addrs: IfAddr[];
  /** The bridge this interface is a port of. */
  master?: Iface;
  /** The other end of a veth pair. */
  peer?: Iface;
  /** The L2 segment a link is on (the uplink, a LAN, the underlay, a macvlan parent's wire). */
  segment?: Segment;
  /** A macvlan/ipvlan child: its parent link (in the host namespace) and mode. */
  child?: { readonly parent: Iface; readonly driver: 'macvlan' | 'ipvlan'; readonly mode: string };
  /** Hairpin mode on a bridge port. */
  hairpin?: boolean;
  /** vxlan0 of an overlay namespace. */
  vxlan?: { readonly vni: number; readonly port: number; readonly local?: string; readonly peers: ReadonlyMap<string, VxlanPeer>; readonly network: string };
  readonly origin?: Origin;
}

export interface Segment {
  readonly name: string;
  readonly members: Iface[];
}

export interface RouteEntry {
  readonly family: 4 | 6;
  /** undefined: the default route. */
  readonly cidr?: string;
  readonly length: number;
  readonly dev: Iface;
  readonly via?: string;
  /** The preferred source (a connected route's own address). */
  readonly src?: string;
}

/** A host setting the topology does not fix: a value, or the name of a world fact to ask. */
export type Setting = boolean | 'brNetfilter' | 'forward4' | 'forward6';

export class Ns {
  readonly ifaces = new Map<string, Iface>();
  /** Longest prefix first; changed only through connect() and addRoute(). */
  readonly routes: RouteEntry[] = [];
  private table: RouteTable<RouteEntry> | undefined;
  readonly locals = new Set<string>();
  readonly routeLocalnet = new Set<string>();
  forward: { 4: Setting; 6: Setting } = { 4: false, 6: false };
  brNetfilter: { 4: Setting; 6: Setting } = { 4: false, 6: false };
  firewall?: Firewall;
  /** The outside when it stands for the internet: it has every address no namespace of the fleet has. */
  ownsTheRest = false;
  /** ingress_sbox: fwmarks and addresses of the routing mesh's IPVS services. */
  ipvs?: { readonly marks: ReadonlySet<number>; readonly vips: ReadonlySet<string> };
  /** The host's port mappings, for docker-proxy (see walk.ts deliver). */
  topology?: Topology;
  container?: ContainerNode;

  constructor(
    readonly id: string,
    readonly label: string,
    readonly place: Place,
  ) {}

  addIface(name: string, kind: IfKind, addrs: readonly string[] = [], extra: Partial<Iface> = {}): Iface {
    const iface: Iface = { ...extra, name, ns: this, kind, addrs: addrs.map(ifAddr) };
    this.ifaces.set(name, iface);
    for (const a of iface.addrs) this.locals.add(a.address);
    return iface;
  }

  addAddress(iface: Iface, cidr: string): void {
    const a = ifAddr(cidr);
    iface.addrs.push(a);
    this.locals.add(a.address);
  }

  /** Connected routes for every address of every interface but lo, then the sorting that makes lookups longest-prefix first. */
  connect(): void {
    for (const i of this.ifaces.values()) {
      if (i.kind === 'lo') continue;
      for (const a of i.addrs) {
        const len = prefixLength(a.cidr);
        this.routes.push({ family: a.family, cidr: a.cidr, length: len, dev: i, src: a.address });
      }
    }
    this.sortRoutes();
  }

  /** Adds a route after the longer ones (lookups take the first match). */
  addRoute(r: RouteEntry): void {
    let i = this.routes.length;
    while (i > 0 && this.routes[i - 1]!.length < r.length) i--;
    this.routes.splice(i, 0, r);
    this.table = undefined;
  }

  /** Longest prefix first, routes of one length in the order they came (a stable sort, by length buckets: a host of 1,000 bridges has 1,000s of routes). */
  private sortRoutes(): void {
    const byLength = new Map<number, RouteEntry[]>();
    for (const r of this.routes) {
      const l = byLength.get(r.length);
      if (l) l.push(r);
      else byLength.set(r.length, [r]);
    }
    this.routes.length = 0;
    for (const length of [...byLength.keys()].sort((a, b) => b - a)) for (const r of byLength.get(length)!) this.routes.push(r);
    this.table = undefined;
  }

  /** The routes indexed for lookups (made when first asked, again after a change). */
  routeTable(): RouteTable<RouteEntry> {
    return (this.table ??= new RouteTable(this.routes));
  }

  isLocal(address: string): boolean {
    return this.locals.has(address);
  }
}

function ifAddr(cidr: string): IfAddr {
  const address = cidr.split('/')[0]!;
  return { address, cidr, family: address.includes(':') ? 6 : 4 };
}

/** A container of the fleet, as named in a query. */
export interface ContainerRef {
  readonly host: string;
  readonly node: ContainerNode;
}

/**
 * The fleet's namespaces. Hosts, overlays and the outside exist from the start; a container's namespace
 * is made when a walk first reaches it (a host of 10,000 containers is traced without making them all).
 */
export interface Fabric {
  readonly topologies: readonly Topology[];
  /** Each host's namespace, by host name. */
  readonly hosts: ReadonlyMap<string, Ns>;
  readonly outside: Ns;
  /** The containers of that name (one per host that has it: only ingress_sbox is on several). */
  containersNamed(name: string): readonly ContainerRef[];
  /** The namespace a container runs in: its own, its host's (host network) or its target's (container:NAME). */
  namespaceOf(ref: ContainerRef): Ns;
  /** The endpoints of the container whose namespace `ns` is. */
  endpointsIn(ns: Ns): readonly Endpoint[];
  /** The port of a bridge (a host's, or an overlay's br0) behind which `address` lives. */
  portFor(bridge: Iface, address: string): Iface | undefined;
  /** The overlay namespace of a host that holds the VXLAN device of `vni` listening on `port`. */
  overlayFor(host: string, vni: number, port: number): Ns | undefined;
  /** Whether any namespace of the fleet (not the outside) has `address`. */
  inFleet(address: string): boolean;
  /** The namespaces of the fleet that have `address`. */
  owners(address: string): readonly Ns[];
}
