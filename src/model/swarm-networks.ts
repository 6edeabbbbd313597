// The networks swarm mode brings with it: docker_gwbridge (every node's egress bridge for overlay
// containers, daemon/libnetwork/default_gateway_linux.go createGWNetwork) and the default `ingress`
// overlay of the routing mesh (swarmkit manager.go newIngressNetwork: no IPAM config, so its subnet is the
// first of the swarm's global pool, 10.0.0.0/24).
import { overlayMtu } from './driver-networks.ts';
import type { BridgeNetwork, DaemonSettings } from './types.ts';

export const GATEWAY_BRIDGE = 'docker_gwbridge';
export const DEFAULT_INGRESS = 'ingress';

/** enable_icc=false, enable_ip_masquerade=true, IPv4 only, bridge device named docker_gwbridge. */
export function gatewayBridge(d: DaemonSettings): BridgeNetwork {
  return {
    name: GATEWAY_BRIDGE,
    path: ['swarm'],
    driver: 'bridge',
    isDefault: false,
    bridgeName: GATEWAY_BRIDGE,
    internal: false,
    enableIPv4: true,
    enableIPv6: false,
    icc: false,
    masquerade: true,
    gatewayModeV4: 'nat',
    gatewayModeV6: 'nat',
    hostBindingIPv4: '0.0.0.0',
    // The daemon's mtu applies to every bridge network it creates without its own (daemon/network.go).
    mtu: d.mtu,
    inhibitIPv4: false,
    trustedHostInterfaces: [],
    containerIfacePrefix: 'eth',
    ipamV4: [],
    ipamV6: [],
    labels: {},
    optionPaths: {},
  };
}

export function defaultIngress(): BridgeNetwork {
  return {
    name: DEFAULT_INGRESS,
    path: ['swarm'],
    driver: 'overlay',
    overlay: { attachable: false, ingress: true, encrypted: false },
    isDefault: false,
    internal: false,
    enableIPv4: true,
    enableIPv6: false,
    icc: true,
    masquerade: false,
    gatewayModeV4: 'nat',
    gatewayModeV6: 'nat',
    hostBindingIPv4: '0.0.0.0',
    mtu: overlayMtu(1500, false),
    inhibitIPv4: false,
    trustedHostInterfaces: [],
    containerIfacePrefix: 'eth',
    ipamV4: [],
    ipamV6: [],
    labels: {},
    optionPaths: {},
  };
}
