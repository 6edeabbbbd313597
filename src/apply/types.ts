// The data plan and apply work on: where a build goes (a host, its namespace and prefix), the network
// objects of a host as netform wants them and as the state directory remembers them, and the live
// host as read. Everything here is plain JSON: it is saved in plan files and in the state directory.
import type { FirewallRules } from '../firewall/backend.ts';
import type { Topology } from '../topology/types.ts';

/** Where a host's build is applied. */
export interface Target {
  /** The host's name in the input. */
  readonly host: string;
  /** NETFORM_HOST_NETNS: the named namespace standing for the host (unset: the current one). */
  readonly hostNetns?: string;
  /** NETFORM_NETNS_PREFIX: the prefix of every namespace netform makes. */
  readonly prefix: string;
}

export interface BridgeLink {
  readonly kind: 'bridge';
  readonly name: string;
  readonly mac: string;
  readonly mtu: number;
  /** Addresses with prefix length. */
  readonly addresses: readonly string[];
  /** IPv6 addresses skip duplicate address detection (Docker 27 on: AddrReplace with IFA_F_NODAD). */
  readonly nodad: boolean;
}

/** A veth pair from the host to a namespace; the namespace end is an Interface of its own. */
export interface VethLink {
  readonly kind: 'veth';
  readonly name: string;
  readonly mtu: number;
  readonly master: string;
  readonly hairpin: boolean;
  readonly peer: { readonly netns: string; readonly ifname: string };
}

export type HostLink = BridgeLink | VethLink;

/** An interface inside a namespace netform made (a veth's namespace end). */
export interface Interface {
  readonly netns: string;
  readonly ifname: string;
  readonly mac: string;
  readonly mtu: number;
  readonly addresses: readonly string[];
}

/** A namespace's default route of one family. */
export interface DefaultRoute {
  readonly netns: string;
  readonly family: 4 | 6;
  readonly via?: string;
  readonly device: string;
}

export interface SysctlSetting {
  /** The path under /proc/sys (`net/ipv4/conf/br-x/route_localnet`). */
  readonly path: string;
  readonly value: string;
  /** Only set when the key exists (br_netfilter's keys need the module). */
  readonly optional: boolean;
  /** The link the key belongs to (it goes away with it), if any. */
  readonly link?: string;
  readonly reason: string;
}

/** A file installed for a namespace (/etc/netns/<namespace>/<name>). */
export interface NetnsFile {
  readonly netns: string;
  readonly name: string;
  readonly text: string;
}

/**
 * An overlay network's namespace (ov_network.go setupSubnetSandbox): the bridge br0 with the gateway,
 * the VXLAN device made in the host namespace (so that it sends from the host's underlay address),
 * moved in and renamed vxlan0, and the static forwarding state: a neighbour and an FDB entry per
 * remote endpoint, a flood entry per remote host.
 */
export interface OverlayNetns {
  readonly netns: string;
  /** The VXLAN device's name in the host namespace before it moves in. */
  readonly vxlan: string;
  readonly vni: number;
  /** The host's underlay address (VXLAN local), when it has one. */
  readonly local?: string;
  readonly port: number;
  readonly mtu: number;
  readonly bridgeMac: string;
  readonly bridgeAddresses: readonly string[];
  /** Remote endpoints' addresses on vxlan0 (nud permanent). */
  readonly neighbours: readonly { readonly ip: string; readonly mac: string }[];
  /** Remote endpoints' MACs and the underlay address of their host. */
  readonly fdb: readonly { readonly mac: string; readonly dst: string }[];
  /** Underlay addresses of the other hosts (all-zero MAC entries). */
  readonly floods: readonly string[];
}

/**
 * A veth pair with no end in the host namespace: `name` in an overlay namespace (a port of its br0),
 * the peer in a container's. Docker makes both in the host namespace and moves them; netform makes
 * them in place from the host namespace, as setup.sh does.
 */
export interface NamespaceVeth {
  readonly name: string;
  readonly mtu: number;
  readonly netns: string;
  readonly peer: { readonly netns: string; readonly ifname: string };
}

/**
 * A macvlan link of a container: made from the host namespace on its parent (a link of the host) with
 * its final name in the container's namespace, as setup.sh makes it; its settings are an Interface.
 */
export interface MacvlanLink {
  readonly netns: string;
  readonly ifname: string;
  readonly parent: string;
  readonly mtu: number;
  readonly mode: 'bridge' | 'private' | 'vepa' | 'passthru';
}

/** Rules Docker programs inside a namespace of netform's (iptables-restore input, whole tables). */
export interface NetnsRules {
  readonly netns: string;
  readonly text: string;
  /**
   * Tables of the routing mesh's (ingress_sbox) that use the ipvs match: the kernel refuses them without
   * IPVS, and they are left out then, as iptables-restore in setup.sh loads the other tables and warns.
   */
  readonly ipvsTables?: readonly string[];
}

/** The network side of a host: what netform makes, as objects. */
export interface HostNetwork {
  /** Namespaces netform makes (full names, prefix included). */
  readonly namespaces: readonly string[];
  readonly links: readonly HostLink[];
  readonly interfaces: readonly Interface[];
  readonly routes: readonly DefaultRoute[];
  readonly sysctls: readonly SysctlSetting[];
  readonly files: readonly NetnsFile[];
  /** Overlay namespaces (their names are in `namespaces` too); absent when there are none. */
  readonly overlays?: readonly OverlayNetns[];
  /** Veths between an overlay namespace and a container's; absent when there are none. */
  readonly namespaceVeths?: readonly NamespaceVeth[];
  /** Rules inside namespaces; absent when there are none. */
  readonly netnsRules?: readonly NetnsRules[];
  /** Macvlan links of containers; absent when there are none. */
  readonly macvlans?: readonly MacvlanLink[];
}

/** Everything netform wants on one host. */
export interface Desired {
  readonly target: Target;
  readonly network: HostNetwork;
  readonly firewall: FirewallRules;
  /** What dockerd would run that netform does not (docker-proxy, the embedded DNS server), said once. */
  readonly notices: readonly string[];
  /**
   * The host's topology, kept by a successful apply in the state directory (topology.json) so that the
   * next plan can trace `expect:` entries through what the host runs. Secrets redact themselves.
   */
  readonly topology?: Topology;
}

/** What the state directory keeps of the last successful apply. */
export interface Applied {
  readonly format_version: 1;
  readonly target: Target;
  readonly network: HostNetwork;
  /** The firewall applier's record (backend-specific). */
  readonly firewall: unknown;
  /** Host sysctls as they were before netform first set them (path -> value), put back on destroy. */
  readonly sysctlsBefore: Readonly<Record<string, string>>;
  /** netform made /etc/netns (so it removes it again when empty). */
  readonly madeEtcNetns: boolean;
  /** A digest of the input the build came from. */
  readonly inputDigest?: string;
}

/** A host link as read (`ip -j -d link show` and `ip -j addr show`). */
export interface LiveLink {
  readonly name: string;
  /** linkinfo.info_kind (bridge, veth, ...), or undefined for a plain device. */
  readonly kind?: string;
  readonly mac: string;
  readonly mtu: number;
  readonly up: boolean;
  readonly master?: string;
  readonly hairpin?: boolean;
  /** Global-scope addresses with prefix length. */
  readonly addresses: readonly string[];
  /** A veth whose peer is in another namespace. */
  readonly peerElsewhere: boolean;
}

/** The inside of one namespace, read only on request (plan --deep) or when apply changes it. */
export interface LiveInterior {
  readonly links: Readonly<Record<string, { readonly mac: string; readonly mtu: number; readonly up: boolean; readonly addresses: readonly string[] }>>;
  readonly routes: readonly DefaultRoute[];
}

/** An overlay namespace's static forwarding state, as read (plan --deep, or when the plan changes it). */
export interface LiveOverlay {
  readonly neighbours: OverlayNetns['neighbours'];
  readonly fdb: OverlayNetns['fdb'];
  readonly floods: readonly string[];
}

/** The live host, as far as netform's objects go. */
export interface Live {
  readonly namespaces: readonly string[];
  readonly links: Readonly<Record<string, LiveLink>>;
  /** /proc/sys path -> value; absent paths are missing keys. */
  readonly sysctls: Readonly<Record<string, string>>;
  /** /etc/netns/<ns>/<name> -> text, for the files of interest that exist. */
  readonly files: Readonly<Record<string, string>>;
  readonly etcNetnsExists: boolean;
  /** Namespace -> its inside, for those read. */
  readonly interiors: Readonly<Record<string, LiveInterior>>;
  readonly firewall: { readonly backend: string; readonly text: Readonly<Record<string, string>> };
  /** The kernel has IPVS (the routing mesh's load balancer and the ipvs match need it). */
  readonly ipvs?: boolean;
  /** Overlay namespace -> its forwarding state, for those whose inside was read. */
  readonly overlays?: Readonly<Record<string, LiveOverlay>>;
  /** Namespace -> iptables-save inside it, for those with rules whose inside was read. */
  readonly netnsRules?: Readonly<Record<string, string>>;
}
