// The packet tracer's vocabulary: a query (who sends what to whom), the world around the hosts that the
// topology does not describe (their uplinks, the outside, the LANs), and the answer: a verdict, the
// address translations on the way, and every rule, route and hop that decided, each with its origin.
import type { Origin } from '../diagnostics/origin.ts';
import type { PortProtocol } from '../firewall/types.ts';

export type TraceVerdict = 'reach' | 'blocked' | 'unknown';

/** One end of a query. */
export type Party =
  /** A container (its namespace; a host-network container is its host, container:NAME its target's). As a
   * destination, its address on `network` (default: its first endpoint with an address of the family). */
  | { readonly kind: 'container'; readonly name: string; readonly network?: string }
  /** A host's own namespace (`host`; `--host NAME` or host:NAME with several hosts). As a destination, its uplink address. */
  | { readonly kind: 'host'; readonly host?: string }
  /** A client beyond the hosts' uplink, at the outside's address or at `address`. */
  | { readonly kind: 'outside'; readonly address?: string }
  /** An address: as a destination, whoever owns it on the way; as a source, the host or container that has it. */
  | { readonly kind: 'address'; readonly address: string };

export interface TraceQuery {
  readonly from: Party;
  readonly to: Party;
  readonly port: number;
  readonly proto: PortProtocol;
  /** The address family; by default that of an address given, else IPv4. */
  readonly family?: 4 | 6;
  /** The host `host` and the other host-bound names mean when there are several. */
  readonly host?: string;
}

/** An address with its prefix length (`203.0.113.1/24`). */
export type Cidr = string;

/** One host's side of the world: its uplink to the outside, its underlay interface, its LAN addresses. */
export interface HostWorld {
  readonly uplink: { readonly ifname: string; readonly v4?: Cidr; readonly v6?: Cidr };
  /** The interface carrying the host's underlay (VXLAN) address, with that address. */
  readonly underlay?: { readonly ifname: string; readonly address: Cidr };
  /** The host's own addresses on LAN segments, by interface name. */
  readonly lans?: Readonly<Record<string, Cidr>>;
  /** More addresses of the host on its uplink (the host addresses ports are published on). */
  readonly addresses?: readonly Cidr[];
}

/**
 * What the topology does not say: how the hosts reach the outside and the outside reaches them. The
 * command line assumes a plain host (world.ts defaultWorld); the end-to-end harness describes its sandbox.
 */
export interface TraceWorld {
  readonly hosts: Readonly<Record<string, HostWorld>>;
  /** The outside's addresses on the uplink segment (one shared segment joins every host's uplink). */
  readonly outside: { readonly v4?: Cidr; readonly v6?: Cidr };
  /** Routes the outside has through a host's uplink address: `all` bridge subnets of every host, or these. */
  readonly outsideRoutes: 'all' | readonly { readonly cidr: string; readonly host: string }[];
  /** LAN segments joining the hosts' interfaces of that name to the outside, with the outside's address there. */
  readonly lans: Readonly<Record<string, { readonly outside?: Cidr }>>;
  /** The hosts route everything else to the outside (a default route through the uplink). */
  readonly hostDefaultRoute: boolean;
  /** The outside answers for every address that is not in the fleet (the internet beyond a router). */
  readonly outsideOwnsTheRest: boolean;
  /** The outside routes between its segments (a router), rather than being a single client. */
  readonly outsideForwards: boolean;
  /**
   * Host settings the topology leaves as they are, when known: whether bridged traffic goes through
   * iptables (br_netfilter loaded, bridge-nf-call-ip[6]tables on) and whether a family forwards. Unknown
   * ones are tried both ways, and a verdict that depends on them is `unknown`.
   */
  readonly facts?: { readonly brNetfilter?: boolean; readonly forward4?: boolean; readonly forward6?: boolean };
}

/** A namespace as a trace names it. */
export type Place =
  | { readonly kind: 'host'; readonly host: string }
  | { readonly kind: 'container'; readonly host: string; readonly container: string }
  | { readonly kind: 'overlay'; readonly host: string; readonly network: string }
  | { readonly kind: 'outside' };

export type Leg = 'request' | 'reply' | 'ack';

export interface TraceStep {
  readonly leg: Leg;
  /** The namespace, as text (`host local`, `container web`, `outside`). */
  readonly where: string;
  /** Netfilter hook, or what happened otherwise (route, bridge, link, deliver). */
  readonly hook?: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  /** `raw PREROUTING` / `filter DOCKER` (iptables), `ip docker-bridges/filter-FORWARD` (nft). */
  readonly chain?: string;
  /** The rule as its backend spells it. */
  readonly rule?: string;
  /** What it did: ACCEPT, DROP, jump DOCKER, DNAT to ..., policy DROP, route via ..., delivered... */
  readonly action: string;
  readonly origin?: Origin;
  /** The origin as `file:line:col` or its implicit name, when the caller gave a way to locate it. */
  readonly source?: string;
}

export interface Translation {
  readonly leg: Leg;
  readonly where: string;
  readonly kind: 'dnat' | 'snat' | 'masquerade' | 'redirect' | 'un-dnat' | 'un-snat';
  /** `address:port` before and after. */
  readonly from: string;
  readonly to: string;
  readonly origin?: Origin;
  readonly source?: string;
}

/** How one packet of the exchange ended. */
export type LegOutcome =
  | { readonly outcome: 'delivered'; readonly place: Place; readonly where: string; readonly address: string; readonly port: number; readonly peer: string; readonly peerPort: number }
  | { readonly outcome: 'dropped'; readonly where: string; readonly reason: string; readonly origin?: Origin; readonly source?: string }
  | { readonly outcome: 'unknown'; readonly where: string; readonly reason: string };

export interface Trace {
  /** What was asked, with the addresses used: `web 172.18.0.2` -> `203.0.113.1:8080/tcp`. */
  readonly from: { readonly label: string; readonly address: string };
  readonly to: { readonly label: string; readonly address: string; readonly port: number };
  readonly proto: PortProtocol;
  readonly family: 4 | 6;
  /** reach: the request is delivered and the reply makes it back (TCP: and the handshake completes). */
  readonly verdict: TraceVerdict;
  /** Why it is blocked or unknown, in a few words. */
  readonly reason?: string;
  readonly request: LegOutcome;
  readonly reply?: LegOutcome;
  readonly ack?: LegOutcome;
  readonly translations: readonly Translation[];
  readonly steps: readonly TraceStep[];
  /** Host settings the verdict holds whatever they are (tried both ways), or that made it unknown. */
  readonly assumptions?: readonly string[];
}
