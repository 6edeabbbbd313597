// The swarm part of one host's firewall: the routing mesh (host rules, the ingress_sbox's rules, each
// local task's redirect rules), netform's NETFORM-SWARM chain and the encrypted overlays' rules. Every
// node of a swarm programs the mesh for every service: the services are read from the whole model once
// per compile (routingMesh), and each host adds its own sandbox's and tasks' part.
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { hostPortKey, NO_LOCK, type LockScope, type Pinned } from '../lock/index.ts';
import { familyOf } from '../net/index.ts';
import { ingressNetwork, INGRESS_SANDBOX } from '../model/host-view.ts';
import { GATEWAY_BRIDGE } from '../model/swarm-networks.ts';
import type { Container, Model, PortBinding } from '../model/types.ts';
import type { SwarmAddressing } from '../ipam/swarm.ts';
import { ingressSysctls } from '../firewall/iptables/ingress-host.ts';
import { ingressTaskRuleset, loadBalancerSandboxRuleset, loadBalancerSandboxSysctls, numberLoadBalancers } from '../firewall/iptables/ingress-sandbox.ts';
import type { OverlayMember } from './overlay-sandboxes.ts';
import type { FirewallIngress, FirewallIngressPort, FirewallInput } from '../firewall/input.ts';
import type { Ruleset } from '../firewall/iptables/types.ts';
import type { Endpoint, LoadBalancer, Sysctl } from './types.ts';
import { originOf } from './origin.ts';

/** Swarm's dynamic range for ingress ports published without a number (swarmkit portallocator: 30000-32767). */
const DYNAMIC_PORTS = [30000, 32767] as const;

interface Service {
  readonly name: string;
  readonly ports: readonly FirewallIngressPort[];
  /** Overlay networks of its tasks in attachment order (ingress first when it publishes). */
  readonly networks: readonly string[];
  readonly origin: readonly (string | number)[];
}

/** Each service's ingress ports published without a number, by their key in the lock (80/tcp, then 80/tcp #2). */
function dynamicIngressPorts(firstTask: ReadonlyMap<string, Container>): Map<PortBinding, string> {
  const specs = new Map<PortBinding, string>();
  for (const c of firstTask.values()) {
    const seen = new Map<string, number>();
    for (const p of c.ports) {
      if (p.mode !== 'ingress' || p.hostPort !== 0) continue;
      const base = `${p.containerPort}/${p.proto}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      specs.set(p, n === 1 ? base : `${base} #${n}`);
    }
  }
  return specs;
}

/**
 * The ports the lock pins for ingress ports published without a number, reserved before any is chosen
 * (a port a service publishes by number keeps it; a pin on it is a conflict).
 */
function reservePinnedIngress(firstTask: ReadonlyMap<string, Container>, specs: ReadonlyMap<PortBinding, string>, taken: Map<string, string>, lock: LockScope, diagnostics: Diagnostic[]): Map<PortBinding, number> {
  const pinned = new Map<PortBinding, number>();
  for (const [name, c] of firstTask) {
    for (const p of c.ports) {
      const spec = specs.get(p);
      const pin: Pinned | undefined = spec !== undefined ? lock.pinned(hostPortKey(name, spec)) : undefined;
      if (!pin) continue;
      const port = pin.value as number;
      const holder = taken.get(`${p.proto}/${port}`);
      if (holder !== undefined) {
        diagnostics.push(error('LOCK_CONFLICT', p.path, `${lock.where(pin)} gives ${spec} of service "${name}" the ingress port ${port}, which service "${holder}" publishes: delete it from the lock to let netform choose another`));
        continue;
      }
      taken.set(`${p.proto}/${port}`, name);
      pinned.set(p, port);
    }
  }
  return pinned;
}

/**
 * Services in file order of their first task, with their ingress ports (published ports allocated as swarm
 * does; with a lock, the ones it pins kept). `all`: every container, its endpoints as Docker joins them
 * (model/host-view.ts JoinedModel). `lock`: the swarm's scope of the lock.
 */
export function swarmServices(m: Model, all: readonly Container[], diagnostics: Diagnostic[], lock: LockScope = NO_LOCK): Service[] {
  const overlays = new Set(m.networks.filter((n) => n.driver === 'overlay').map((n) => n.name));
  const firstTask = new Map<string, Container>();
  for (const c of all) if (c.service && !firstTask.has(c.service)) firstTask.set(c.service, c);
  const taken = new Map<string, string>();
  for (const c of firstTask.values()) {
    // The first service (in file order) to publish a port owns it; a later one is refused.
    for (const p of c.ports) if (p.mode === 'ingress' && p.hostPort !== 0 && !taken.has(`${p.proto}/${p.hostPort}`)) taken.set(`${p.proto}/${p.hostPort}`, c.service!);
  }
  const specs = lock.active ? dynamicIngressPorts(firstTask) : new Map<PortBinding, string>();
  const pinned = lock.active ? reservePinnedIngress(firstTask, specs, taken, lock, diagnostics) : new Map<PortBinding, number>();
  let nextDynamic: number = DYNAMIC_PORTS[0];
  const out: Service[] = [];
  for (const [name, c] of firstTask) {
    const ports: FirewallIngressPort[] = [];
    for (const p of c.ports) {
      if (p.mode !== 'ingress') continue;
      let published = p.hostPort;
      if (published === 0) {
        published = pinned.get(p) ?? 0;
        if (published === 0) {
          while (taken.has(`${p.proto}/${nextDynamic}`)) nextDynamic++;
          published = nextDynamic++;
          taken.set(`${p.proto}/${published}`, name);
        }
        const spec = specs.get(p);
        if (spec !== undefined) lock.chose(hostPortKey(name, spec), published, p.path);
      } else if (taken.get(`${p.proto}/${published}`) !== name) {
        diagnostics.push(error('PORT_CONFLICT', p.path, `ingress port ${published}/${p.proto} is already published by service "${taken.get(`${p.proto}/${published}`)}" (swarm: port already in use)`));
        continue;
      }
      if (ports.some((x) => x.proto === p.proto && x.publishedPort === published)) continue;
      ports.push({ proto: p.proto, publishedPort: published, targetPort: p.containerPort, origin: p.path });
    }
    out.push({ name, ports, networks: c.endpoints.map((e) => e.network).filter((n) => overlays.has(n)), origin: c.path });
  }
  return out;
}

/** A service publishing in mode ingress, as every node's ingress_sbox balances it. */
export interface MeshService {
  readonly name: string;
  readonly ports: readonly FirewallIngressPort[];
  readonly fwMark: number;
  /** Its virtual IP on the ingress network (none with endpoint_mode dnsrr). */
  readonly vip?: string;
  /** Every task's address on the ingress network, wherever it runs (swarm gossips them all). */
  readonly tasks: readonly string[];
  readonly origin: readonly (string | number)[];
}

/**
 * The routing mesh every node of the swarm programs alike, worked out once per compile: the services
 * publishing in mode ingress with their fwmarks, VIPs and tasks. `members`: the ingress network's
 * endpoints on every host. `lock`: the swarm's scope of the lock (ingress ports chosen by swarm).
 */
export function routingMesh(
  m: Model,
  all: readonly Container[],
  swarm: SwarmAddressing,
  ingressMembers: readonly OverlayMember[],
  diagnostics: Diagnostic[],
  lock: LockScope = NO_LOCK,
): readonly MeshService[] {
  const ingress = ingressNetwork(m);
  const services = swarmServices(m, all, diagnostics, lock);
  const published = services.filter((s) => s.ports.length > 0);
  if (!ingress || published.length === 0) return [];
  const marks = numberLoadBalancers(services.map((s) => ({ name: s.name, networks: s.networks })));
  const serviceOf = new Map(all.filter((c) => c.service).map((c) => [c.name, c.service]));
  const tasksOf = new Map<string, string[]>();
  for (const x of ingressMembers) {
    const s = x.ipv4 ? serviceOf.get(x.container) : undefined;
    if (!s) continue;
    const list = tasksOf.get(s);
    if (list) list.push(x.ipv4!);
    else tasksOf.set(s, [x.ipv4!]);
  }
  return published.map((s) => {
    const vip = swarm.vips.get(s.name)?.get(ingress.name)?.v4;
    return { name: s.name, ports: s.ports, fwMark: marks.get(s.name)!.get(ingress.name)!, ...(vip ? { vip } : {}), tasks: tasksOf.get(s.name) ?? [], origin: s.origin };
  });
}

export interface SwarmFirewall {
  readonly input: Pick<FirewallInput, 'ingress' | 'swarmPorts' | 'encryption'>;
  readonly sysctls: readonly Sysctl[];
  /** Rules inside namespaces: the ingress_sbox's load balancer, each local task's redirects (IPv4). */
  readonly namespaceRules: ReadonlyMap<string, Ruleset>;
  /** The ingress_sbox's IPVS load balancer (service_linux.go addLBBackend), by sandbox name. */
  readonly loadBalancers: ReadonlyMap<string, LoadBalancer>;
}

/** This host's part of the routing mesh: the host rules' input, the ingress_sbox's balancer, each local task's redirects. */
function hostMesh(view: Model, endpoints: readonly Endpoint[], mesh: readonly MeshService[], out: { namespaceRules: Map<string, Ruleset>; loadBalancers: Map<string, LoadBalancer>; sysctls: Sysctl[] }): FirewallIngress | undefined {
  const ingress = ingressNetwork(view);
  const sandboxGw = endpoints.find((e) => e.container === INGRESS_SANDBOX && e.network === GATEWAY_BRIDGE);
  const sandboxIngress = ingress && endpoints.find((e) => e.container === INGRESS_SANDBOX && e.network === ingress.name);
  if (!ingress || !sandboxGw?.ipv4 || !sandboxIngress?.ipv4 || mesh.length === 0) return undefined;
  const ingressInput: FirewallIngress = {
    gatewayNetwork: GATEWAY_BRIDGE,
    sandboxIP: sandboxGw.ipv4,
    services: mesh.map((s) => ({ name: s.name, ports: s.ports, origin: s.origin })),
    origin: originOf(view, ingress.path),
  };
  // route_localnet on the interface that holds the sandbox's gateway (findOIFName): docker_gwbridge's device
  // (its com.docker.network.bridge.name; a docker_gwbridge of the file's own should set one, as Docker's does).
  const gwNetwork = view.networks.find((n) => n.name === GATEWAY_BRIDGE);
  out.sysctls.push(...ingressSysctls({ ifName: gwNetwork && gwNetwork.driver === 'bridge' && gwNetwork.bridgeName ? gwNetwork.bridgeName : GATEWAY_BRIDGE }, ingressInput));
  const balanced = mesh.map((s) => ({ name: s.name, fwMark: s.fwMark, ...(s.vip ? { vip: s.vip } : {}), ports: s.ports, origin: s.origin }));
  const sandbox = { address: `${sandboxIngress.ipv4}/${sandboxIngress.ipv4PrefixLength}`, services: balanced };
  out.namespaceRules.set(INGRESS_SANDBOX, loadBalancerSandboxRuleset(sandbox));
  const withVip = mesh.filter((s) => s.vip !== undefined);
  out.loadBalancers.set(INGRESS_SANDBOX, {
    device: sandboxIngress.ifname,
    vips: withVip.map((s) => `${s.vip}/32`),
    services: withVip.map((s) => ({ fwMark: s.fwMark, destinations: s.tasks })),
    sysctls: loadBalancerSandboxSysctls(sandbox),
  });
  // Each local task of a publishing service: redirects from the published to the target port.
  const byService = new Map(mesh.map((s) => [s.name, s]));
  const ingressAddress = new Map(endpoints.filter((e) => e.network === ingress.name).map((e) => [e.container, e.ipv4]));
  for (const c of view.containers) {
    const s = c.service ? byService.get(c.service) : undefined;
    const address = s && ingressAddress.get(c.name);
    if (s && address) out.namespaceRules.set(c.name, ingressTaskRuleset({ address, ports: s.ports, origin: c.path }));
  }
  return ingressInput;
}

/** The swarm part of `view.host`'s firewall, from the routing mesh worked out once (routingMesh). */
export function swarmFirewall(view: Model, endpoints: readonly Endpoint[], swarm: SwarmAddressing, mesh: readonly MeshService[], diagnostics: Diagnostic[]): SwarmFirewall {
  const host = view.host;
  const out = { namespaceRules: new Map<string, Ruleset>(), loadBalancers: new Map<string, LoadBalancer>(), sysctls: [] as Sysctl[] };
  let ingressInput: FirewallIngress | undefined;
  if (mesh.length > 0 && !view.daemon.iptables) {
    // Docker 29 would log "Failed to add ingress" and leave the mesh half made; netform writes none of it.
    diagnostics.push(warning('IGNORED', view.daemon.paths['iptables'] ?? ['daemon'], `"iptables": false: the routing mesh of ${mesh.map((s) => s.name).join(', ')} (mode: ingress ports) is not programmed`, { atKey: true }));
  } else {
    ingressInput = hostMesh(view, endpoints, mesh, out);
  }

  const family = host.address ? familyOf(host.address) ?? 4 : 4;
  const localOverlays = new Set(endpoints.filter((e) => e.attachment?.kind === 'overlay').map((e) => e.network));
  const encrypted = view.networks.filter((n) => n.driver === 'overlay' && n.encrypted && localOverlays.has(n.name));
  const dataPathPort = view.swarm?.dataPathPort ?? 4789;
  const input: SwarmFirewall['input'] = {
    ...(ingressInput ? { ingress: ingressInput } : {}),
    ...(host.openSwarmPorts ? { swarmPorts: { family, manager: host.role === 'manager', dataPathPort, esp: encrypted.length > 0, origin: [...host.path, 'open_swarm_ports'] } } : {}),
    ...(encrypted.length > 0 ? { encryption: { family, vnis: encrypted.map((n) => ({ vni: swarm.vnis.get(n.name)!, origin: originOf(view, n.path) })), dataPathPort } } : {}),
  };
  return { input, sysctls: out.sysctls, namespaceRules: out.namespaceRules, loadBalancers: out.loadBalancers };
}
