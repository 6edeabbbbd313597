// Docker's defaults for a network: what `docker network create -d DRIVER NAME` makes when no option
// says otherwise. Every network of the model (the default bridge, docker_gwbridge, swarm's ingress and
// the file's) starts from these and sets only what differs.
import type { YamlPath } from '../diagnostics/diagnostic.ts';
import type { NetworkDriver, NetworkOf } from './network-types.ts';

/** daemon/config/config.go DefaultNetworkMtu. */
export const DEFAULT_MTU = 1500;

/**
 * An overlay endpoint's MTU: VXLAN takes 50 bytes; ESP 26 more, rounded down to a multiple of 4
 * (drivers/overlay/encryption.go maxMTU).
 */
export function overlayMtu(networkMtu: number, encrypted: boolean): number {
  let mtu = networkMtu - 50;
  if (encrypted) {
    mtu -= 26;
    mtu -= mtu % 4;
  }
  return mtu;
}

/** Fields every driver has, as `docker network create` leaves them. */
const COMMON = {
  internal: false,
  enableIPv4: true,
  enableIPv6: false,
  mtu: DEFAULT_MTU,
  // Each driver names the container's interface "eth<N>" (bridge_linux.go defaultContainerVethPrefix,
  // macvlan.go / ipvlan.go containerVethPrefix, overlay joinleave.go SetNames).
  containerIfacePrefix: 'eth',
  ipamV4: [],
  ipamV6: [],
  labels: {},
  optionPaths: {},
} as const;

type Specific<D extends NetworkDriver> = Omit<NetworkOf<D>, 'name' | 'path' | 'driver' | keyof typeof COMMON>;

/** Each driver's own fields. */
const DRIVER_DEFAULTS: { readonly [D in NetworkDriver]: Specific<D> } = {
  bridge: {
    isDefault: false,
    // parseNetworkGenericOptions (drivers/bridge/bridge_linux.go): EnableICC and EnableIPMasquerade true.
    icc: true,
    masquerade: true,
    // newGwMode (bridge_linux.go): no gateway_mode option is nat.
    gatewayModeV4: 'nat',
    gatewayModeV6: 'nat',
    // No DefaultBindingIP: published ports bind every address.
    hostBindingIPv4: '0.0.0.0',
    inhibitIPv4: false,
    trustedHostInterfaces: [],
  },
  overlay: { attachable: false, ingress: false, encrypted: false },
  // macvlan_network.go parseNetworkOptions: mode bridge when none is given.
  macvlan: { mode: 'bridge' },
  // ipvlan_network.go parseNetworkOptions: mode l2, flag bridge.
  ipvlan: { mode: 'l2', flag: 'bridge' },
};

/** A network of `driver` with Docker's defaults, `fields` set over them. */
export function newNetwork<D extends NetworkDriver>(
  driver: D,
  name: string,
  path: YamlPath,
  fields: Partial<Omit<NetworkOf<D>, 'name' | 'path' | 'driver'>> = {},
): NetworkOf<D> {
  const mtu = driver === 'overlay' ? overlayMtu(DEFAULT_MTU, false) : DEFAULT_MTU;
  return { name, path, driver, ...COMMON, mtu, ...DRIVER_DEFAULTS[driver], ...fields } as unknown as NetworkOf<D>;
}
