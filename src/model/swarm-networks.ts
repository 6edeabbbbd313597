// The networks swarm mode brings with it: docker_gwbridge (every node's egress bridge for overlay
// containers, daemon/libnetwork/default_gateway_linux.go createGWNetwork) and the default `ingress`
// overlay of the routing mesh (swarmkit manager.go newIngressNetwork: no IPAM config, so its subnet is the
// first of the swarm's global pool, 10.0.0.0/24).
import { newNetwork } from './network-defaults.ts';
import type { BridgeNetwork, DaemonSettings, OverlayNetwork } from './types.ts';

export const GATEWAY_BRIDGE = 'docker_gwbridge';
export const DEFAULT_INGRESS = 'ingress';

/** enable_icc=false, enable_ip_masquerade=true, IPv4 only, bridge device named docker_gwbridge. */
export const gatewayBridge = (d: DaemonSettings): BridgeNetwork =>
  newNetwork('bridge', GATEWAY_BRIDGE, ['swarm'], {
    bridgeName: GATEWAY_BRIDGE,
    icc: false,
    // The daemon's mtu applies to every bridge network it creates without its own (daemon/network.go).
    mtu: d.mtu,
  });

export const defaultIngress = (): OverlayNetwork => newNetwork('overlay', DEFAULT_INGRESS, ['swarm'], { ingress: true });
