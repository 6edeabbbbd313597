// Model + addressing -> Topology: devices, endpoints, routes, port mappings, DNS files and the
// firewall (rules as data, replayed in the order dockerd programs them, for the release `engine` names).
// The phases: the containers' endpoints (endpoints.ts), the firewall's input and rules, each container's
// files (dns.ts), the host's own devices (host-devices.ts), and in swarm mode the overlay namespaces.
import { error, warning, type Diagnostic, appendAll } from '../diagnostics/diagnostic.ts';
import type { Addressing } from '../ipam/types.ts';
import { engineRelease } from '../model/engine.ts';
import { parseFwMark } from '../model/fwmark.ts';
import { INGRESS_SANDBOX } from '../model/host-view.ts';
import { isDefaultBridge } from '../model/network-types.ts';
import type { BridgeNetwork, Container, Model } from '../model/types.ts';
import { buildFirewall, droppedRules } from '../firewall/index.ts';
import type { FirewallInput } from '../firewall/input.ts';
import { ChosenNames, NO_TOPOLOGY_LOCK, type TopologyLock } from './chosen.ts';
import { containerDns, dnsContext, type DnsContext } from './dns.ts';
import { connectContainers, legacyLinks, type Connections } from './endpoints.ts';
import { bridgeDevice, firewallNetwork, hostSysctls, parentLinks } from './host-devices.ts';
import { overlaySandboxes } from './overlay-sandboxes.ts';
import type { SwarmContext } from './swarm-context.ts';
import { swarmFirewall, type SwarmFirewall } from './swarm-firewall.ts';
import type { ContainerNode, Endpoint, Topology } from './types.ts';
import { daemonOrigin, originOf } from './origin.ts';

/**
 * Endpoints of containers on other hosts on the overlays this host joins, for name resolution (hosts
 * files name peers on a shared overlay wherever they run). Not on the ingress network: its endpoints
 * are anonymous (dns.ts).
 */
function remoteOverlayEndpoints(m: Model, ctx: SwarmContext): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const n of m.networks) {
    if (n.driver !== 'overlay' || n.ingress) continue;
    for (const x of ctx.members.get(n.name) ?? []) {
      if (x.host === m.host.name || x.container === INGRESS_SANDBOX) continue;
      endpoints.push({
        container: x.container,
        network: x.network,
        bridge: 'br0',
        hostIfname: '',
        ifname: '',
        mac: x.mac,
        mtu: 0,
        ...(x.ipv4 ? { ipv4: x.ipv4 } : {}),
        ...(x.ipv6 ? { ipv6: x.ipv6 } : {}),
        hairpin: false,
        aliases: x.aliases,
        origin: [],
      });
    }
  }
  return endpoints;
}

/** A warning per family whose daemon option is off, saying what Docker's bridge driver does not program there. */
function nullBackendWarnings(m: Model, input: FirewallInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [family, key, on] of [[4, 'iptables', m.daemon.iptables], [6, 'ip6tables', m.daemon.ip6tables]] as const) {
    if (on) continue;
    const dropped = droppedRules(input, family, m.daemon.firewallBackend);
    if (!dropped) continue;
    const f = m.daemon.file ? { file: m.daemon.file } : {};
    const where = m.hosts.length > 1 ? ` on host ${m.host.name}` : '';
    out.push(warning('FIREWALL_OFF', m.daemon.paths[key] ?? ['daemon'], `${key}: false: Docker programs no IPv${family} rules${where} for its bridge networks: ${dropped}`, { atKey: true, ...f }));
  }
  return out;
}

/** What the firewall programs: the daemon's settings, the bridge networks, endpoints with ports, links, the swarm's part. */
function firewallInput(m: Model, a: Addressing, names: ChosenNames, bridges: readonly BridgeNetwork[], connections: Connections, swarmFw: SwarmFirewall | undefined): FirewallInput {
  const d = m.daemon;
  return {
    daemon: {
      engine: m.engine,
      iptables: d.iptables,
      ip6tables: d.ip6tables,
      hairpin: !d.userlandProxy,
      allowDirectRouting: d.allowDirectRouting,
      userChain: true,
      // The setup enables forwarding, which is when dockerd sets the policy to DROP (FilterForwardDrop).
      forwardDrop: { 4: d.ipForward && !d.ipForwardNoDrop, 6: d.ipForward && !d.ipForwardNoDrop },
      ...(d.bridgeAcceptFwmark && parseFwMark(d.bridgeAcceptFwmark) ? { acceptFwMark: parseFwMark(d.bridgeAcceptFwmark)! } : {}),
      origin: daemonOrigin(d, 'iptables'),
    },
    networks: bridges.map((n) => firewallNetwork(m, n, a, names)),
    endpoints: connections.firewallEndpoints,
    links: legacyLinks(m, connections.endpoints),
    ...(swarmFw?.input ?? {}),
  };
}

/**
 * What extra_hosts' host-gateway stands for: the daemon's host-gateway-ips, else the default bridge's
 * gateways (setHostGatewayIP; EngineRelease.hostGateway).
 */
function hostGatewayIPs(m: Model, a: Addressing): readonly string[] {
  if (m.daemon.hostGatewayIPs) return m.daemon.hostGatewayIPs;
  const defaultNet = m.networks.find(isDefaultBridge);
  const addr = defaultNet ? a.networks.get(defaultNet.name) : undefined;
  const gateways = engineRelease(m.engine).hostGateway === 'ipv4-and-ipv6' ? [addr?.v4?.gateway, addr?.v6?.gateway] : [addr?.v4?.gateway];
  return gateways.filter((x): x is string => !!x);
}

/** Each container's node: its namespace, routes and files; container:NAME shares the target's namespace and files. */
function containerNodes(m: Model, dns: DnsContext, connections: Connections, swarmFw: SwarmFirewall | undefined, diagnostics: Diagnostic[]): ContainerNode[] {
  const byName = new Map(m.containers.map((c) => [c.name, c]));
  return m.containers.map((c: Container) => {
    let target = c;
    const seen = new Set<string>();
    while (target.mode.kind === 'container' && !seen.has(target.name)) {
      seen.add(target.name);
      target = byName.get(target.mode.container) ?? target;
    }
    const files = containerDns(dns, target, diagnostics);
    return {
      name: c.name,
      hostname: target.hostname,
      networking: c.mode.kind === 'host' ? { kind: 'host' } : c.mode.kind === 'container' ? { kind: 'shared', container: target.name } : { kind: 'netns' },
      routes: connections.routes.get(c.name) ?? [],
      ...files,
      ...(c.sandbox ? { sandbox: c.sandbox } : {}),
      ...(swarmFw?.namespaceRules.has(c.name) ? { firewall: { v4: swarmFw.namespaceRules.get(c.name)! } } : {}),
      ...(swarmFw?.loadBalancers.has(c.name) ? { loadBalancer: swarmFw.loadBalancers.get(c.name)! } : {}),
      origin: originOf(m, c.path),
    };
  });
}

/**
 * `lock`: the lock's scopes for this host and the swarm; the names, MACs and host ports it pins are kept,
 * and every one Docker would make at random is recorded there.
 */
export function buildTopology(m: Model, a: Addressing, swarmContext?: SwarmContext, lock: TopologyLock = NO_TOPOLOGY_LOCK): { topology: Topology; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const names = new ChosenNames(lock, diagnostics);
  const bridges = m.networks.filter((n) => n.driver === 'bridge');
  const connections = connectContainers(m, a, names, diagnostics);
  const swarmFw = swarmContext ? swarmFirewall(m, connections.endpoints, swarmContext.swarm, swarmContext.mesh, diagnostics) : undefined;
  const fwInput = firewallInput(m, a, names, bridges, connections, swarmFw);
  const firewall = buildFirewall(fwInput, m.daemon.firewallBackend);
  appendAll(diagnostics, nullBackendWarnings(m, fwInput));
  // What dockerd's nftables backend refuses to program makes the container fail to start.
  if (firewall.backend === 'nftables') {
    for (const r of firewall.refusals ?? []) diagnostics.push(error('UNSUPPORTED', r.origin && Array.isArray(r.origin) ? r.origin : ['daemon', 'firewall-backend'], r.message));
  }
  // Peers on other hosts are only ever written into hosts files (name_resolution: hosts).
  const remote = swarmContext ? { endpoints: m.nameResolution === 'hosts' ? remoteOverlayEndpoints(m, swarmContext) : [], containers: swarmContext.containers } : undefined;
  const dns = dnsContext(m, connections.endpoints, hostGatewayIPs(m, a), remote);
  const containers = containerNodes(m, dns, connections, swarmFw, diagnostics);
  const overlays = swarmContext ? overlaySandboxes(m, swarmContext.swarm, swarmContext.members, swarmContext.peers, names) : [];
  const parents = parentLinks(m, names);
  const topology: Topology = {
    format: 'netform-topology/2',
    engine: m.engine,
    host: m.host.name,
    nameResolution: m.nameResolution,
    hostSysctls: [...hostSysctls(m, bridges), ...(swarmFw?.sysctls ?? [])],
    bridges: bridges.map((n) => bridgeDevice(m, n, a, m.daemon.userlandProxy, names)),
    containers,
    endpoints: connections.endpoints,
    ports: connections.ports,
    firewall,
    ...(overlays.length > 0 ? { overlays } : {}),
    ...(parents.length > 0 ? { parentLinks: parents } : {}),
  };
  return { topology, diagnostics };
}
