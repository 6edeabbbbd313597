// Each container's endpoints in join order: the interface on each network (its name, MAC, addresses and
// how it attaches), the default routes of the endpoints chosen as gateways, and the published ports bound
// on the gateway endpoints of bridge networks; then the legacy links between containers on the default
// bridge.
import { warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { endpointKey } from '../ipam/allocate.ts';
import type { Addressing, EndpointAddressing } from '../ipam/types.ts';
import { engineRelease } from '../model/engine.ts';
import { isDefaultBridge } from '../model/network-types.ts';
import type { Container, EndpointRequest, Model, Network } from '../model/types.ts';
import { networkOf, parseCIDR, valueString } from '../net/index.ts';
import type { FirewallEndpoint, FirewallLink } from '../firewall/input.ts';
import type { ChosenNames } from './chosen.ts';
import { derivedMac, dummyParentName, macFromIPv4, overlayNamespace, vethName } from './derived-names.ts';
import { gatewayEndpoints, type GatewayCandidate } from './gateway.ts';
import { linkPorts } from './link-ports.ts';
import { overlayMac } from './overlay-sandboxes.ts';
import { bindEndpointPorts, endpointBindingRequests, HostPorts, lockBindings, type BindingRequest } from './port-bindings.ts';
import type { Endpoint, EndpointAttachment, PortMapping, Route } from './types.ts';
import { originOf } from './origin.ts';

/**
 * An endpoint's MAC: the one configured (the container-level mac_address applies to its first network),
 * else one made as the release makes it (EngineRelease.macs): 02:42 + the IPv4 address, or random (the
 * lock's, or derived). Overlay endpoints get theirs from the overlay driver (overlayMac).
 */
function endpointMac(m: Model, names: ChosenNames, c: Container, req: EndpointRequest, index: number, n: Network, ipv4: string | undefined): string {
  const configured = index === 0 ? req.macAddress ?? c.macAddress : req.macAddress;
  const random = () => names.endpointMac(n, c.name, req.path, () => derivedMac('endpoint', c.name, n.name));
  if (n.driver === 'overlay') return overlayMac(configured, ipv4, random);
  if (configured) return configured;
  return engineRelease(m.engine).macs === 'from-ipv4' && ipv4 ? macFromIPv4(ipv4) : random();
}

/**
 * The default bridge's IPv6 address of an endpoint where the release defers it to the MAC
 * (EngineRelease.deferredDefaultBridgeIPv6): the network's upper 80 bits and the 48 of the MAC, e.g.
 * fd00:20:10::242:ac11:2.
 */
function deferredIPv6(m: Model, n: Network, addresses: EndpointAddressing, mac: string): EndpointAddressing {
  if (!engineRelease(m.engine).deferredDefaultBridgeIPv6 || !isDefaultBridge(n) || !addresses.v6 || !m.daemon.fixedCidrV6) return addresses;
  const p = parseCIDR(m.daemon.fixedCidrV6);
  if (!p || p.family !== 6 || p.length > 80) return addresses;
  const macBits = BigInt(`0x${mac.split(':').join('')}`);
  const value = (networkOf(p) & ~((1n << 48n) - 1n)) | macBits;
  return { ...addresses, v6: valueString(6, value) };
}

/** How an endpoint on `n` attaches (undefined: a veth to a bridge of the host namespace). */
function attachment(n: Network, names: ChosenNames): EndpointAttachment | undefined {
  switch (n.driver) {
    case 'bridge':
      return undefined;
    case 'overlay':
      return { kind: 'overlay', namespace: overlayNamespace(names.networkId(n)) };
    case 'macvlan':
      return { kind: 'macvlan', parent: n.parent ?? dummyParentName('macvlan', names.networkId(n)), mode: n.mode };
    case 'ipvlan':
      return { kind: 'ipvlan', parent: n.parent ?? dummyParentName('ipvlan', names.networkId(n)), mode: n.mode, flag: n.flag };
  }
}

/** An endpoint a container joins, with its MAC; a candidate for the container's gateway. */
interface Joined extends GatewayCandidate {
  readonly mac: string;
}

/** The container's endpoints that got addresses, in join order. */
function joinedEndpoints(m: Model, a: Addressing, names: ChosenNames, networks: ReadonlyMap<string, Network>, c: Container): Joined[] {
  const out: Joined[] = [];
  for (const req of c.endpoints) {
    const n = networks.get(req.network);
    const allocated = a.endpoints.get(endpointKey(c.name, req.network));
    if (!n || !allocated) continue;
    const na = a.networks.get(n.name) ?? {};
    const mac = endpointMac(m, names, c, req, out.length, n, allocated.v4);
    const addresses = deferredIPv6(m, n, allocated, mac);
    // The overlay driver gives no gateway (docker_gwbridge does); the others route via the subnet's, but
    // for internal networks (an internal bridge too up to 24: EngineRelease.internalBridgeGateway).
    const routes = n.driver !== 'overlay' && (!n.internal || (n.driver === 'bridge' && engineRelease(m.engine).internalBridgeGateway));
    out.push({
      request: req,
      network: n,
      addresses,
      mac,
      gw4: routes && !!addresses.v4 && !!(na.v4?.defaultGateway ?? na.v4?.gateway),
      gw6: routes && !!addresses.v6 && !!(na.v6?.defaultGateway ?? na.v6?.gateway),
    });
  }
  // Up to 24 one endpoint gives both default routes (getGatewayEndpoint: the first in Endpoint.Less order
  // with a gateway), and internal networks sort last: an internal gateway is used only when the
  // container has no other.
  if (out.some((j) => !j.network.internal && (j.gw4 || j.gw6))) {
    return out.map((j) => (j.network.internal ? { ...j, gw4: false, gw6: false } : j));
  }
  return out;
}

/** Endpoints, routes and port mappings of every container, with the endpoints' firewall input. */
export interface Connections {
  readonly endpoints: Endpoint[];
  readonly firewallEndpoints: FirewallEndpoint[];
  readonly ports: PortMapping[];
  /** Each container's default routes. */
  readonly routes: Map<string, Route[]>;
}

/** The interface a joined endpoint gets in the container. */
function endpointOf(m: Model, a: Addressing, names: ChosenNames, c: Container, j: Joined, index: number): Endpoint {
  const n = j.network;
  const na = a.networks.get(n.name) ?? {};
  const attach = attachment(n, names);
  return {
    container: c.name,
    network: n.name,
    bridge: n.driver === 'overlay' ? 'br0' : names.deviceName(n),
    hostIfname: vethName(c.name, n.name),
    ifname: j.request.interfaceName ?? `${n.containerIfacePrefix}${j.request.slot ?? index}`,
    mac: j.mac,
    mtu: n.mtu,
    ...(j.addresses.v4 ? { ipv4: j.addresses.v4, ipv4PrefixLength: na.v4!.prefixLength } : {}),
    ...(j.addresses.v6 ? { ipv6: j.addresses.v6, ipv6PrefixLength: na.v6!.prefixLength } : {}),
    hairpin: n.driver === 'bridge' && !m.daemon.userlandProxy,
    aliases: j.request.aliases,
    ...(attach ? { attachment: attach } : {}),
    origin: originOf(m, j.request.path),
  };
}

/** The default routes through the container's gateway endpoints, out of their interfaces. */
function defaultRoutes(a: Addressing, joined: readonly Joined[], ifnames: readonly string[], gw: { gw4?: GatewayCandidate; gw6?: GatewayCandidate }): Route[] {
  const routes: Route[] = [];
  joined.forEach((j, index) => {
    const n = j.network;
    const na = a.networks.get(n.name) ?? {};
    // ipvlan in l3/l3s mode routes everything out of the device, with no next hop (ipvlan_joinleave.go).
    const connected = n.driver === 'ipvlan' && (n.mode === 'l3' || n.mode === 'l3s');
    const via = (v: string) => (connected ? {} : { via: v });
    if (j === gw.gw4) routes.push({ family: 4, destination: 'default', ...via(na.v4!.defaultGateway ?? na.v4!.gateway!), device: ifnames[index]! });
    if (j === gw.gw6) routes.push({ family: 6, destination: 'default', ...via(na.v6!.defaultGateway ?? na.v6!.gateway!), device: ifnames[index]! });
  });
  return routes;
}

/** A container's endpoints in join order, its gateway endpoints, and the port bindings of each bridge endpoint. */
interface ContainerJoins {
  readonly container: Container;
  readonly joined: readonly Joined[];
  readonly gw: { gw4?: GatewayCandidate; gw6?: GatewayCandidate };
  readonly bindings: ReadonlyMap<Joined, readonly BindingRequest[]>;
}

function containerJoins(m: Model, a: Addressing, names: ChosenNames, networks: ReadonlyMap<string, Network>, c: Container): ContainerJoins {
  const joined = joinedEndpoints(m, a, names, networks, c);
  const gw = gatewayEndpoints(joined);
  // Ports in mode ingress belong to the routing mesh, not to the container's gateway endpoint.
  const published = c.ports.filter((p) => p.mode !== 'ingress');
  const bindings = new Map<Joined, BindingRequest[]>();
  for (const j of joined) {
    const n = j.network;
    if (n.driver !== 'bridge') continue;
    // An internal network's gateway (Docker 20.10) routes, but never publishes: sbJoin programs external
    // connectivity only on non-internal networks.
    const external = (x?: GatewayCandidate) => !!x && !x.network.internal;
    bindings.set(j, endpointBindingRequests({ network: n, addresses: j.addresses, isGw4: j === gw.gw4 && external(gw.gw4), isGw6: j === gw.gw6 && external(gw.gw6), hasGw6: external(gw.gw6), userlandProxy: m.daemon.userlandProxy }, published));
  }
  if (names.lock.host.active) lockBindings(c.name, [...bindings.values()].flat(), names.lock.host);
  return { container: c, joined, gw, bindings };
}

/** A bridge endpoint's published ports, bound on the host; the firewall's view of the endpoint. */
function publishPorts(m: Model, c: Container, j: Joined, requests: readonly BindingRequest[], hostPorts: HostPorts, out: Connections): void {
  const n = j.network;
  const mapped = bindEndpointPorts(requests, hostPorts, c.name, n.name);
  // A loop, not push(...mapped): a range of 60,000 ports is more arguments than a call takes.
  for (const p of mapped) out.ports.push(p);
  // Each mapping's request, found through a map: a search per mapping would be quadratic in the range.
  const key = (path: unknown, containerPort: number, hostIP: string, proto: string) => `${JSON.stringify(path)}\u0000${containerPort}\u0000${hostIP}\u0000${proto}`;
  const byKey = new Map<string, BindingRequest>();
  for (const r of requests) {
    const k = key(r.source.path, r.containerPort, r.hostIP, r.proto);
    if (!byKey.has(k)) byKey.set(k, r);
  }
  out.firewallEndpoints.push({
    network: n.name,
    container: c.name,
    ...(j.addresses.v4 ? { addr4: j.addresses.v4 } : {}),
    ...(j.addresses.v6 ? { addr6: j.addresses.v6 } : {}),
    ports: mapped
      .filter((p) => p.mapper !== 'proxy')
      .map((p) => {
        const req = byKey.get(key(p.origin, p.containerPort, p.hostIP, p.proto))!;
        return { proto: p.proto, hostIP: p.hostIP, hostPort: p.hostPort, containerPort: p.containerPort, requestedHostPorts: [req.hostPort, req.hostPortEnd] as const, origin: p.origin };
      }),
    origin: originOf(m, j.request.path),
  });
}

/**
 * Every container's endpoints, default routes and published ports, in container and join order. The
 * joins are worked out first, so that the host ports a lock pins are reserved before any is bound.
 */
export function connectContainers(m: Model, a: Addressing, names: ChosenNames, diagnostics: Diagnostic[]): Connections {
  const networks = new Map(m.networks.map((n) => [n.name, n]));
  const out: Connections = { endpoints: [], firewallEndpoints: [], ports: [], routes: new Map() };
  const hostPorts = new HostPorts(names.lock.host);
  const joins = m.containers.filter((c) => c.mode.kind === 'networks').map((c) => containerJoins(m, a, names, networks, c));
  if (names.lock.host.active) for (const x of joins) hostPorts.reserve(x.container.name, [...x.bindings.values()].flat());
  for (const { container: c, joined, gw, bindings } of joins) {
    const endpoints = joined.map((j, index) => endpointOf(m, a, names, c, j, index));
    out.endpoints.push(...endpoints);
    out.routes.set(c.name, defaultRoutes(a, joined, endpoints.map((e) => e.ifname), gw));
    for (const j of joined) {
      const n = j.network;
      const requests = bindings.get(j);
      if (requests) publishPorts(m, c, j, requests, hostPorts, out);
      else if ((j === gw.gw4 || j === gw.gw6) && c.ports.some((p) => p.mode !== 'ingress')) {
        // macvlan / ipvlan: "port mappings are ignored" (the drivers make no iptables rules); overlay
        // endpoints never hold the gateway, so ports go to docker_gwbridge instead.
        diagnostics.push(warning('PORTS_IGNORED', [...c.path, 'ports'], `published ports are ignored on ${n.driver} network "${n.name}", which gives container "${c.name}" its gateway (Docker: port mappings are not supported by the ${n.driver} driver)`, { atKey: true }));
      }
    }
  }
  for (const d of hostPorts.diagnostics) diagnostics.push(d);
  return out;
}

/**
 * Legacy links: each link between two containers' first endpoints on the default bridge (the only
 * network they work on), with the child's exposed ports: `expose` plus every published container port.
 */
export function legacyLinks(m: Model, endpoints: readonly Endpoint[]): FirewallLink[] {
  const links: FirewallLink[] = [];
  const byName = new Map(m.containers.map((c) => [c.name, c]));
  // Each container's first endpoint on the default bridge, indexed once: a lookup per link would be quadratic.
  const onDefault = new Map<string, Endpoint>();
  const defaultBridgeName = m.networks.find(isDefaultBridge)?.name;
  for (const e of endpoints) if (!onDefault.has(e.container) && e.network === defaultBridgeName) onDefault.set(e.container, e);
  for (const c of m.containers) {
    for (const l of c.links) {
      const parent = onDefault.get(c.name);
      const child = onDefault.get(l.container);
      const childModel = byName.get(l.container);
      if (!parent?.ipv4 || !child?.ipv4 || !childModel) continue;
      links.push({ network: parent.network, parentIP: parent.ipv4, childIP: child.ipv4, ports: linkPorts(m, childModel), origin: l.path });
    }
  }
  return links;
}
