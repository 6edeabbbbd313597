// Networks in the model: one type per driver, told apart by `driver`. What every driver has is in
// NetworkBase; a reader narrows on `driver` before it reads a field only one driver has (a bridge's
// gateway mode, an overlay's VNI, a macvlan's parent). model/network-defaults.ts makes them.
import type { YamlPath } from '../diagnostics/diagnostic.ts';

export type NetworkDriver = 'bridge' | 'overlay' | 'macvlan' | 'ipvlan';

/** A bridge network's gateway mode per family (com.docker.network.bridge.gateway_mode_ipv4/_ipv6). */
export type GatewayMode = 'nat' | 'nat-unprotected' | 'routed' | 'isolated';

export type MacvlanMode = 'bridge' | 'private' | 'vepa' | 'passthru';
export type IpvlanMode = 'l2' | 'l3' | 'l3s';
export type IpvlanFlag = 'bridge' | 'private' | 'vepa';

export interface IpamConfigEntry {
  readonly subnet?: string;
  readonly gateway?: string;
  readonly ipRange?: string;
  readonly auxAddresses: readonly { readonly name: string; readonly address: string }[];
  readonly path: YamlPath;
}

/** What a network of any driver has (docker network create's own flags and the generic netlabels). */
interface NetworkBase {
  readonly name: string;
  readonly path: YamlPath;
  readonly driver: NetworkDriver;
  readonly internal: boolean;
  readonly enableIPv4: boolean;
  readonly enableIPv6: boolean;
  /** The endpoints' MTU (an overlay's already less the VXLAN and ESP overhead). */
  readonly mtu: number;
  /** com.docker.network.container_iface_prefix (default "eth"). */
  readonly containerIfacePrefix: string;
  /**
   * ipam.config per family. The default bridge's come from daemon.json: bip/fixed-cidr(-v6) as subnet
   * and allocation sub-pool, default-gateway(-v6) as aux addresses.
   */
  readonly ipamV4: readonly IpamConfigEntry[];
  readonly ipamV6: readonly IpamConfigEntry[];
  readonly labels: Readonly<Record<string, string>>;
  /** Where each driver option in effect was written (driver_opts, or daemon default-network-opts). */
  readonly optionPaths: Readonly<Record<string, YamlPath>>;
}

/** A network each host's dockerd creates for itself (every driver but overlay). */
interface LocalNetworkBase extends NetworkBase {
  /** The hosts it is created on (undefined: every host). */
  readonly onHosts?: readonly string[];
}

export interface BridgeNetwork extends LocalNetworkBase {
  readonly driver: 'bridge';
  /** The daemon's default bridge ("bridge", docker0). */
  readonly isDefault: boolean;
  /** com.docker.network.bridge.name when given (docker0 for the default bridge). */
  readonly bridgeName?: string;
  readonly icc: boolean;
  readonly masquerade: boolean;
  readonly gatewayModeV4: GatewayMode;
  readonly gatewayModeV6: GatewayMode;
  /** com.docker.network.bridge.host_binding_ipv4 (default bridge: daemon `ip`). */
  readonly hostBindingIPv4: string;
  /** com.docker.network.host_ipv4 / host_ipv6: SNAT source. */
  readonly hostIPv4?: string;
  readonly hostIPv6?: string;
  readonly inhibitIPv4: boolean;
  readonly trustedHostInterfaces: readonly string[];
}

/** docker network create -d overlay (daemon/libnetwork/drivers/overlay): swarm scope, on every host. */
export interface OverlayNetwork extends NetworkBase {
  readonly driver: 'overlay';
  readonly attachable: boolean;
  /** The routing mesh's network: swarm's default `ingress`, or one declared with ingress: true. */
  readonly ingress: boolean;
  /** driver_opts encrypted: ESP between hosts. */
  readonly encrypted: boolean;
  /** com.docker.network.driver.overlay.vxlanid_list: a pinned VNI. */
  readonly vni?: number;
}

/** macvlan and ipvlan: endpoints are links on a parent interface (daemon/libnetwork/drivers/macvlan, .../ipvlan). */
interface SubinterfaceNetworkBase extends LocalNetworkBase {
  /** `parent` as written (eth0, or eth0.50 for an 802.1Q link netform creates); undefined = Docker's dummy parent. */
  readonly parent?: string;
  /** For a VLAN parent NAME.VID: the link it sits on and the VLAN id. */
  readonly vlan?: { readonly link: string; readonly id: number };
}

export interface MacvlanNetwork extends SubinterfaceNetworkBase {
  readonly driver: 'macvlan';
  readonly mode: MacvlanMode;
}

export interface IpvlanNetwork extends SubinterfaceNetworkBase {
  readonly driver: 'ipvlan';
  readonly mode: IpvlanMode;
  readonly flag: IpvlanFlag;
}

export type Network = BridgeNetwork | OverlayNetwork | MacvlanNetwork | IpvlanNetwork;

/** The network type of one driver. */
export type NetworkOf<D extends NetworkDriver> = Extract<Network, { readonly driver: D }>;

/** Networks created per host. */
export type LocalNetwork = Exclude<Network, OverlayNetwork>;

// Plain booleans, not type guards: a guard's false branch would also rule out every other network of
// that driver.

/** The daemon's default bridge (docker0). */
export const isDefaultBridge = (n: Network): boolean => n.driver === 'bridge' && n.isDefault;

/** The routing mesh's overlay. */
export const isIngress = (n: Network): boolean => n.driver === 'overlay' && n.ingress;
