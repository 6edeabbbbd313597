// What `netform graph` draws, gathered from a compiled model and its per-host topologies: per host, its
// networks (driver, subnets, gateways, internal, ICC), its containers with their address on each network
// and their network mode, and its published ports seen from the host side; overlays once, spanning the
// hosts. Networks Docker makes by itself (docker_gwbridge, ingress) are shown when a container is
// on them (docker0 always: it is there on every host that has one). The drawers (dot.ts, mermaid.ts)
// read this and nothing else.
import { masked, parsePrefix, prefixString, valueString } from '../../net/index.ts';
import { isDefaultBridge, isIngress } from '../../model/network-types.ts';
import type { Model, Network } from '../../model/types.ts';
import type { Topology } from '../../topology/types.ts';

export interface GraphNetwork {
  /** Unique in the graph: `<host>/<name>` for a local network, `swarm/<name>` for an overlay. */
  readonly id: string;
  readonly name: string;
  readonly driver: string;
  readonly subnets: readonly string[];
  readonly gateways: readonly string[];
  readonly internal: boolean;
  readonly icc: boolean;
  /** The bridge device (br-..., docker0), for bridge networks. */
  readonly device?: string;
  readonly builtIn: boolean;
}

export interface GraphAddress {
  readonly network: string;
  readonly ifname: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
}

export type GraphMode = { readonly kind: 'networks' } | { readonly kind: 'host' } | { readonly kind: 'none' } | { readonly kind: 'shared'; readonly container: string };

export interface GraphContainer {
  readonly id: string;
  readonly name: string;
  readonly hostname: string;
  readonly mode: GraphMode;
  readonly addresses: readonly GraphAddress[];
}

export interface GraphPort {
  /** Container id. */
  readonly container: string;
  readonly hostIP: string;
  readonly hostPort: number;
  readonly proto: string;
  readonly containerPort: number;
}

export interface GraphHost {
  readonly id: string;
  readonly name: string;
  readonly networks: readonly GraphNetwork[];
  readonly containers: readonly GraphContainer[];
  readonly ports: readonly GraphPort[];
}

export interface Graph {
  readonly hosts: readonly GraphHost[];
  readonly overlays: readonly GraphNetwork[];
}

/** What a drawer may be asked to stress, by element (the reachability tracer fills this). */
export type Emphasis = 'reached' | 'unreached' | undefined;
export interface GraphElementRef {
  readonly kind: 'host' | 'network' | 'container';
  readonly id: string;
}

export interface GraphOptions {
  /** Draw this host only. */
  readonly host?: string;
  /** Per element, how to stress it; undefined draws everything alike. */
  readonly emphasis?: (ref: GraphElementRef) => Emphasis;
}

const BUILT_IN = new Set(['bridge', 'docker_gwbridge']);

export function buildGraph(model: Model, topologies: readonly Topology[], options: GraphOptions = {}): Graph {
  const overlays = new Map<string, GraphNetwork>();
  const hosts: GraphHost[] = [];
  for (const t of topologies) {
    if (options.host !== undefined && t.host !== options.host) continue;
    hosts.push(hostGraph(model, t, overlays));
  }
  return { hosts, overlays: [...overlays.values()] };
}

function hostGraph(model: Model, t: Topology, overlays: Map<string, GraphNetwork>): GraphHost {
  const used = new Set(t.endpoints.map((e) => e.network));
  const networks: GraphNetwork[] = [];
  const networkId = new Map<string, string>();
  for (const n of model.networks) {
    if (n.driver === 'overlay') {
      if (!used.has(n.name) && (n.ingress || !t.overlays?.some((o) => o.network === n.name))) continue;
      const id = `swarm/${n.name}`;
      networkId.set(n.name, id);
      if (!overlays.has(id)) overlays.set(id, network(n, id, t.overlays?.find((o) => o.network === n.name)?.bridgeAddresses ?? [], t));
      continue;
    }
    const bridge = t.bridges.find((b) => b.network === n.name);
    const present = bridge !== undefined || ((n.driver === 'macvlan' || n.driver === 'ipvlan') && (n.onHosts === undefined || n.onHosts.includes(t.host)));
    // docker0 is on every host that has it, used or not; docker_gwbridge only matters with a container on it.
    if (!present || (n.name === 'docker_gwbridge' && !used.has(n.name))) continue;
    const id = `${t.host}/${n.name}`;
    networkId.set(n.name, id);
    networks.push(network(n, id, bridge?.addresses ?? [], t, bridge?.name));
  }
  const containerId = (name: string) => `${t.host}/${name}`;
  const containers: GraphContainer[] = t.containers
    .filter((c) => !c.sandbox)
    .map((c) => {
      const eps = t.endpoints.filter((e) => e.container === c.name && networkId.has(e.network));
      const mode: GraphMode =
        c.networking.kind === 'host' ? { kind: 'host' } : c.networking.kind === 'shared' ? { kind: 'shared', container: containerId(c.networking.container) } : eps.length === 0 ? { kind: 'none' } : { kind: 'networks' };
      return {
        id: containerId(c.name),
        name: c.name,
        hostname: c.hostname,
        mode,
        addresses: eps.map((e) => ({ network: networkId.get(e.network)!, ifname: e.ifname, ...(e.ipv4 ? { ipv4: e.ipv4 } : {}), ...(e.ipv6 ? { ipv6: e.ipv6 } : {}) })),
      };
    });
  const ports = t.ports.map((p) => ({ container: containerId(p.container), hostIP: p.hostIP, hostPort: p.hostPort, proto: p.proto, containerPort: p.containerPort }));
  return { id: `host/${t.host}`, name: t.host, networks, containers, ports: dedupePorts(ports) };
}

function network(n: Network, id: string, addresses: readonly string[], t: Topology, device?: string): GraphNetwork {
  const prefixes = addresses.map((a) => parsePrefix(a)).filter((p) => p !== undefined);
  let subnets = prefixes.map((p) => prefixString(masked(p)));
  if (subnets.length === 0) {
    // No bridge address (macvlan, ipvlan, an internal IPv6-only network): the endpoints' prefixes.
    const fromEndpoints = t.endpoints
      .filter((e) => e.network === n.name)
      .flatMap((e) => [e.ipv4 && e.ipv4PrefixLength !== undefined ? `${e.ipv4}/${e.ipv4PrefixLength}` : '', e.ipv6 && e.ipv6PrefixLength !== undefined ? `${e.ipv6}/${e.ipv6PrefixLength}` : '']);
    const configured = [...n.ipamV4, ...n.ipamV6].map((c) => c.subnet ?? '');
    subnets = [...new Set([...configured, ...fromEndpoints].filter((s) => s !== '').map((s) => prefixString(masked(parsePrefix(s)!))))];
  }
  return {
    id,
    name: n.name,
    driver: n.driver,
    subnets,
    gateways: prefixes.map((p) => valueString(p.family, p.address)),
    internal: n.internal,
    // Only a bridge can turn inter-container traffic off.
    icc: n.driver === 'bridge' ? n.icc : true,
    ...(device ? { device } : {}),
    builtIn: isDefaultBridge(n) || BUILT_IN.has(n.name) || isIngress(n),
  };
}

/** One line per binding seen from the host: the IPv4 and IPv6 "any" addresses of one port are one entry. */
function dedupePorts(ports: readonly GraphPort[]): GraphPort[] {
  const seen = new Set<string>();
  const out: GraphPort[] = [];
  for (const p of ports) {
    const any = p.hostIP === '' || p.hostIP === '0.0.0.0' || p.hostIP === '::';
    const norm = { ...p, hostIP: any ? '' : p.hostIP };
    const k = `${norm.container}|${norm.hostIP}|${norm.hostPort}|${norm.proto}|${norm.containerPort}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(norm);
  }
  return out;
}
