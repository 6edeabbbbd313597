// Model + addressing -> Topology: devices, endpoints, routes, port mappings, DNS files and the
// firewall (rules as data, replayed in the order dockerd programs them, for the release `engine` names).
import { warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { endpointKey } from '../ipam/allocate.ts';
import { networkOf, parseCIDR, valueString } from '../net/index.ts';
import type { Addressing, EndpointAddressing } from '../ipam/types.ts';
import type { BridgeNetwork, Container, EndpointRequest, Model } from '../model/types.ts';
import { atLeast } from '../model/engine.ts';
import { parseFwMark } from '../model/fwmark.ts';
import { bridgeName, derivedLegacyMac, derivedMac, dummyParentName, macFromIPv4, overlayNamespace, vethName } from './derived-names.ts';
import { containerDns, dnsContext } from './dns.ts';
import { buildFirewall, droppedRules } from '../firewall/index.ts';
import type { FirewallEndpoint, FirewallInput, FirewallLink, FirewallNetwork } from '../firewall/input.ts';
import { gatewayEndpoints, type GatewayCandidate } from './gateway.ts';
import { bindEndpointPorts, endpointBindingRequests, HostPorts } from './port-bindings.ts';
import type { BridgeDevice, ContainerNode, Endpoint, EndpointAttachment, ParentLink, PortMapping, Route, Sysctl, Topology } from './types.ts';
import type { SwarmAddressing } from '../ipam/swarm.ts';
import { INGRESS_SANDBOX } from '../model/host-view.ts';
import { overlayMac, overlaySandboxes, type OverlayMember } from './overlay-sandboxes.ts';
import { swarmFirewall } from './swarm-firewall.ts';
import { daemonOrigin, originOf } from './origin.ts';

const deviceName = (n: BridgeNetwork): string => n.bridgeName ?? bridgeName(n.name);

/** Bridge MACs are random in every release: 02:42 + 4 bytes up to 27 (genMAC), fully random since 28. */
const bridgeMac = (m: Model, n: BridgeNetwork): string =>
  atLeast(m.engine, '28') ? derivedMac('bridge', n.name) : derivedLegacyMac('bridge', n.name);

function bridgeDevice(m: Model, n: BridgeNetwork, a: Addressing, userlandProxy: boolean): BridgeDevice {
  const addr = a.networks.get(n.name) ?? {};
  const name = deviceName(n);
  const addresses: string[] = [];
  if (addr.v4?.gateway && !n.inhibitIPv4) addresses.push(`${addr.v4.gateway}/${addr.v4.prefixLength}`);
  if (addr.v6?.gateway) addresses.push(`${addr.v6.gateway}/${addr.v6.prefixLength}`);
  const sysctls: Sysctl[] = [
    // setupDefaultSysctl: the bridge must not pick up router advertisements.
    { key: ['net', 'ipv6', 'conf', name, 'accept_ra'], value: '0', reason: 'Docker: no router advertisements on the bridge (setupDefaultSysctl)', optional: true },
  ];
  if (n.enableIPv6) {
    sysctls.push(
      n.gatewayModeV6 === 'isolated'
        ? { key: ['net', 'ipv6', 'conf', name, 'disable_ipv6'], value: '1', reason: 'Docker: isolated gateway mode, no IPv6 address on the bridge' }
        : { key: ['net', 'ipv6', 'conf', name, 'disable_ipv6'], value: '0', reason: 'Docker: IPv6 enabled on the bridge (setupBridgeIPv6)' },
    );
  }
  if (!userlandProxy) {
    sysctls.push({ key: ['net', 'ipv4', 'conf', name, 'route_localnet'], value: '1', reason: 'Docker: userland-proxy off, DNAT from 127.0.0.1 to containers (setupLoopbackAddressing)' });
  }
  return { network: n.name, name, mtu: n.mtu, mac: bridgeMac(m, n), addresses, sysctls, origin: originOf(m, n.path) };
}

function hostSysctls(m: Model): Sysctl[] {
  const out: Sysctl[] = [];
  const d = m.daemon;
  if (d.ipForward) {
    out.push({ key: ['net', 'ipv4', 'ip_forward'], value: '1', reason: 'Docker: ip-forward (setupIPv4Forwarding)' });
    if (m.networks.some((n) => n.enableIPv6)) {
      out.push(
        { key: ['net', 'ipv6', 'conf', 'all', 'forwarding'], value: '1', reason: 'Docker: ip-forward, IPv6 networks (setupIPv6Forwarding)' },
        { key: ['net', 'ipv6', 'conf', 'default', 'forwarding'], value: '1', reason: 'Docker: ip-forward, IPv6 networks (setupIPv6Forwarding)' },
      );
    }
  }
  // br_netfilter: dockerd loads it when ICC is off or the userland proxy is off, so bridged traffic
  // between containers of one bridge goes through iptables (bridge_linux.go createNetwork). Docker
  // 20.10 only does it for ICC off (v20.10.24 bridge.go: `!config.EnableICC && d.config.EnableIPTables`).
  if (m.networks.some((n) => !n.icc) || (!d.userlandProxy && m.engine !== '20.10')) {
    if (d.iptables) out.push({ key: ['net', 'bridge', 'bridge-nf-call-iptables'], value: '1', reason: 'Docker: br_netfilter for ICC off / userland-proxy off', optional: true });
    if (d.ip6tables && m.networks.some((n) => n.enableIPv6)) {
      out.push({ key: ['net', 'bridge', 'bridge-nf-call-ip6tables'], value: '1', reason: 'Docker: br_netfilter for ICC off / userland-proxy off', optional: true });
    }
  }
  return out;
}

function firewallNetwork(m: Model, n: BridgeNetwork, a: Addressing): FirewallNetwork {
  const addr = a.networks.get(n.name) ?? {};
  return {
    name: n.name,
    ifName: deviceName(n),
    internal: n.internal,
    icc: n.icc,
    masquerade: n.masquerade,
    trustedHostInterfaces: n.trustedHostInterfaces,
    ...(addr.v4 ? { v4: { prefix: addr.v4.subnet, gatewayMode: n.gatewayModeV4, ...(n.hostIPv4 ? { hostIP: n.hostIPv4 } : {}) } } : {}),
    ...(addr.v6 ? { v6: { prefix: addr.v6.subnet, gatewayMode: n.gatewayModeV6, ...(n.hostIPv6 ? { hostIP: n.hostIPv6 } : {}) } } : {}),
    origin: originOf(m, n.path),
  };
}

/**
 * An endpoint's MAC: the one configured (the container-level mac_address applies to its first network),
 * else Docker <= 27's GenerateMACFromIP (02:42 + the IPv4 address), else a random one (28+).
 */
function endpointMac(m: Model, c: Container, req: EndpointRequest, index: number, network: string, ipv4: string | undefined): string {
  const configured = index === 0 ? req.macAddress ?? c.macAddress : req.macAddress;
  if (configured) return configured;
  return !atLeast(m.engine, '28') && ipv4 ? macFromIPv4(ipv4) : derivedMac('endpoint', c.name, network);
}

/**
 * Docker <= 27 defers IPv6 allocation on the default bridge when fixed-cidr-v6 leaves at least 48 host
 * bits (v27.5.1 / v20.10.24 daemon/daemon_unix.go initBridgeDriver: `deferIPv6Alloc = ones <= 80`); the
 * bridge driver then builds the address from the network and the endpoint's MAC (CreateEndpoint:
 * `ip6[i+10] = h`), e.g. fd00:20:10::242:ac11:2. Docker 28 dropped that.
 */
function deferredIPv6(m: Model, n: BridgeNetwork, addresses: EndpointAddressing, mac: string): EndpointAddressing {
  if (atLeast(m.engine, '28') || !n.isDefault || !addresses.v6 || !m.daemon.fixedCidrV6) return addresses;
  const p = parseCIDR(m.daemon.fixedCidrV6);
  if (!p || p.family !== 6 || p.length > 80) return addresses;
  const macBits = BigInt(`0x${mac.split(':').join('')}`);
  const value = (networkOf(p) & ~((1n << 48n) - 1n)) | macBits;
  return { ...addresses, v6: valueString(6, value) };
}

/** What a host's topology needs to know of the swarm: its allocations, and every overlay endpoint on every host. */
export interface SwarmContext {
  readonly swarm: SwarmAddressing;
  readonly members: readonly OverlayMember[];
  /** Every container of the model (peers on other hosts are named in hosts files). */
  readonly allContainers: readonly Container[];
}

/** How an endpoint on `n` attaches (undefined: a veth to a bridge of the host namespace). */
function attachment(n: BridgeNetwork): EndpointAttachment | undefined {
  if (n.driver === 'overlay') return { kind: 'overlay', namespace: overlayNamespace(n.name) };
  const sub = n.subinterface;
  if (!sub) return undefined;
  const parent = sub.parent ?? dummyParentName(n.driver === 'ipvlan' ? 'ipvlan' : 'macvlan', n.name);
  if (n.driver === 'macvlan') return { kind: 'macvlan', parent, mode: sub.macvlanMode ?? 'bridge' };
  return { kind: 'ipvlan', parent, mode: sub.ipvlanMode ?? 'l2', flag: sub.ipvlanFlag ?? 'bridge' };
}

/** The links netform creates as macvlan/ipvlan parents: VLAN sub-interfaces and dummy links, once each. */
function parentLinks(m: Model): ParentLink[] {
  const out = new Map<string, ParentLink>();
  for (const n of m.networks) {
    const sub = n.subinterface;
    if (!sub || (n.driver !== 'macvlan' && n.driver !== 'ipvlan')) continue;
    if (sub.vlan && sub.parent && !m.host.interfaces?.includes(sub.parent)) {
      out.set(sub.parent, { name: sub.parent, kind: 'vlan', link: sub.vlan.link, vlanId: sub.vlan.id, network: n.name });
    } else if (!sub.parent) {
      const name = dummyParentName(n.driver, n.name);
      out.set(name, { name, kind: 'dummy', network: n.name });
    }
  }
  return [...out.values()];
}

/** Overlay endpoints of containers on other hosts, for name resolution (hosts files) on shared overlays. */
function remoteOverlayEndpoints(m: Model, ctx: SwarmContext): { endpoints: Endpoint[]; containers: readonly Container[] } {
  const endpoints: Endpoint[] = ctx.members
    .filter((x) => x.host !== m.host.name && x.container !== INGRESS_SANDBOX)
    .map((x) => ({
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
    }));
  return { endpoints, containers: ctx.allContainers };
}

/** A warning per family whose daemon option is off, saying what Docker's bridge driver does not program there. */
function nullBackendWarnings(m: Model, input: FirewallInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [family, key, on] of [[4, 'iptables', m.daemon.iptables], [6, 'ip6tables', m.daemon.ip6tables]] as const) {
    if (on) continue;
    const dropped = droppedRules(input, family);
    if (!dropped) continue;
    const f = m.daemon.file ? { file: m.daemon.file } : {};
    const where = m.hosts.length > 1 ? ` on host ${m.host.name}` : '';
    out.push(warning('FIREWALL_OFF', m.daemon.paths[key] ?? ['daemon'], `${key}: false: Docker programs no IPv${family} rules${where} for its bridge networks: ${dropped}`, { atKey: true, ...f }));
  }
  return out;
}

export function buildTopology(m: Model, a: Addressing, swarmContext?: SwarmContext): { topology: Topology; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const d = m.daemon;
  const networks = new Map(m.networks.map((n) => [n.name, n]));
  const bridgeNetworks = m.networks.filter((n) => n.driver === 'bridge');
  const endpoints: Endpoint[] = [];
  const fwEndpoints: FirewallEndpoint[] = [];
  const ports: PortMapping[] = [];
  const routesOf = new Map<string, Route[]>();
  const hostPorts = new HostPorts();

  for (const c of m.containers) {
    if (c.mode.kind !== 'networks') continue;
    const candidates: GatewayCandidate[] = [];
    const macs: string[] = [];
    for (const req of c.endpoints) {
      const n = networks.get(req.network);
      const allocated = a.endpoints.get(endpointKey(c.name, req.network));
      if (!n || !allocated) continue;
      const na = a.networks.get(n.name) ?? {};
      const mac = n.driver === 'overlay'
        ? overlayMac(candidates.length === 0 ? req.macAddress ?? c.macAddress : req.macAddress, allocated.v4, c.name, n.name)
        : endpointMac(m, c, req, candidates.length, n.name, allocated.v4);
      const addresses = deferredIPv6(m, n, allocated, mac);
      macs.push(mac);
      candidates.push({
        request: req,
        network: n,
        addresses,
        // The overlay driver gives no gateway (docker_gwbridge does); the others route via the subnet's.
        gw4: n.driver !== 'overlay' && !n.internal && !!addresses.v4 && !!(na.v4?.defaultGateway ?? na.v4?.gateway),
        gw6: n.driver !== 'overlay' && !n.internal && !!addresses.v6 && !!(na.v6?.defaultGateway ?? na.v6?.gateway),
      });
    }
    const { gw4, gw6 } = gatewayEndpoints(candidates);
    const routes: Route[] = [];
    // Ports in mode ingress belong to the routing mesh, not to the container's gateway endpoint.
    const hostPorts_ = c.ports.filter((p) => p.mode !== 'ingress');
    candidates.forEach((cand, index) => {
      const n = cand.network;
      const na = a.networks.get(n.name) ?? {};
      const ifname = cand.request.interfaceName ?? `${n.containerIfacePrefix}${cand.request.slot ?? index}`;
      const mac = macs[index]!;
      const attach = attachment(n);
      const ep: Endpoint = {
        container: c.name,
        network: n.name,
        bridge: n.driver === 'overlay' ? 'br0' : deviceName(n),
        hostIfname: vethName(c.name, n.name),
        ifname,
        mac,
        mtu: n.mtu,
        ...(cand.addresses.v4 ? { ipv4: cand.addresses.v4, ipv4PrefixLength: na.v4!.prefixLength } : {}),
        ...(cand.addresses.v6 ? { ipv6: cand.addresses.v6, ipv6PrefixLength: na.v6!.prefixLength } : {}),
        hairpin: n.driver === 'bridge' && !d.userlandProxy,
        aliases: cand.request.aliases,
        ...(attach ? { attachment: attach } : {}),
        origin: originOf(m, cand.request.path),
      };
      endpoints.push(ep);
      // ipvlan in l3/l3s mode routes everything out of the device, with no next hop (ipvlan_joinleave.go).
      const connected = n.subinterface?.ipvlanMode === 'l3' || n.subinterface?.ipvlanMode === 'l3s';
      const via = (v: string) => (connected ? {} : { via: v });
      if (cand === gw4) routes.push({ family: 4, destination: 'default', ...via(na.v4!.defaultGateway ?? na.v4!.gateway!), device: ifname });
      if (cand === gw6) routes.push({ family: 6, destination: 'default', ...via(na.v6!.defaultGateway ?? na.v6!.gateway!), device: ifname });
      if (n.driver !== 'bridge') {
        // macvlan / ipvlan: "port mappings are ignored" (the drivers make no iptables rules); overlay
        // endpoints never hold the gateway, so ports go to docker_gwbridge instead.
        if ((cand === gw4 || cand === gw6) && hostPorts_.length > 0) {
          diagnostics.push(warning('PORTS_IGNORED', [...c.path, 'ports'], `published ports are ignored on ${n.driver} network "${n.name}", which gives container "${c.name}" its gateway (Docker: port mappings are not supported by the ${n.driver} driver)`, { atKey: true }));
        }
        return;
      }
      const requests = endpointBindingRequests({ candidate: cand, isGw4: cand === gw4, isGw6: cand === gw6, hasGw6: !!gw6, userlandProxy: d.userlandProxy }, hostPorts_);
      const mapped = bindEndpointPorts(requests, hostPorts, c.name, n.name);
      ports.push(...mapped);
      fwEndpoints.push({
        network: n.name,
        container: c.name,
        ...(cand.addresses.v4 ? { addr4: cand.addresses.v4 } : {}),
        ...(cand.addresses.v6 ? { addr6: cand.addresses.v6 } : {}),
        ports: mapped
          .filter((p) => p.mapper !== 'proxy')
          .map((p) => {
            const req = requests.find((r) => r.source.path === p.origin && r.containerPort === p.containerPort && r.hostIP === p.hostIP && r.proto === p.proto)!;
            return { proto: p.proto, hostIP: p.hostIP, hostPort: p.hostPort, containerPort: p.containerPort, requestedHostPorts: [req.hostPort, req.hostPortEnd] as const, origin: p.origin };
          }),
        origin: originOf(m, cand.request.path),
      });
    });
    routesOf.set(c.name, routes);
  }
  diagnostics.push(...hostPorts.diagnostics);

  const links: FirewallLink[] = [];
  const byName = new Map(m.containers.map((c) => [c.name, c]));
  // Each container's first endpoint on the default bridge (the only network legacy links work on),
  // indexed once: a lookup per link would be quadratic.
  const onDefault = new Map<string, Endpoint>();
  for (const e of endpoints) if (!onDefault.has(e.container) && networks.get(e.network)?.isDefault) onDefault.set(e.container, e);
  for (const c of m.containers) {
    for (const l of c.links) {
      const parent = onDefault.get(c.name);
      const child = onDefault.get(l.container);
      const childModel = byName.get(l.container);
      if (!parent?.ipv4 || !child?.ipv4 || !childModel) continue;
      // The child's exposed ports: `expose` plus every published container port (publishing exposes).
      const exposed = new Map<string, { proto: 'tcp' | 'udp' | 'sctp'; port: number }>();
      for (const e of childModel.expose) exposed.set(`${e.port}/${e.proto}`, e);
      for (const p of childModel.ports) exposed.set(`${p.containerPort}/${p.proto}`, { proto: p.proto, port: p.containerPort });
      const list = [...exposed.values()].sort((x, y) => x.port - y.port || x.proto.localeCompare(y.proto));
      links.push({ network: parent.network, parentIP: parent.ipv4, childIP: child.ipv4, ports: list, origin: l.path });
    }
  }

  const swarmFw = swarmContext ? swarmFirewall(m, endpoints, swarmContext.swarm, swarmContext.members, swarmContext.allContainers, diagnostics) : undefined;
  const fwInput: FirewallInput = {
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
    networks: bridgeNetworks.map((n) => firewallNetwork(m, n, a)),
    endpoints: fwEndpoints,
    links,
    ...(swarmFw?.input ?? {}),
  };
  const fw = buildFirewall(fwInput);
  diagnostics.push(...nullBackendWarnings(m, fwInput));

  const defaultNet = m.networks.find((n) => n.isDefault);
  const defaultAddr = defaultNet ? a.networks.get(defaultNet.name) : undefined;
  // host-gateway: the daemon's host-gateway-ips, else the default bridge's addresses (setHostGatewayIP).
  // Up to 27 it is one address, host-gateway-ip or the default bridge's IPv4 gateway (v27.5.1
  // daemon/daemon_unix.go setHostGatewayIP; config.HostGatewayIP is a single net.IP).
  const defaultGateways = atLeast(m.engine, '28') ? [defaultAddr?.v4?.gateway, defaultAddr?.v6?.gateway] : [defaultAddr?.v4?.gateway];
  const hostGatewayIPs = d.hostGatewayIPs ?? defaultGateways.filter((x): x is string => !!x);
  const remote = swarmContext ? remoteOverlayEndpoints(m, swarmContext) : undefined;
  const dns = dnsContext(m, endpoints, hostGatewayIPs, remote);
  const containers: ContainerNode[] = m.containers.map((c: Container) => {
    // container:NAME shares the target's namespace and its files (hosts, resolv.conf).
    let target = c;
    const seen = new Set<string>();
    while (target.mode.kind === 'container' && !seen.has(target.name)) {
      seen.add(target.name);
      target = byName.get(target.mode.container) ?? target;
    }
    const source = target;
    const files = containerDns(dns, source, diagnostics);
    return {
      name: c.name,
      hostname: source.hostname,
      networking: c.mode.kind === 'host' ? { kind: 'host' } : c.mode.kind === 'container' ? { kind: 'shared', container: target.name } : { kind: 'netns' },
      routes: routesOf.get(c.name) ?? [],
      ...files,
      ...(c.sandbox ? { sandbox: c.sandbox } : {}),
      ...(swarmFw?.namespaceRules.has(c.name) ? { firewall: { v4: swarmFw.namespaceRules.get(c.name)! } } : {}),
      ...(swarmFw?.loadBalancers.has(c.name) ? { loadBalancer: swarmFw.loadBalancers.get(c.name)! } : {}),
      origin: originOf(m, c.path),
    };
  });
  const overlays = swarmContext ? overlaySandboxes(m, swarmContext.swarm, swarmContext.members) : [];
  const parents = parentLinks(m);

  const topology: Topology = {
    format: 'netform-topology/2',
    engine: m.engine,
    host: m.host.name,
    nameResolution: m.nameResolution,
    hostSysctls: [...hostSysctls({ ...m, networks: bridgeNetworks }), ...(swarmFw?.sysctls ?? [])],
    bridges: bridgeNetworks.map((n) => bridgeDevice(m, n, a, d.userlandProxy)),
    containers,
    endpoints,
    ports,
    firewall: fw,
    ...(overlays.length > 0 ? { overlays } : {}),
    ...(parents.length > 0 ? { parentLinks: parents } : {}),
  };
  return { topology, diagnostics };
}
