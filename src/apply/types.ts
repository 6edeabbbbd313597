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

/** The network side of a host: what netform makes, as objects. */
export interface HostNetwork {
  /** Namespaces netform makes (full names, prefix included). */
  readonly namespaces: readonly string[];
  readonly links: readonly HostLink[];
  readonly interfaces: readonly Interface[];
  readonly routes: readonly DefaultRoute[];
  readonly sysctls: readonly SysctlSetting[];
  readonly files: readonly NetnsFile[];
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
}
