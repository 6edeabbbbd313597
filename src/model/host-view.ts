// One host's view of a (possibly multi-host) model: what that host's dockerd knows. Its local networks
// (docker0, docker_gwbridge, the bridge/macvlan/ipvlan networks created on it), every overlay, its own
// containers, and, in swarm mode, its ingress_sbox. Endpoints Docker adds by itself are made explicit here:
// a service task publishing in mode ingress joins the ingress network first, and a container whose
// endpoints give it no default gateway joins docker_gwbridge (libnetwork default_gateway.go).
import { networkHosts } from './host-checks.ts';
import { GATEWAY_BRIDGE } from './swarm-networks.ts';
import { isIngress } from './network-types.ts';
import type { Container, EndpointRequest, Model, Network, OverlayNetwork } from './types.ts';

/**
 * The routing mesh's namespace on every swarm node: the ingress sandbox's id, and so its namespace file
 * /var/run/docker/netns/ingress_sbox (controller.go NewSandbox: `sb.id = "ingress_sbox"`). Other
 * overlays' load-balancer sandboxes (lb_<network id>) are not made by netform.
 */
export const INGRESS_SANDBOX = 'ingress_sbox';

/** The ingress network of a swarm-mode model. */
export const ingressNetwork = (m: Model): OverlayNetwork | undefined => m.networks.find((n): n is OverlayNetwork => isIngress(n));

/** Whether an endpoint on `n` gives the container a default gateway (the driver sets one on Join). */
const givesGateway = (n: Network): boolean => !n.internal && n.driver !== 'overlay';

declare const joinsMade: unique symbol;

/**
 * A model whose containers' endpoints are the ones Docker joins (joinedModel), in join order: what IPAM,
 * the overlay peers and the host views read. A plain Model still has the endpoints as written.
 */
export type JoinedModel = Model & { readonly [joinsMade]: true };

/** `m` with every container's endpoints as Docker joins them (dockerJoins), worked out once per compile. */
export function joinedModel(m: Model): JoinedModel {
  if (!m.swarm) return m as JoinedModel;
  const networks = joinNetworks(m);
  const joined: Model = { ...m, containers: m.containers.map((c) => (c.mode.kind === 'networks' ? { ...c, endpoints: dockerJoins(networks, c) } : c)) };
  return joined as JoinedModel;
}

/** What dockerJoins looks up: the networks by name, and the ingress network. */
interface JoinNetworks {
  readonly byName: ReadonlyMap<string, Network>;
  readonly ingress?: OverlayNetwork;
}

function joinNetworks(m: Model): JoinNetworks {
  const ingress = ingressNetwork(m);
  return { byName: new Map(m.networks.map((n) => [n.name, n])), ...(ingress ? { ingress } : {}) };
}

/**
 * A container's endpoints in join order with Docker's own additions: ingress first for a task that
 * publishes in mode ingress; docker_gwbridge right after the first endpoint that needs a gateway when no
 * endpoint joined so far gives one, and dropped again when a later endpoint gives one (Sandbox
 * setupDefaultGW / clearDefaultGW run at every join).
 */
function dockerJoins({ byName, ingress }: JoinNetworks, c: Container): EndpointRequest[] {
  const joins: EndpointRequest[] = [];
  if (ingress && (c.sandbox === 'ingress' || (c.service && c.ports.some((p) => p.mode === 'ingress')))) {
    joins.push({ network: ingress.name, aliases: [], gwPriority: 0, path: c.sandbox ? ['swarm'] : c.path });
  }
  if (!c.sandbox) joins.push(...c.endpoints);
  const out: EndpointRequest[] = [];
  // Interface numbers in use: each join takes the lowest free one; the interface is made before the
  // gateway endpoint is dropped (populateNetworkResourcesOS, then clearDefaultGW).
  const used = new Set<number>();
  const join = (e: EndpointRequest): EndpointRequest => {
    let slot = 0;
    while (used.has(slot)) slot++;
    used.add(slot);
    const joined = { ...e, slot };
    out.push(joined);
    return joined;
  };
  let gwEndpoint: EndpointRequest | undefined;
  for (const e of joins) {
    const n = byName.get(e.network);
    join(e);
    if (!n) continue;
    if (givesGateway(n)) {
      if (gwEndpoint) {
        out.splice(out.indexOf(gwEndpoint), 1);
        used.delete(gwEndpoint.slot!);
      }
      gwEndpoint = undefined;
    } else if (!n.internal && !gwEndpoint && !out.some((x) => byName.get(x.network) && givesGateway(byName.get(x.network)!))) {
      gwEndpoint = join({ network: GATEWAY_BRIDGE, aliases: [], gwPriority: 0, path: e.path });
    }
  }
  return out;
}

/** The ingress_sbox of `host` as a pseudo-container (it has a namespace, endpoints and routes, but no files). */
export function ingressSandbox(host: string): Container {
  return {
    name: INGRESS_SANDBOX,
    path: ['swarm'],
    host,
    endpointMode: 'vip',
    sandbox: 'ingress',
    hostname: INGRESS_SANDBOX,
    mode: { kind: 'networks' },
    endpoints: [],
    ports: [],
    expose: [],
    extraHosts: [],
    links: [],
  };
}

/**
 * Each host's part of the model, indexed once per compile so that a host's view costs what the host
 * holds, never what the fleet holds: its networks in model order (local networks created on it; the
 * overlays it has an endpoint on, the ingress network for its ingress_sbox; a node's dockerd creates an
 * overlay only when a task or container there attaches to it, ov_network.go joinSandbox) and its
 * containers in file order.
 */
export interface HostIndex {
  readonly networks: ReadonlyMap<string, readonly Network[]>;
  readonly containers: ReadonlyMap<string, readonly Container[]>;
  /** What the ingress_sbox's joins look up; absent without an ingress_sbox. */
  readonly sandboxJoins?: JoinNetworks;
}

export function hostIndex(m: JoinedModel): HostIndex {
  const networks = new Map<string, Network[]>(m.hosts.map((h) => [h.name, []]));
  const containers = new Map<string, Container[]>(m.hosts.map((h) => [h.name, []]));
  const overlayHosts = new Map<string, Set<string>>();
  for (const c of m.containers) {
    containers.get(c.host)?.push(c);
    if (c.mode.kind !== 'networks') continue;
    for (const e of c.endpoints) {
      const on = overlayHosts.get(e.network);
      if (on) on.add(c.host);
      else overlayHosts.set(e.network, new Set([c.host]));
    }
  }
  const joins = joinNetworks(m);
  const sandboxes = !!m.swarm && !!joins.ingress;
  for (const n of m.networks) {
    const on = n.driver !== 'overlay' ? networkHosts(m, n) : sandboxes && isIngress(n) ? m.hosts.map((h) => h.name) : overlayHosts.get(n.name) ?? [];
    for (const h of on) networks.get(h)?.push(n);
  }
  return { networks, containers, ...(sandboxes ? { sandboxJoins: joins } : {}) };
}

/** The model as the dockerd of `host` sees it, its ingress_sbox first in swarm mode. */
export function hostView(m: Model, index: HostIndex, host: Model['host']): Model {
  const networks = index.networks.get(host.name) ?? [];
  const own = index.containers.get(host.name) ?? [];
  // The ingress sandbox joins docker_gwbridge at swarm init/join, before any container (172.18.0.2).
  const joins = index.sandboxJoins;
  const sandbox = joins ? [{ ...ingressSandbox(host.name), endpoints: dockerJoins(joins, ingressSandbox(host.name)) }] : [];
  return { ...m, host, networks, containers: [...sandbox, ...own] };
}
