// The intermediate representation: what exists on one host once the network is up. Renderers read
// this and nothing else.
import type { ContainerHostsSpec, HostsRecord } from './hosts-records.ts';
import type { ContainerResolvConfSpec } from './resolvconf-spec.ts';
import type { FirewallRules } from '../firewall/backend.ts';
import type { Ruleset } from '../firewall/iptables/types.ts';
import type { SourcePath } from '../firewall/types.ts';
import type { Engine } from '../model/engine.ts';
import type { XfrmPlan } from './overlay/xfrm.ts';

export interface Sysctl {
  /** The key's components, e.g. ['net','ipv4','conf','br-0.1','route_localnet'] (an interface name may hold dots). */
  readonly key: readonly string[];
  readonly value: string;
  /** Why Docker sets it (shown as a comment in setup.sh). */
  readonly reason: string;
  /** Only set when the key exists (br_netfilter's keys need the module). */
  readonly optional?: boolean;
}

export interface BridgeDevice {
  readonly network: string;
  readonly name: string;
  readonly mtu: number;
  readonly mac: string;
  /** The network's gateway addresses with prefix length (192.168.1.5/24); none for isolated networks. */
  readonly addresses: readonly string[];
  /**
   * fe80::1/64, which Docker up to 26 also gives a bridge with IPv6 (EngineRelease.bridgeLinkLocalAddress).
   * The device's address only, neither a subnet nor a gateway of the network: kept out of `addresses`.
   * bridgeDeviceAddresses lists every address the device gets, in dockerd's order.
   */
  readonly linkLocalAddress?: string;
  readonly sysctls: readonly Sysctl[];
  readonly origin: SourcePath;
}

export interface Route {
  readonly family: 4 | 6;
  readonly destination: 'default';
  /** The next hop; absent for a route straight out of the device (ipvlan l3/l3s: ipvlan_joinleave.go). */
  readonly via?: string;
  readonly device: string;
}

export interface Endpoint {
  readonly container: string;
  readonly network: string;
  readonly bridge: string;
  /** Host-side veth name (veth + 7 hex, derived from the names). */
  readonly hostIfname: string;
  /** Name inside the container (eth0, eth1, ... or interface_name). */
  readonly ifname: string;
  readonly mac: string;
  readonly mtu: number;
  readonly ipv4?: string;
  readonly ipv6?: string;
  /** Prefix lengths of the subnet, for the addresses above. */
  readonly ipv4PrefixLength?: number;
  readonly ipv6PrefixLength?: number;
  /** Hairpin mode on the bridge port (userland proxy off). */
  readonly hairpin: boolean;
  readonly aliases: readonly string[];
  /**
   * How the interface attaches when it is not a veth to a bridge of the host namespace: a veth to br0 in
   * an overlay namespace, or a macvlan/ipvlan sub-interface of a host link (no host-side peer).
   */
  readonly attachment?: EndpointAttachment;
  readonly origin: SourcePath;
}

export type EndpointAttachment =
  | { readonly kind: 'overlay'; readonly namespace: string }
  | { readonly kind: 'macvlan'; readonly parent: string; readonly mode: 'bridge' | 'private' | 'vepa' | 'passthru' }
  | { readonly kind: 'ipvlan'; readonly parent: string; readonly mode: 'l2' | 'l3' | 'l3s'; readonly flag: 'bridge' | 'private' | 'vepa' };

/** One overlay network's namespace on this host (ov_network.go setupSubnetSandbox), with its static forwarding state. */
export interface OverlaySandbox {
  readonly network: string;
  /** Namespace name (the setup prefixes it): 1-<network id[:10]>. */
  readonly namespace: string;
  readonly vni: number;
  /** Interface MTU (network MTU - 50, and - 26 rounded down to a multiple of 4 when encrypted). */
  readonly mtu: number;
  /** The VXLAN device's name in the host namespace before it moves in (renamed vxlan0). */
  readonly vxlanName: string;
  /** br0's addresses: the subnet gateways with prefix length. */
  readonly bridgeAddresses: readonly string[];
  readonly bridgeMac: string;
  /** This host's underlay address (VXLAN local); absent on a lone host without one. */
  readonly local?: string;
  readonly port: number;
  readonly encrypted: boolean;
  /** Underlay addresses of the other hosts on this network: flood (all-zero MAC) FDB entries. */
  readonly floods: readonly string[];
  /** Remote endpoints: neighbour entry (ip -> mac on vxlan0) and FDB entry (mac -> host). */
  readonly peers: readonly OverlayPeer[];
  readonly origin: SourcePath;
}

/** A remote endpoint on an overlay: its neighbour entry (ip -> mac on vxlan0) and FDB entry (mac -> its host's vtep). */
export interface OverlayPeer {
  readonly container: string;
  readonly host: string;
  readonly mac: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
  readonly vtep: string;
}

/** A link netform creates as a macvlan/ipvlan parent: an 802.1Q sub-interface, or Docker's dummy link. */
export interface ParentLink {
  readonly name: string;
  readonly kind: 'vlan' | 'dummy';
  /** vlan: the link it sits on and its id. */
  readonly link?: string;
  readonly vlanId?: number;
  readonly network: string;
}

export interface PortMapping {
  readonly container: string;
  readonly network: string;
  readonly proto: 'tcp' | 'udp' | 'sctp';
  readonly hostIP: string;
  readonly hostPort: number;
  readonly containerIP: string;
  readonly containerPort: number;
  /** nat (DNAT), routed (no DNAT, direct routing), or proxy (host IPv6 to container IPv4: docker-proxy only, no rules). */
  readonly mapper: 'nat' | 'routed' | 'proxy';
  readonly origin: SourcePath;
}

export type ContainerNetworking =
  | { readonly kind: 'netns' }
  | { readonly kind: 'host' }
  | { readonly kind: 'shared'; readonly container: string };

export interface ContainerNode {
  readonly name: string;
  readonly hostname: string;
  readonly networking: ContainerNetworking;
  readonly routes: readonly Route[];
  /** Docker builds the file (spec), or, for `network_mode: host`, copies the host's /etc/hosts. */
  readonly hosts: { readonly kind: 'built'; readonly spec: ContainerHostsSpec } | { readonly kind: 'host-copy'; readonly etcHosts: string; readonly extraHosts: readonly HostsRecord[] };
  readonly resolvConf: ContainerResolvConfSpec;
  /** A namespace Docker makes for itself (ingress_sbox): no /etc/hosts or resolv.conf is written for it. */
  readonly sandbox?: 'ingress';
  /** Rules Docker programs inside the namespace (the routing mesh: ingress_sbox's load balancer, a task's redirects). */
  readonly firewall?: { readonly v4?: Ruleset };
  /** ingress_sbox: the routing mesh's IPVS load balancer (VIP aliases, services per fwmark, sysctls). */
  readonly loadBalancer?: LoadBalancer;
  readonly origin: SourcePath;
}

export interface Topology {
  readonly format: 'netform-topology/2';
  /** The Docker Engine release reproduced. */
  readonly engine: Engine;
  readonly host: string;
  readonly nameResolution: 'embedded' | 'hosts';
  readonly hostSysctls: readonly Sysctl[];
  readonly bridges: readonly BridgeDevice[];
  readonly containers: readonly ContainerNode[];
  readonly endpoints: readonly Endpoint[];
  readonly ports: readonly PortMapping[];
  /** The host's firewall rules, in the shape of the daemon's firewall backend. */
  readonly firewall: FirewallRules;
  /** Overlay namespaces on this host (swarm mode); absent when there are none. */
  readonly overlays?: readonly OverlaySandbox[];
  /** Parent links netform creates for macvlan/ipvlan networks; absent when there are none. */
  readonly parentLinks?: readonly ParentLink[];
  /** Encrypted overlays: the ESP SAs and policies with the other hosts (keys redact themselves in JSON). */
  readonly xfrm?: XfrmPlan;
}

/**
 * What addLBBackend makes in ingress_sbox besides rules: each service's VIP as a /32 alias on the
 * sandbox's ingress interface, an IPVS service per fwmark (round robin) with every task of the service,
 * on any host, as a masqueraded real server of weight 1, and the IPVS sysctls (ApplyOSTweaks).
 */
export interface LoadBalancer {
  readonly device: string;
  readonly vips: readonly string[];
  readonly services: readonly { readonly fwMark: number; readonly destinations: readonly string[] }[];
  readonly sysctls: readonly Sysctl[];
}
