// Checks across hosts and drivers: every container runs on a declared host, local networks exist where
// their containers run, overlays are joined as Docker allows (attachable, or by a service task), every
// host that carries an overlay has its underlay address, underlay addresses and pinned VNIs are unique,
// and macvlan/ipvlan parents are interfaces the host has.
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { addrString, parseAddr } from '../net/index.ts';
import { GATEWAY_BRIDGE } from './swarm-networks.ts';
import { isIngress } from './network-types.ts';
import type { Container, EndpointRequest, LocalNetwork, Model, Network } from './types.ts';

/** The hosts a local network is created on. */
export const networkHosts = (m: Model, n: LocalNetwork): readonly string[] => n.onHosts ?? m.hosts.map((h) => h.name);

/** `hosts:` of local networks names declared hosts. */
function checkNetworkHosts(m: Model, hostNames: ReadonlySet<string>, out: Diagnostic[]): void {
  for (const n of m.networks) {
    if (n.driver === 'overlay') continue;
    (n.onHosts ?? []).forEach((h, i) => {
      if (!hostNames.has(h)) out.push(error('UNKNOWN_HOST', [...n.path, 'hosts', i], `host "${h}" is not declared under hosts`));
    });
  }
}

/** Underlay addresses and pinned VNIs are unique; there is one ingress network. */
function checkUnique(m: Model, out: Diagnostic[]): void {
  const underlay = new Map<string, string>();
  for (const h of m.hosts) {
    if (h.address === undefined) continue;
    const parsed = parseAddr(h.address);
    const a = parsed ? addrString(parsed) : h.address;
    const other = underlay.get(a);
    if (other) out.push(error('DUPLICATE_UNDERLAY', [...h.path, 'address'], `underlay address ${h.address} is already the address of host "${other}"`));
    else underlay.set(a, h.name);
  }
  const vnis = new Map<number, string>();
  for (const n of m.networks) {
    const v = n.driver === 'overlay' ? n.vni : undefined;
    if (v === undefined) continue;
    const other = vnis.get(v);
    if (other) out.push(error('DUPLICATE_VNI', [...n.path, 'driver_opts', 'com.docker.network.driver.overlay.vxlanid_list'], `VXLAN id ${v} is already used by network "${other}"`));
    else vnis.set(v, n.name);
  }
  const ingress = m.networks.filter(isIngress);
  if (ingress.length > 1) out.push(error('BAD_OPTION', [...ingress[1]!.path, 'ingress'], 'only one ingress network can exist (dockerd: "another ingress network exists")'));
}

/** A container's endpoint on `n`: joinable by it, and on a network its host has. */
function checkJoin(m: Model, c: Container, e: EndpointRequest, n: Network, out: Diagnostic[]): void {
  if (n.name === GATEWAY_BRIDGE && m.swarm) {
    out.push(error('BAD_OPTION', e.path, 'docker_gwbridge is joined by Docker itself, for every container on an overlay that needs a way out'));
  } else if (n.driver === 'overlay') {
    if (n.ingress) {
      out.push(error('NOT_ATTACHABLE', e.path, `network "${n.name}" is the ingress network: a service joins it by publishing a port in mode: ingress, not by name`));
    } else if (!c.service && !n.attachable) {
      out.push(error('NOT_ATTACHABLE', e.path, `network "${n.name}" is not attachable: only swarm service tasks (service: NAME) may join it; set attachable: true to let standalone containers join (dockerd: "Could not attach to network ${n.name}: rpc error: ... not manually attachable")`));
    }
  } else if (n.onHosts && !n.onHosts.includes(c.host)) {
    out.push(error('UNKNOWN_NETWORK', e.path, `network "${n.name}" is not created on host "${c.host}" (its hosts: ${networkHosts(m, n).join(', ')})`));
  }
}

/** Every container runs on a declared host and joins networks it may join there. */
function checkContainers(m: Model, hostNames: ReadonlySet<string>, out: Diagnostic[]): void {
  const networks = new Map(m.networks.map((n) => [n.name, n]));
  for (const c of m.containers) {
    if (c.host === '') {
      out.push(error('UNKNOWN_HOST', c.path, `container "${c.name}" needs host: (one of ${m.hosts.map((h) => h.name).join(', ')}) when there are several hosts`, { atKey: true }));
      continue;
    }
    if (!hostNames.has(c.host)) {
      out.push(error('UNKNOWN_HOST', [...c.path, 'host'], `host "${c.host}" is not declared${m.hosts.length > 1 ? ' under hosts' : ` (the only host is "${m.hosts[0]!.name}")`}`));
      continue;
    }
    for (const e of c.endpoints) {
      const n = networks.get(e.network);
      if (n) checkJoin(m, c, e, n, out);
    }
  }
}

/** Swarm settings of the hosts: open_swarm_ports only in swarm mode; an underlay address on every node of several. */
function checkSwarmHosts(m: Model, out: Diagnostic[]): void {
  if (!m.swarm) {
    for (const h of m.hosts) {
      if (h.openSwarmPorts) out.push(warning('IGNORED', [...h.path, 'open_swarm_ports'], 'open_swarm_ports has no effect outside swarm mode (no overlay network, service or swarm: block in this file)', { atKey: true }));
    }
  }
  // Hosts that carry an overlay need their underlay address when there is a peer to tunnel to. In
  // swarm mode every host carries the ingress network (its ingress_sbox).
  if (m.swarm && m.hosts.length > 1) {
    for (const h of m.hosts) {
      if (h.address === undefined) out.push(error('NO_UNDERLAY_ADDRESS', h.path, `host "${h.name}" carries overlay networks (every swarm node has the ingress network): give its underlay address (address:)`, { atKey: true }));
    }
  }
}

/** macvlan / ipvlan parents must exist on the host (or be NAME.VID of an interface that does). */
function checkParents(m: Model, out: Diagnostic[]): void {
  const hosts = new Map(m.hosts.map((h) => [h.name, h]));
  for (const n of m.networks) {
    if (n.driver !== 'macvlan' && n.driver !== 'ipvlan') continue;
    const parent = n.parent;
    if (parent === undefined) continue;
    const base = n.vlan?.link ?? parent;
    for (const hn of networkHosts(m, n)) {
      const h = hosts.get(hn);
      if (!h?.interfaces || h.interfaces.includes(base) || h.interfaces.includes(parent)) continue;
      out.push(error('UNKNOWN_PARENT', [...n.path, 'driver_opts', 'parent'], `parent "${base}" is not an interface of host "${hn}" (its interfaces: ${h.interfaces.join(', ') || 'none'})`));
    }
  }
}

export function checkHosts(m: Model): Diagnostic[] {
  const out: Diagnostic[] = [];
  const hostNames = new Set(m.hosts.map((h) => h.name));
  checkNetworkHosts(m, hostNames, out);
  checkUnique(m, out);
  checkContainers(m, hostNames, out);
  checkSwarmHosts(m, out);
  checkParents(m, out);
  return out;
}
