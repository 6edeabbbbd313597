// What dockerd's bridge driver (and the overlay driver, and netform's own swarm chain) is told, in the order
// it is told: the input of every firewall backend. The topology stage fills it from the model and IPAM;
// a backend replays over it what the release named by `daemon.engine` programs (Docker 29 when absent).
import type { Engine } from '../model/engine.ts';
import type { FwMark } from '../model/fwmark.ts';
import type { GatewayMode } from '../model/types.ts';
import type { Family as IpFamily } from '../net/index.ts';
import type { PortProtocol, SourcePath } from './types.ts';

export type { GatewayMode };

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
  /** daemon `bridge-accept-fwmark`, when set. */
  readonly acceptFwMark?: FwMark;
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
  readonly proto: PortProtocol;
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
  readonly ports: readonly { readonly proto: PortProtocol; readonly port: number }[];
  readonly origin?: SourcePath;
}

// ----- Swarm mode (issue 4; ingress-rules.ts, swarm-port-rules.ts) ------------------------------------

/** One published port of a swarm service in `mode: ingress` (swarm's PortConfig, PublishMode ingress). */
export interface FirewallIngressPort {
  readonly proto: PortProtocol;
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
