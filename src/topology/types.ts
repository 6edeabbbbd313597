// The intermediate representation: what exists on one host once the network is up. Renderers read
// this and nothing else (a new backend is one new folder under src/render/).
import type { ContainerHostsSpec, HostsRecord } from '../render/hosts/index.ts';
import type { ContainerResolvConfSpec } from '../render/resolvconf/index.ts';
import type { Engine, Ruleset, SourcePath } from './firewall/types.ts';

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
  /** Addresses with prefix length (192.168.1.5/24); none for isolated networks. */
  readonly addresses: readonly string[];
  readonly sysctls: readonly Sysctl[];
  readonly origin: SourcePath;
}

export interface Route {
  readonly family: 4 | 6;
  readonly destination: 'default';
  readonly via: string;
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
  readonly origin: SourcePath;
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
  readonly origin: SourcePath;
}

export interface Topology {
  readonly format: 'netform-topology/1';
  /** The Docker Engine release reproduced. */
  readonly engine: Engine;
  readonly host: string;
  readonly nameResolution: 'embedded' | 'hosts';
  readonly hostSysctls: readonly Sysctl[];
  readonly bridges: readonly BridgeDevice[];
  readonly containers: readonly ContainerNode[];
  readonly endpoints: readonly Endpoint[];
  readonly ports: readonly PortMapping[];
  /** Rulesets; absent for a family when the daemon's iptables/ip6tables option is off. */
  readonly firewall: { readonly v4?: Ruleset; readonly v6?: Ruleset };
}
