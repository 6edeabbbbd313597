// Which of a container's endpoints provides its default routes (and so gets its published ports):
// libnetwork's Endpoint.Less (sandbox.go) and Sandbox.getGatewayEndpoint (default_gateway.go), Docker 29.
import type { EndpointRequest, Network } from '../model/types.ts';
import type { EndpointAddressing } from '../ipam/types.ts';

export interface GatewayCandidate {
  readonly request: EndpointRequest;
  readonly network: Network;
  readonly addresses: EndpointAddressing;
  /** The network has a gateway the container can route through, per family. */
  readonly gw4: boolean;
  readonly gw6: boolean;
}

/** Higher gw_priority first, then non-internal, then more gateway families, then network name. */
export function compareGatewayCandidates(a: GatewayCandidate, b: GatewayCandidate): number {
  if (a.request.gwPriority !== b.request.gwPriority) return b.request.gwPriority - a.request.gwPriority;
  if (a.network.internal !== b.network.internal) return a.network.internal ? 1 : -1;
  const count = (c: GatewayCandidate) => (c.gw4 && c.gw6 ? 2 : c.gw4 || c.gw6 ? 1 : 0);
  if (count(a) !== count(b)) return count(b) - count(a);
  return a.network.name < b.network.name ? -1 : a.network.name > b.network.name ? 1 : 0;
}

export function gatewayEndpoints(candidates: readonly GatewayCandidate[]): { gw4?: GatewayCandidate; gw6?: GatewayCandidate } {
  const sorted = [...candidates].sort(compareGatewayCandidates);
  return { gw4: sorted.find((c) => c.gw4), gw6: sorted.find((c) => c.gw6) };
}
