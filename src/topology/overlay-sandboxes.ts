// Overlay networks across hosts. Docker learns where every peer is through swarm's gossip (networkdb)
// and programs the overlay namespace's neighbour and FDB tables as peers come and go (overlay/peerdb.go
// addNeighbor: `neigh <ip> lladdr <mac> dev vxlan0 nud permanent`, `fdb <mac> dev vxlan0 dst <vtep> self
// permanent`). netform knows every placement up front, so it writes that state statically, plus one
// flood entry (00:00:00:00:00:00) per peer host for broadcast and multicast.
import { endpointKey } from '../ipam/allocate.ts';
import type { SwarmAddressing } from '../ipam/swarm.ts';
import { endpointMacKey, NO_LOCK, SWARM_SCOPE, type LockScope } from '../lock/index.ts';
import { ingressNetwork, INGRESS_SANDBOX, type JoinedModel } from '../model/host-view.ts';
import type { Model } from '../model/types.ts';
import { pick, type ChosenNames } from './chosen.ts';
import { derivedMac, macFromIPv4, overlayNamespace, vxlanDeviceName } from './derived-names.ts';
import type { OverlayPeer, OverlaySandbox } from './types.ts';
import { originOf } from './origin.ts';

/** One endpoint on an overlay network, on any host. */
export interface OverlayMember {
  readonly network: string;
  readonly host: string;
  readonly container: string;
  readonly mac: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
  readonly aliases: readonly string[];
}

/**
 * Overlay endpoints take GenerateMACFromIP (02:42 + IPv4) unless configured (overlay/ov_endpoint.go
 * CreateEndpoint); one without IPv4 a random MAC (`random`: the lock's, or derived).
 */
export function overlayMac(configured: string | undefined, ipv4: string | undefined, random: () => string): string {
  return configured ?? (ipv4 ? macFromIPv4(ipv4) : random());
}

/**
/**
 * Every overlay endpoint of the model (all hosts) by network: each host's ingress_sbox, then containers in
 * file order. `lock`: the whole lock (its swarm scope keeps the MACs of endpoints without IPv4).
 */
export function overlayMembers(m: JoinedModel, swarm: SwarmAddressing, lock: LockScope = NO_LOCK): Map<string, OverlayMember[]> {
  const swarmLock = lock.scope(SWARM_SCOPE);
  const out = new Map<string, OverlayMember[]>();
  const add = (x: OverlayMember) => {
    const list = out.get(x.network);
    if (list) list.push(x);
    else out.set(x.network, [x]);
  };
  const ingress = ingressNetwork(m);
  if (ingress) {
    for (const h of m.hosts) {
      const ip = swarm.ingressSandboxes.get(h.name);
      if (ip) add({ network: ingress.name, host: h.name, container: INGRESS_SANDBOX, mac: macFromIPv4(ip), ipv4: ip, aliases: [] });
    }
  }
  const overlays = new Set(m.networks.filter((n) => n.driver === 'overlay').map((n) => n.name));
  for (const c of m.containers) {
    for (const [i, e] of c.endpoints.entries()) {
      if (!overlays.has(e.network)) continue;
      const a = swarm.addressing.endpoints.get(endpointKey(c.name, e.network));
      if (!a) continue;
      const configured = i === 0 ? e.macAddress ?? c.macAddress : e.macAddress;
      add({
        network: e.network,
        host: c.host,
        container: c.name,
        mac: overlayMac(configured, a.v4, () => pick(swarmLock, endpointMacKey(e.network, c.name), e.path, () => derivedMac('endpoint', c.name, e.network))),
        ...(a.v4 ? { ipv4: a.v4 } : {}),
        ...(a.v6 ? { ipv6: a.v6 } : {}),
        aliases: e.aliases,
      });
    }
  }
  return out;
}

/**
 * Each member's neighbour and FDB entries as every other host on its network writes them (those on a
 * host without an underlay address have none), made once: the ingress network alone gives every host an
 * entry for every other host.
 */
export function overlayPeers(members: ReadonlyMap<string, readonly OverlayMember[]>, underlay: ReadonlyMap<string, string | undefined>): Map<OverlayMember, OverlayPeer> {
  const out = new Map<OverlayMember, OverlayPeer>();
  for (const list of members.values()) {
    for (const x of list) {
      const vtep = underlay.get(x.host);
      if (vtep === undefined) continue;
      out.set(x, { container: x.container, host: x.host, mac: x.mac, ...(x.ipv4 ? { ipv4: x.ipv4 } : {}), ...(x.ipv6 ? { ipv6: x.ipv6 } : {}), vtep });
    }
  }
  return out;
}

/**
 * The overlay namespaces of `view.host`: one per overlay with at least one endpoint on this host, with a
 * neighbour and FDB entry per endpoint on another host (`members`: by network, on every host).
 */
export function overlaySandboxes(
  view: Model,
  swarm: SwarmAddressing,
  members: ReadonlyMap<string, readonly OverlayMember[]>,
  peers: ReadonlyMap<OverlayMember, OverlayPeer>,
  names: ChosenNames,
): OverlaySandbox[] {
  const here = view.host.name;
  const local = view.host.address;
  const out: OverlaySandbox[] = [];
  for (const n of view.networks) {
    if (n.driver !== 'overlay') continue;
    const onNet = members.get(n.name) ?? [];
    if (!onNet.some((x) => x.host === here)) continue;
    const na = swarm.addressing.networks.get(n.name) ?? {};
    const vni = swarm.vnis.get(n.name)!;
    const remote = onNet.filter((x) => x.host !== here).map((x) => peers.get(x)).filter((p): p is OverlayPeer => p !== undefined);
    const floods = [...new Set(remote.map((p) => p.vtep))];
    const id = names.networkId(n);
    out.push({
      network: n.name,
      namespace: overlayNamespace(id),
      vni,
      mtu: n.mtu,
      vxlanName: vxlanDeviceName(vni, id),
      bridgeAddresses: [
        ...(na.v4?.gateway ? [`${na.v4.gateway}/${na.v4.prefixLength}`] : []),
        ...(na.v6?.gateway ? [`${na.v6.gateway}/${na.v6.prefixLength}`] : []),
      ],
      bridgeMac: names.bridgeMac(n, () => derivedMac('overlay-bridge', here, n.name)),
      ...(local ? { local } : {}),
      port: view.swarm?.dataPathPort ?? 4789,
      encrypted: n.encrypted,
      floods,
      peers: remote,
      origin: originOf(view, n.path),
    });
  }
  return out;
}
