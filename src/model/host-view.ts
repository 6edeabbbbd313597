// One host's view of a (possibly multi-host) model: what that host's dockerd knows. Its local networks
// (docker0, docker_gwbridge, the bridge/macvlan/ipvlan networks created on it), every overlay, its own
// containers, and, in swarm mode, its ingress_sbox. Endpoints Docker adds by itself are made explicit here:
// a service task publishing in mode ingress joins the ingress network first, and a container whose
// endpoints give it no default gateway joins docker_gwbridge (libnetwork default_gateway.go).
import { networkHosts } from './host-checks.ts';
import { GATEWAY_BRIDGE } from './swarm-networks.ts';
import { isIngress } from './network-types.ts';
import type { Container, EndpointRequest, Model, Network, OverlayNetwork } from './types.ts';

/** Networks by name, built once per network list (swarmEndpoints runs for every container). */
const networkIndex = new WeakMap<readonly Network[], ReadonlyMap<string, Network>>();
function networksByName(list: readonly Network[]): ReadonlyMap<string, Network> {
  let map = networkIndex.get(list);
  if (!map) {
    map = new Map(list.map((n) => [n.name, n]));
    networkIndex.set(list, map);
  }
  return map;
}

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

/**
 * A container's endpoints in join order with Docker's own additions: ingress first for a task that
 * publishes in mode ingress; docker_gwbridge right after the first endpoint that needs a gateway when no
 * endpoint joined so far gives one, and dropped again when a later endpoint gives one (Sandbox
 * setupDefaultGW / clearDefaultGW run at every join).
 */
export function swarmEndpoints(m: Model, c: Container): readonly EndpointRequest[] {
  if (!m.swarm || c.mode.kind !== 'networks') return c.endpoints;
  // IPAM, the overlay peers and the host views all ask for the same container: work it out once.
  let cached = joinsOf.get(m.networks);
  if (!cached) joinsOf.set(m.networks, (cached = new WeakMap()));
  let out = cached.get(c);
  if (!out) cached.set(c, (out = explicitJoins(m, c)));
  return out;
}

/** swarmEndpoints, per network list and container. */
const joinsOf = new WeakMap<readonly Network[], WeakMap<Container, readonly EndpointRequest[]>>();

function explicitJoins(m: Model, c: Container): EndpointRequest[] {
  const byName = networksByName(m.networks);
  const ingress = ingressNetwork(m);
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

/** The model as the dockerd of `hostName` sees it, endpoints made explicit (swarmEndpoints). */
export function hostView(m: Model, hostName: string): Model {
  const host = m.hosts.find((h) => h.name === hostName)!;
  const networks = m.networks.filter((n) => n.driver === 'overlay' || networkHosts(m, n).includes(hostName));
  const own = m.containers.filter((c) => c.host === hostName);
  // The ingress sandbox joins docker_gwbridge at swarm init/join, before any container (172.18.0.2).
  const containers = [...(m.swarm && ingressNetwork(m) ? [ingressSandbox(hostName)] : []), ...own].map((c) => ({ ...c, endpoints: swarmEndpoints(m, c) }));
  return { ...m, host, networks, containers };
}
