// A project's networks as netform networks. Compose creates the networks its services use, each under its
// Docker name, before any container; it plans them in the order of their keys (reconcile.go
// reconcileNetworks, sortedKeys) and then creates them concurrently, so which one the daemon's IPAM serves
// first is a race: netform takes the plan's order (docs/compose.md). An external network is not created: it
// must exist already (create.go checkExternalNetworks); a network whose name exists already, not created
// for this project, is reused with a warning (warnUnmanagedNetworks).
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { plain, type Fragment, type Plain } from './fragment.ts';
import { child, type CNode } from './tree.ts';
import type { ComposeNetwork, ComposeProject } from './types.ts';
import { at } from './where.ts';

export interface NetworkContext {
  /** Docker names of the networks that exist before this project: the netform file's and earlier projects'. */
  readonly existing: Set<string>;
  /** An external network that does not exist: declared with Docker's defaults (import) or an error. */
  readonly missingExternal: 'declare' | 'error';
  /** The host the project runs on, in a netform file with several hosts. */
  readonly host?: string;
}

/** Network fields netform reads as Compose writes them; the others are handled below or ignored. */
const COPIED = ['driver', 'driver_opts', 'internal', 'attachable', 'enable_ipv6', 'enable_ipv4', 'labels'] as const;

export function convertNetworks(project: ComposeProject, ctx: NetworkContext, fragment: Fragment, out: Diagnostic[]): void {
  for (const net of project.networks.values()) {
    if (net.external) {
      if (ctx.existing.has(net.name)) continue;
      const ext = child(net.node, 'external') ?? net.node;
      if (ctx.missingExternal === 'error') {
        out.push(error('COMPOSE_REFERENCE', ext.origin.path, `network ${net.name} declared as external, but could not be found: declare it in the netform file's networks (or in a project listed before this one)`, at(ext, { key: true })));
        continue;
      }
      out.push(warning('COMPOSE_REFERENCE', ext.origin.path, `network ${net.name} is external: Compose expects it to exist; netform declares it with Docker's defaults (edit it to match the real network)`, at(ext, { key: true })));
      emit(net, { ...(ctx.host ? { hosts: [ctx.host] } : {}) }, `external network (compose key "${net.key}")`, fragment);
      ctx.existing.add(net.name);
      continue;
    }
    if (ctx.existing.has(net.name)) {
      out.push(warning('COMPOSE_CONFLICT', net.node.origin.path, `a network with name ${net.name} exists but was not created for project "${project.name}": Compose uses it as it is (set external: true to say so)`, at(net.node, { key: true })));
      continue;
    }
    const value: { [key: string]: Plain } = {};
    for (const f of COPIED) {
      const v = child(net.node, f);
      if (v && !(v.kind === 'scalar' && v.value === null)) {
        value[f] = plain(v);
        fragment.recordTree(['networks', net.name, f], v);
      }
    }
    const ipam = ipamValue(child(net.node, 'ipam'), net, fragment);
    if (ipam) value['ipam'] = ipam;
    if (ctx.host) value['hosts'] = [ctx.host];
    emit(net, value, net.key === 'default' && net.node.entries.size === 0 ? `project "${project.name}": its default network` : `project "${project.name}": network "${net.key}"`, fragment);
    ctx.existing.add(net.name);
  }
}

function emit(net: ComposeNetwork, value: { [key: string]: Plain }, note: string, fragment: Fragment): void {
  fragment.networks.push({ name: net.name, value, note });
  fragment.record(['networks', net.name], net.node.origin);
}

/**
 * `ipam`: the driver and the pools (subnet, ip_range, gateway, aux_addresses). `options` are the IPAM
 * driver's; the default driver reads none, so they change nothing and are left out.
 */
function ipamValue(ipam: CNode | undefined, net: ComposeNetwork, fragment: Fragment): { [key: string]: Plain } | undefined {
  if (!ipam || ipam.kind !== 'map') return undefined;
  const out: { [key: string]: Plain } = {};
  const driver = child(ipam, 'driver');
  if (driver && driver.kind === 'scalar' && driver.value !== null) {
    out['driver'] = plain(driver);
    fragment.recordTree(['networks', net.name, 'ipam', 'driver'], driver);
  }
  const config = child(ipam, 'config');
  if (config?.kind === 'seq') {
    out['config'] = config.items.map((c, i) => {
      fragment.recordTree(['networks', net.name, 'ipam', 'config', i], c);
      if (c.kind !== 'map') return plain(c);
      const pool: { [key: string]: Plain } = {};
      for (const k of ['subnet', 'ip_range', 'gateway', 'aux_addresses']) {
        const v = c.entries.get(k);
        if (v && !(v.kind === 'scalar' && v.value === null)) pool[k] = plain(v);
      }
      return pool;
    });
  }
  fragment.record(['networks', net.name, 'ipam'], ipam.origin);
  return Object.keys(out).length > 0 ? out : undefined;
}
