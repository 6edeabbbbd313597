// A project's services as netform containers, as docker compose creates them (pkg/compose/create.go
// getCreateConfigs, defaultNetworkSettings, createEndpointSettings): `scale` (or deploy.replicas)
// containers named `<project>-<service>-<n>` (convergence.go getContainerName; container_name for a single
// one), in start order (project.ts startOrder), each joining its networks in NetworksByPriority order
// (`priority` high first, then the key) with the aliases Compose gives every endpoint: the container
// name, the service name, then the configured aliases (create.go getAliases).
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { plain, type Fragment, type Plain } from './fragment.ts';
import { portValue } from './convert-ports.ts';
import { startOrder, serviceNetworkKeys } from './project.ts';
import { child, text, type CMap, type CNode } from './tree.ts';
import type { ComposeProject } from './types.ts';
import { at } from './where.ts';

export interface ServiceContext {
  /** Containers that exist before this project, by name. */
  readonly existing: Set<string>;
  readonly host?: string;
}

const num = (n: CNode | undefined) => (n?.kind === 'scalar' && typeof n.value === 'number' ? n.value : undefined);

/** ServiceConfig.GetScale: scale, else deploy.replicas, else 1. */
export function scaleOf(svc: CMap): number {
  return Math.max(0, num(child(svc, 'scale')) ?? num(child(child(svc, 'deploy'), 'replicas')) ?? 1);
}

export function containerNames(project: ComposeProject, service: string): string[] {
  const svc = project.services.get(service)!.node;
  const given = text(child(svc, 'container_name'));
  const n = scaleOf(svc);
  if (given !== undefined && n >= 1) return [given];
  return Array.from({ length: n }, (_, i) => `${project.name}-${service}-${i + 1}`);
}

/** NetworksByPriority: priority, high first; equal priorities by key. */
export function networksByPriority(svc: CMap): string[] {
  const nets = child(svc, 'networks');
  const prio = (k: string) => (nets?.kind === 'map' ? (num(child(nets.entries.get(k), 'priority')) ?? 0) : 0);
  return serviceNetworkKeys(svc).sort((a, b) => prio(b) - prio(a) || (a < b ? -1 : a > b ? 1 : 0));
}

export function convertServices(project: ComposeProject, ctx: ServiceContext, fragment: Fragment, out: Diagnostic[]): void {
  for (const service of startOrder(project)) {
    const svc = project.services.get(service)!.node;
    const names = containerNames(project, service);
    names.forEach((name, i) => {
      if (ctx.existing.has(name)) {
        const where = child(svc, 'container_name') ?? svc;
        out.push(error('COMPOSE_CONFLICT', where.origin.path, `container name "${name}" is already in use (by the netform file or a project listed before this one)`, at(where, { key: where === svc })));
        return;
      }
      ctx.existing.add(name);
      const value = containerValue(project, service, svc, name, i + 1, fragment, out);
      fragment.containers.push({ name, value, note: names.length > 1 ? `project "${project.name}": service "${service}", replica ${i + 1} of ${names.length}` : `project "${project.name}": service "${service}"` });
      fragment.record(['containers', name], svc.origin);
    });
  }
}

function containerValue(project: ComposeProject, service: string, svc: CMap, name: string, index: number, fragment: Fragment, out: Diagnostic[]): { [key: string]: Plain } {
  const v: { [key: string]: Plain } = {};
  const base = ['containers', name];
  const copy = (field: string, to = field) => {
    const n = child(svc, field);
    if (!n || (n.kind === 'scalar' && n.value === null)) return;
    v[to] = plain(n);
    fragment.recordTree([...base, to], n);
  };
  // api.GetImageNameOrDefault: a service that is only built runs the image `<project>-<service>`.
  const image = text(child(svc, 'image'));
  v['image'] = image ?? `${project.name}-${service}`;
  if (image) fragment.recordTree([...base, 'image'], child(svc, 'image')!);
  if (v['image'] === '') delete v['image'];
  copy('hostname');
  copy('domainname');
  networking(project, service, svc, name, index, v, fragment, out);
  const ports = child(svc, 'ports');
  if (ports?.kind === 'seq' && ports.items.length > 0) {
    v['ports'] = ports.items.map((p, i) => {
      fragment.record([...base, 'ports', i], p.origin);
      return portValue(p);
    });
  }
  copy('expose');
  copy('dns');
  copy('dns_search');
  copy('dns_opt');
  extraHosts(child(svc, 'extra_hosts'), base, v, fragment);
  unreproduced(svc, out);
  return v;
}

/** network_mode, or the networks with their endpoint settings (and legacy links on the default bridge). */
function networking(project: ComposeProject, service: string, svc: CMap, name: string, index: number, v: { [key: string]: Plain }, fragment: Fragment, out: Diagnostic[]): void {
  const base = ['containers', name];
  const modeNode = child(svc, 'network_mode');
  const mode = text(modeNode);
  if (modeNode && mode !== undefined) {
    fragment.record([...base, 'network_mode'], modeNode.origin);
    if (mode.startsWith('service:')) {
      // resolveSharedNamespaces: the service's first container by name.
      const target = containerNames(project, mode.slice(8)).sort()[0];
      if (target) v['network_mode'] = `container:${target}`;
      else out.push(error('COMPOSE_REFERENCE', modeNode.origin.path, `cannot share network namespace with service ${mode.slice(8)}: container missing (it has no replica)`, at(modeNode)));
    } else if (mode === 'default') {
      v['network_mode'] = 'bridge';
    } else if (['bridge', 'host', 'none'].includes(mode) || mode.startsWith('container:')) {
      v['network_mode'] = mode;
    } else {
      // Any other value names a network the container joins (the Engine API's NetworkMode).
      v['networks'] = [mode];
    }
    links(project, svc, name, index, v, fragment, out, mode === 'bridge' || mode === 'default');
    return;
  }
  const nets: { [key: string]: Plain } = {};
  const svcNets = child(svc, 'networks');
  const primary = networksByPriority(svc)[0];
  for (const key of networksByPriority(svc)) {
    const net = project.networks.get(key);
    if (!net) continue;
    const cfg = svcNets?.kind === 'map' ? svcNets.entries.get(key) : undefined;
    const epPath = [...base, 'networks', net.name];
    fragment.record(epPath, (cfg ?? svcNets ?? svc).origin);
    const ep: { [key: string]: Plain } = {};
    const aliases = [name, service, ...listOf(child(cfg, 'aliases'))];
    ep['aliases'] = [...new Set(aliases)];
    for (const [from, to] of [['ipv4_address', 'ipv4_address'], ['ipv6_address', 'ipv6_address'], ['link_local_ips', 'link_local_ips'], ['mac_address', 'mac_address'], ['gw_priority', 'gw_priority'], ['interface_name', 'interface_name'], ['driver_opts', 'driver_opts']] as const) {
      const n = child(cfg, from);
      if (n && !(n.kind === 'scalar' && n.value === null)) {
        ep[to] = plain(n);
        fragment.recordTree([...epPath, to], n);
      }
    }
    // prepareContainerMACAddress: the service's mac_address goes to the primary network's endpoint.
    const mac = child(svc, 'mac_address');
    if (key === primary && mac && text(mac)) {
      if (ep['mac_address'] !== undefined && String(ep['mac_address']) !== text(mac)) {
        out.push(error('COMPOSE_SCHEMA', mac.origin.path, `the service-level mac_address should have the same value as network ${key}`, at(mac)));
      }
      ep['mac_address'] = text(mac)!;
      fragment.record([...epPath, 'mac_address'], mac.origin);
    }
    nets[net.name] = ep;
  }
  v['networks'] = nets;
  links(project, svc, name, index, v, fragment, out, false);
}

const listOf = (n: CNode | undefined): string[] => (n?.kind === 'seq' ? n.items.map((i) => text(i) ?? '') : []);

/**
 * convergence.go getLinks: for each container of a linked service, the links CONTAINER:ALIAS,
 * CONTAINER:<service>-<n> and CONTAINER:<project>-<service>-<n> (n: this container's number). They are
 * legacy links on the default bridge; on a user-defined network Docker makes them DNS aliases seen by
 * this container alone, which netform does not model.
 */
function links(project: ComposeProject, svc: CMap, name: string, index: number, v: { [key: string]: Plain }, fragment: Fragment, out: Diagnostic[], onDefaultBridge: boolean): void {
  const list: string[] = [];
  const linksNode = child(svc, 'links');
  for (const l of linksNode?.kind === 'seq' ? linksNode.items : []) {
    const raw = text(l) ?? '';
    const [target, alias] = raw.includes(':') ? [raw.slice(0, raw.indexOf(':')), raw.slice(raw.indexOf(':') + 1)] : [raw, raw];
    if (!onDefaultBridge) {
      if (alias !== target) out.push(warning('COMPOSE_UNSUPPORTED', l.origin.path, `link alias "${alias}": on a user-defined network Docker makes it a DNS name only this container resolves, which netform does not reproduce; use networks.<net>.aliases on service "${target}" instead`, at(l)));
      continue;
    }
    if (!project.services.has(target)) continue;
    for (const c of containerNames(project, target)) {
      list.push(`${c}:${alias}`, `${c}:${target}-${index}`, `${c}:${project.name}-${target}-${index}`);
    }
  }
  const ext = child(svc, 'external_links');
  for (const l of ext?.kind === 'seq' ? ext.items : []) {
    const raw = text(l) ?? '';
    if (!onDefaultBridge) {
      out.push(warning('COMPOSE_UNSUPPORTED', l.origin.path, 'external_links on a user-defined network are DNS names only this container resolves, which netform does not reproduce', at(l)));
      continue;
    }
    list.push(raw.includes(':') ? raw : `${raw}:${raw}`);
  }
  if (list.length > 0) {
    v['links'] = [...new Set(list)];
    fragment.record(['containers', name, 'links'], (linksNode ?? ext)!.origin);
  }
}

/** extra_hosts as a list of "name=address" (the spelling compose-go writes them in, HostsList.MarshalYAML). */
function extraHosts(n: CNode | undefined, base: readonly string[], v: { [key: string]: Plain }, fragment: Fragment): void {
  if (!n) return;
  const entries: [string, string, CNode][] = [];
  if (n.kind === 'map') {
    for (const [host, ips] of n.entries) {
      const list = ips.kind === 'seq' ? ips.items : [ips];
      for (const ip of list) entries.push([host, text(ip) ?? '', ip]);
    }
  } else if (n.kind === 'seq') {
    for (const item of n.items) {
      const s = text(item) ?? '';
      // NewHostsList: "=" is the separator when there is one, else the first ":"; "a,b" is two addresses.
      const sep = s.includes('=') ? '=' : ':';
      const i = s.indexOf(sep);
      if (i < 0) {
        entries.push([s, '', item]);
        continue;
      }
      for (const ip of s.slice(i + 1).split(',')) entries.push([s.slice(0, i), ip, item]);
    }
  }
  if (entries.length === 0) return;
  v['extra_hosts'] = entries.map(([host, ip, node], i) => {
    fragment.record([...base, 'extra_hosts', i], node.origin);
    const bare = ip.length > 2 && ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
    return `${host}=${bare}`;
  });
}

/** Networking settings a service may have that netform does not reproduce: a warning each. */
function unreproduced(svc: CMap, out: Diagnostic[]): void {
  const sysctls = child(svc, 'sysctls');
  const names = sysctls?.kind === 'map' ? [...sysctls.entries.keys()] : sysctls?.kind === 'seq' ? sysctls.items.map((i) => (text(i) ?? '').split('=')[0]!) : [];
  if (names.some((s) => s.startsWith('net.'))) {
    out.push(warning('COMPOSE_UNSUPPORTED', sysctls!.origin.path, 'network sysctls (net.*) are set inside the container by Docker; netform does not write them', at(sysctls!, { key: true })));
  }
}
