// Firewall rules as data. The topology holds these; renderers (iptables-restore today, nftables later)
// turn them into text. Nothing here is a string of iptables syntax: a rule is its table, chain,
// matches and target, so a packet tracer or another backend can read the same value.

import type { Engine } from './engine.ts';

export type { Engine } from './engine.ts';
export type IpFamily = 4 | 6;
export type TableName = 'raw' | 'mangle' | 'filter' | 'nat';

/** Where a rule came from in the YAML (a path such as ['networks','my-net']), for source maps. */
export type SourcePath = readonly (string | number)[];

/** An address match: `-s`/`-d` with an optional `!`. `cidr` is always in prefix form (`10.0.0.2/32`). */
export interface AddressMatch {
  readonly cidr: string;
  readonly negate?: boolean;
}

/** An interface match: `-i`/`-o` with an optional `!`. */
export interface InterfaceMatch {
  readonly name: string;
  readonly negate?: boolean;
}

/** A match module (`-m NAME` with its options), e.g. {name:'tcp', options:[['--dport','80']]}.
 * Options are kept in the order iptables-save prints them; an option may be negated (`! --dport`). */
export interface MatchModule {
  readonly name: string;
  readonly options: readonly MatchOption[];
}
export interface MatchOption {
  readonly flag: string;
  readonly values: readonly string[];
  readonly negate?: boolean;
}

/** Everything a rule matches on, in the fields iptables-save prints first (-s -d -i -o -p) and then modules. */
export interface RuleMatch {
  readonly source?: AddressMatch;
  readonly destination?: AddressMatch;
  readonly inInterface?: InterfaceMatch;
  readonly outInterface?: InterfaceMatch;
  readonly protocol?: { readonly name: string; readonly negate?: boolean };
  readonly modules?: readonly MatchModule[];
}

/** A jump to a chain or a built-in target with its options, e.g. {name:'DNAT', options:[['--to-destination','10.0.0.2:80']]}. */
export interface RuleTarget {
  readonly name: string;
  readonly options?: readonly (readonly [string, ...string[]])[];
}

export interface Rule {
  readonly table: TableName;
  readonly chain: string;
  readonly match: RuleMatch;
  readonly target: RuleTarget;
  /** The YAML element the rule exists for (network, container, port), when there is one. */
  readonly origin?: SourcePath;
}

export interface Chain {
  readonly table: TableName;
  readonly name: string;
  /** Built-in chains have a policy (ACCEPT/DROP); user chains have none. */
  readonly policy?: 'ACCEPT' | 'DROP';
  /** Rules in evaluation order. */
  readonly rules: readonly Rule[];
}

/** One address family's tables. Chains appear in `chains` in creation order; renderers sort as iptables-save does. */
export interface Ruleset {
  readonly family: IpFamily;
  readonly tables: readonly { readonly name: TableName; readonly chains: readonly Chain[] }[];
  /** false: the engine never touches the raw table (Docker <= 27), so a dump has none. Absent: Docker 28+,
   * whose dumps always show raw beside filter. */
  readonly raw?: false;
}

// ----- Input of the Docker firewall builder -----------------------------------------------------------
// Describes what dockerd's bridge driver is told, in the order it is told. The topology stage fills it
// from the model and IPAM; buildFirewall() replays dockerd's iptables calls over it, as the release named by
// `daemon.engine` makes them (Docker 29 when absent).

export type GatewayMode = 'nat' | 'nat-unprotected' | 'routed' | 'isolated';

export interface FirewallDaemon {
  /** The Docker Engine release to reproduce (engine.ts); absent means 29. */
  readonly engine?: Engine;
  /** `iptables` / `ip6tables` daemon options (and `ipv6` for the v6 family's existence). */
  readonly iptables: boolean;
  readonly ip6tables: boolean;
  /** NOT userland-proxy. */
  readonly hairpin: boolean;
  readonly allowDirectRouting: boolean;
  /** The libnetwork controller's DOCKER-USER chain (absent in the firewaller unit goldens). */
  readonly userChain: boolean;
  /** `-P FORWARD DROP` per family: the setup enables forwarding (ip-forward) and ip-forward-no-drop is off.
   * Docker <= 27 sets it at driver init (see EngineLayout.forwardDropAtInit). */
  readonly forwardDrop: { readonly 4: boolean; readonly 6: boolean };
  /** daemon `bridge-accept-fwmark` (e.g. "0x1/0x1"), when set. */
  readonly acceptFwMark?: string;
  /** Where the daemon settings live in the YAML: the origin of the daemon-level rules (chains, jumps). */
  readonly origin?: SourcePath;
}

export interface FirewallFamilyConfig {
  /** Masked subnet, e.g. 192.168.0.0/24 or fd49:efd7:54aa::/64. */
  readonly prefix: string;
  /** com.docker.network.host_ipv4 / host_ipv6: SNAT source instead of MASQUERADE. */
  readonly hostIP?: string;
  readonly gatewayMode: GatewayMode;
}

export interface FirewallNetwork {
  readonly name: string;
  /** Bridge device name (docker0, br-<hash>, or com.docker.network.bridge.name). */
  readonly ifName: string;
  readonly internal: boolean;
  readonly icc: boolean;
  readonly masquerade: boolean;
  readonly trustedHostInterfaces: readonly string[];
  /** Present when the network has that family. */
  readonly v4?: FirewallFamilyConfig;
  readonly v6?: FirewallFamilyConfig;
  readonly origin?: SourcePath;
}

export interface FirewallPortBinding {
  readonly proto: 'tcp' | 'udp' | 'sctp';
  /** Host address the port is bound to: 0.0.0.0 / :: for all, or a specific address. */
  readonly hostIP: string;
  readonly hostPort: number;
  readonly containerPort: number;
  /** The host port(s) as the user asked for them, before allocation: [0, 0] for none (`-p 80`),
   * [8080, 8090] for a range (`-p 8080-8090:80`). Absent means exactly `hostPort`. Only used to put the
   * bindings of one endpoint in the order dockerd programs them (sortAndNormPBs: exact ports first). */
  readonly requestedHostPorts?: readonly [number, number];
  readonly origin?: SourcePath;
}

export interface FirewallEndpoint {
  /** The network's `name` (FirewallNetwork.name). */
  readonly network: string;
  readonly container: string;
  readonly addr4?: string;
  readonly addr6?: string;
  /** Port bindings programmed on this endpoint (already split per family and per port of a range). */
  readonly ports: readonly FirewallPortBinding[];
  readonly origin?: SourcePath;
}

/** A legacy `--link` on the default bridge: parent may reach child's exposed ports. */
export interface FirewallLink {
  readonly network: string;
  readonly parentIP: string;
  readonly childIP: string;
  readonly ports: readonly { readonly proto: 'tcp' | 'udp' | 'sctp'; readonly port: number }[];
  readonly origin?: SourcePath;
}

/** The sequence of events dockerd sees: networks are created in order, then endpoints join in order. */
export interface FirewallInput {
  readonly daemon: FirewallDaemon;
  readonly networks: readonly FirewallNetwork[];
  readonly endpoints: readonly FirewallEndpoint[];
  readonly links: readonly FirewallLink[];
  /** Replay the firewaller layer alone, as moby's iptabler unit test (TestIptabler, the 66 goldens) does:
   * port bindings reach the firewaller exactly as given (no port-mapper ordering, no routed-mode
   * zeroing of host port and host address) and links are not filtered by the network's ICC setting.
   * Default false: the whole bridge driver, as a running dockerd behaves. */
  readonly firewallerOnly?: boolean;
}
