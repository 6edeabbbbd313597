// The typed model: the input with Docker's defaults applied and every reference resolved to a name
// that exists. Values still carry the YAML path they came from, so later stages can point at the line.
import type { YamlPath } from '../diagnostics/diagnostic.ts';
import type { Engine } from './engine.ts';
import type { Expectation } from './expectations.ts';
import type { Network } from './network-types.ts';

export type {
  BridgeNetwork, GatewayMode, IpamConfigEntry, IpvlanFlag, IpvlanMode, IpvlanNetwork, LocalNetwork, MacvlanMode, MacvlanNetwork, Network,
  NetworkDriver, NetworkOf, OverlayNetwork,
} from './network-types.ts';

export type NameResolution = 'embedded' | 'hosts';
export type Protocol = 'tcp' | 'udp' | 'sctp';

/** daemon.json, with dockerd's defaults (daemon/command/config_unix.go, Docker 29; see engine.ts for older releases). */
export interface DaemonSettings {
  readonly bip?: string;
  readonly bip6?: string;
  readonly fixedCidr?: string;
  readonly fixedCidrV6?: string;
  readonly mtu: number;
  readonly defaultGateway?: string;
  readonly defaultGatewayV6?: string;
  /** undefined = not set (the host's resolv.conf is used). */
  readonly dns?: readonly string[];
  readonly dnsOptions?: readonly string[];
  readonly dnsSearch?: readonly string[];
  readonly defaultAddressPools?: readonly { readonly base: string; readonly size: number }[];
  readonly icc: boolean;
  readonly ipMasq: boolean;
  readonly ipForward: boolean;
  readonly ipForwardNoDrop: boolean;
  readonly iptables: boolean;
  readonly ip6tables: boolean;
  /** `experimental`: Docker 20.10 needs it for ip6tables. */
  readonly experimental: boolean;
  readonly ipv6: boolean;
  readonly userlandProxy: boolean;
  readonly ip: string;
  readonly allowDirectRouting: boolean;
  /** `bridge: none` disables docker0. */
  readonly disableBridge: boolean;
  readonly firewallBackend: 'iptables' | 'nftables';
  readonly bridgeAcceptFwmark?: string;
  /** default-network-opts.bridge: driver options every user-defined bridge network starts from. */
  readonly defaultBridgeNetworkOpts: Readonly<Record<string, string>>;
  /** host-gateway-ips (or the deprecated host-gateway-ip): what extra_hosts' host-gateway means. */
  readonly hostGatewayIPs?: readonly string[];
  /** Where each key was written, for diagnostics (key -> path). */
  readonly paths: Readonly<Record<string, YamlPath>>;
  /** The file the daemon block came from when `daemon:` names a daemon.json. */
  readonly file?: string;
}

export type SwarmRole = 'manager' | 'worker';

export interface HostFacts {
  readonly name: string;
  /** Where the host's facts are written (['host'] or ['hosts', name]). */
  readonly path: YamlPath;
  /** Underlay address: the VTEP / swarm advertise address (already on the host; netform never assigns it). */
  readonly address?: string;
  /** Interfaces that exist on the host (macvlan/ipvlan parents come from them); undefined = not listed. */
  readonly interfaces?: readonly string[];
  readonly role: SwarmRole;
  /** open_swarm_ports: INPUT rules for the swarm's ports, in NETFORM-SWARM. */
  readonly openSwarmPorts: boolean;
  readonly resolvConf?: string;
  readonly resolvConfSystemd?: string;
  readonly etcHosts?: string;
  readonly routes: readonly { readonly cidr: string; readonly path: YamlPath }[];
}

/** docker swarm init's options (--data-path-port, --default-addr-pool, --default-addr-pool-mask-length). */
export interface SwarmSettings {
  readonly dataPathPort: number;
  readonly defaultAddrPool: readonly string[];
  readonly defaultAddrPoolMaskLength: number;
  readonly path: YamlPath;
  /** Where each key of the swarm: block was written (key -> path), for diagnostics about what it sets. */
  readonly paths: Readonly<Record<string, YamlPath>>;
}

export interface PortBinding {
  readonly proto: Protocol;
  /** Empty string = all addresses (the network's host binding default applies). */
  readonly hostIP: string;
  /** 0 = ephemeral (Docker picks a port at run time; netform rejects it, see checks). */
  readonly hostPort: number;
  readonly hostPortEnd: number;
  readonly containerPort: number;
  readonly containerPortEnd: number;
  /** host (default), or ingress: swarm's routing mesh (service tasks only). */
  readonly mode: 'host' | 'ingress';
  readonly path: YamlPath;
}

export interface EndpointRequest {
  readonly network: string;
  readonly aliases: readonly string[];
  readonly ipv4Address?: string;
  readonly ipv6Address?: string;
  readonly macAddress?: string;
  readonly gwPriority: number;
  readonly interfaceName?: string;
  /**
   * The number of its interface (eth<slot>) when it is not its position in the list: Docker names a new
   * interface with the lowest free number (osl generateIfaceName), and an endpoint that leaves again
   * (docker_gwbridge, once a later network gives a gateway) frees its number only after the next one took
   * another. Set by model/host-view.ts dockerJoins.
   */
  readonly slot?: number;
  readonly path: YamlPath;
}

export type NetworkMode =
  | { readonly kind: 'networks' }
  | { readonly kind: 'host' }
  | { readonly kind: 'none' }
  | { readonly kind: 'container'; readonly container: string };

export interface ExtraHost {
  readonly name: string;
  /** An address, or 'host-gateway'. */
  readonly address: string;
  readonly path: YamlPath;
}

export interface Link {
  readonly container: string;
  readonly alias: string;
  readonly path: YamlPath;
}

export interface Container {
  readonly name: string;
  readonly path: YamlPath;
  /** The host it runs on (a HostFacts name). */
  readonly host: string;
  /** A swarm service task: the service's name (may join any overlay, publish in mode ingress). */
  readonly service?: string;
  /** Service tasks: vip (a virtual IP per network) or dnsrr (none). */
  readonly endpointMode: 'vip' | 'dnsrr';
  /** Not a container: a namespace Docker makes for itself (the routing mesh's ingress_sbox). */
  readonly sandbox?: 'ingress';
  readonly hostname: string;
  readonly domainname?: string;
  readonly mode: NetworkMode;
  /** In join order (the order written in the YAML). Empty unless mode is 'networks'. */
  readonly endpoints: readonly EndpointRequest[];
  readonly ports: readonly PortBinding[];
  readonly expose: readonly { readonly proto: Protocol; readonly port: number }[];
  readonly dns?: readonly string[];
  readonly dnsSearch?: readonly string[];
  readonly dnsOptions?: readonly string[];
  readonly extraHosts: readonly ExtraHost[];
  readonly links: readonly Link[];
  readonly macAddress?: string;
}

export interface Model {
  readonly file: string;
  /** The Docker Engine release reproduced (top-level `engine:`, default "29"). */
  readonly engine: Engine;
  readonly nameResolution: NameResolution;
  readonly daemon: DaemonSettings;
  /** The host compiled for: the only host, or, in a per-host view (model/hosts.ts), that host. */
  readonly host: HostFacts;
  /** Every host, in file order (one for the single host: form). */
  readonly hosts: readonly HostFacts[];
  /** Present when the file is in swarm mode (it declares an overlay network). */
  readonly swarm?: SwarmSettings;
  /** Networks in creation order: the default bridge first (unless disabled), then the file's. */
  readonly networks: readonly Network[];
  /** Containers in file order (the order they are started). */
  readonly containers: readonly Container[];
  /** `expect:`, checked with the packet tracer once the topology is built. */
  readonly expectations: readonly Expectation[];
}
