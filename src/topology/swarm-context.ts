// What every host's topology reads of the whole swarm, worked out once per compile: the overlay endpoints
// on every host by network, every container by name, the hosts' underlay addresses and the routing mesh.
// Each host's topology then looks up only what concerns it, so that its cost follows what the host holds
// (its containers, its networks, the remote endpoints of the overlays it joins), not the fleet's size.
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { SwarmAddressing } from '../ipam/swarm.ts';
import { NO_LOCK, SWARM_SCOPE, type LockScope } from '../lock/index.ts';
import { ingressNetwork, type JoinedModel } from '../model/host-view.ts';
import type { Container } from '../model/types.ts';
import { overlayMembers, overlayPeers, type OverlayMember } from './overlay-sandboxes.ts';
import { routingMesh, type MeshService } from './swarm-firewall.ts';
import type { OverlayPeer } from './types.ts';

export interface SwarmContext {
  readonly swarm: SwarmAddressing;
  /** The endpoints on each overlay, on every host: each host's ingress_sbox in host order, then containers in file order. */
  readonly members: ReadonlyMap<string, readonly OverlayMember[]>;
  /** Every container of the model by name, its endpoints as Docker joins them (hosts files name peers on other hosts). */
  readonly containers: ReadonlyMap<string, Container>;
  /** Each member's neighbour and FDB entries on the other hosts (none on a host without an underlay address). */
  readonly peers: ReadonlyMap<OverlayMember, OverlayPeer>;
  /** The services publishing in mode ingress, as every node balances them. */
  readonly mesh: readonly MeshService[];
}

/** `lock`: the whole lock (the MACs of overlay endpoints without IPv4, the ingress ports swarm chose). */
export function swarmContext(m: JoinedModel, swarm: SwarmAddressing, diagnostics: Diagnostic[], lock: LockScope = NO_LOCK): SwarmContext {
  const members = overlayMembers(m, swarm, lock);
  const ingress = ingressNetwork(m);
  return {
    swarm,
    members,
    containers: new Map(m.containers.map((c) => [c.name, c])),
    peers: overlayPeers(members, new Map(m.hosts.map((h) => [h.name, h.address]))),
    mesh: routingMesh(m, m.containers, swarm, (ingress && members.get(ingress.name)) ?? [], diagnostics, lock.scope(SWARM_SCOPE)),
  };
}
