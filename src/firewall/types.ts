// Firewall rules as data. The topology holds these; renderers (iptables-restore today, nftables later)
// turn them into text. Nothing here is a string of iptables syntax: a rule is its table, chain,
// matches and target, so a packet tracer or another backend can read the same value.

import type { Engine } from '../model/engine.ts';

export type { Engine } from '../model/engine.ts';
export type { Family as IpFamily } from '../net/index.ts';
import type { Family as IpFamily } from '../net/index.ts';
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

export type { GatewayMode } from '../model/types.ts';
import type { GatewayMode } from '../model/types.ts';

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

// ----- Swarm mode (issue 4; ingress-rules.ts, swarm-port-rules.ts) ------------------------------------

/** One published port of a swarm service in `mode: ingress` (swarm's PortConfig, PublishMode ingress). */
export interface FirewallIngressPort {
  readonly proto: 'tcp' | 'udp' | 'sctp';
  /** PublishedPort: the port every node of the swarm listens on. */
  readonly publishedPort: number;
  /** TargetPort: the port inside the task container (used only by the task's REDIRECT, not on the host). */
  readonly targetPort: number;
  readonly origin?: SourcePath;
}

/** A service that publishes ports in ingress mode, with its ports in the order of its endpoint spec. */
export interface FirewallIngressService {
  readonly name: string;
  readonly ports: readonly FirewallIngressPort[];
  readonly origin?: SourcePath;
}

/**
 * The host side of the routing mesh. dockerd programs it when the node's ingress sandbox creates a
 * service's load balancer (service_linux.go addLBBackend -> addIngressPorts), i.e. after docker_gwbridge,
 * the ingress sandbox and the networks exist: buildFirewall replays it after every network and endpoint,
 * one service at a time in `services` order. IPv4 only ("TODO IPv6 support" in moby). Nothing is
 * programmed when `services` is empty (DOCKER-INGRESS is created with the first service).
 */
export interface FirewallIngress {
  /** `name` of docker_gwbridge among `networks` (an ordinary bridge network: icc false, masquerade true,
   * created at swarm init right after the default bridge). Its `ifName` is the interface findOIFName
   * returns for `sandboxIP`, which gets the LOCAL MASQUERADE (and route_localnet=1, a sysctl). */
  readonly gatewayNetwork: string;
  /** The ingress sandbox's address on docker_gwbridge (endpoint gateway_ingress-sbox, e.g. 172.18.0.2):
   * the DNAT destination, with the published port kept. Must lie in the network's IPv4 prefix. */
  readonly sandboxIP: string;
  readonly services: readonly FirewallIngressService[];
  readonly origin?: SourcePath;
}

/**
 * netform's own filter chain NETFORM-SWARM (hosts.<h>.open_swarm_ports: true), appended to INPUT after
 * everything Docker programs. Not a Docker rule: the ports swarm needs open (docs "Use overlay networks").
 */
export interface FirewallSwarmPorts {
  /** Family of the host's underlay (advertise) address: the tables the chain goes to. */
  readonly family: IpFamily;
  /** Managers accept 2377/tcp (cluster management). */
  readonly manager: boolean;
  /** VXLAN data path port/udp (`swarm.data_path_port`, default 4789). */
  readonly dataPathPort: number;
  /** The host carries an encrypted overlay: accept ESP (IP protocol 50). */
  readonly esp: boolean;
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
  /** Swarm mode: the routing mesh's host rules (see FirewallIngress). */
  readonly ingress?: FirewallIngress;
  /** hosts.<h>.open_swarm_ports: netform's NETFORM-SWARM chain (see FirewallSwarmPorts). */
  readonly swarmPorts?: FirewallSwarmPorts;
  /** Encrypted overlays with an endpoint on this host: the overlay driver's VXLAN mark and drop rules
   * (encryption-rules.ts), in the underlay's family, after everything else (the DROPs go on top of INPUT). */
  readonly encryption?: { readonly family: IpFamily; readonly vnis: readonly { readonly vni: number; readonly origin?: SourcePath }[]; readonly dataPathPort: number };
}
