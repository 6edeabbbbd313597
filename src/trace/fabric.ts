// The network the tracer walks: every namespace of the fleet (each host's, each container's, each
// overlay's, the outside), their interfaces and addresses, their routes, their firewalls, and the links
// between them: veth pairs, bridges and their ports, the shared segments of the world (the uplink, LANs,
// the underlay) with the macvlan/ipvlan children on them, and VXLAN between overlay namespaces.
import type { Origin } from '../diagnostics/origin.ts';
import type { ContainerNode, Topology } from '../topology/types.ts';
import { inPrefix, prefixLength } from './packet.ts';
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
  /** A bridge's ports. */
  ports?: Iface[];
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
  readonly routes: RouteEntry[] = [];
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

  addRoute(r: RouteEntry): void {
    this.routes.push(r);
    this.sortRoutes();
  }

  private sortRoutes(): void {
    this.routes.sort((a, b) => b.length - a.length);
  }

  isLocal(address: string): boolean {
    return this.locals.has(address);
  }

  /** The interface that holds `address`. */
  ifaceWith(address: string): Iface | undefined {
    for (const i of this.ifaces.values()) if (i.addrs.some((a) => a.address === address)) return i;
    return undefined;
  }
}

function ifAddr(cidr: string): IfAddr {
  const address = cidr.split('/')[0]!;
  return { address, cidr, family: address.includes(':') ? 6 : 4 };
}

/** Whether an interface's subnet holds `address`. */
export const onLink = (i: Iface, address: string): boolean => i.addrs.some((a) => inPrefix(a.cidr, address));

export interface Fabric {
  readonly namespaces: readonly Ns[];
  /** Each host's namespace, by host name. */
  readonly hosts: ReadonlyMap<string, Ns>;
  /** Each container's namespace (host-network containers: their host's; container:NAME: the target's), by name and host. */
  readonly containers: ReadonlyMap<string, readonly { readonly host: string; readonly ns: Ns; readonly node: ContainerNode }[]>;
  readonly outside: Ns;
  readonly topologies: readonly Topology[];
  /** Every address any namespace of the fleet has (the outside's `ownsTheRest` excludes them). */
  readonly fleetAddresses: ReadonlySet<string>;
}
