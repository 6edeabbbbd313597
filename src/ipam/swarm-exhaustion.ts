// Swarm's address resources are shared by the whole fleet: the default address pool, from which every
// overlay without its own subnet takes one (swarmkit cnmallocator), and each overlay's subnet, where
// every node's ingress sandbox, every service VIP and every task takes an address. When one runs out,
// Docker refuses the node, network or task that came last; the fix is a setting of the file, so these
// diagnostics say what ran out and how much is needed, and point at the setting to change.
import { error, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import { isIngress } from '../model/network-types.ts';
import type { Model, Network } from '../model/types.ts';
import type { Exhausted } from './types.ts';

/** What takes an address on one overlay, by kind. */
export interface Demand {
  /** Swarm nodes' ingress sandboxes (ingress network only). */
  readonly sandboxes: number;
  /** Service virtual IPs (endpoint_mode vip). */
  readonly vips: number;
  /** Service tasks. */
  readonly tasks: number;
  /** Standalone containers. */
  readonly containers: number;
}

/** Where a setting that is not in the file would go: the networks, the swarm block, or the first service task. */
function fallbackPath(m: Model): { path: YamlPath; atKey?: boolean } {
  if (m.networks.some((n) => n.path[0] === 'networks')) return { path: ['networks'], atKey: true };
  if (m.swarm && m.swarm.path.length > 0) return { path: m.swarm.path, atKey: true };
  const task = m.containers.find((c) => c.service);
  return task ? { path: task.path, atKey: true } : { path: [] };
}

const declared = (n: Network): boolean => n.path[0] === 'networks';

/** The smallest prefix length of `family` with room for `need` addresses besides the reserved ones. */
function prefixFor(family: 4 | 6, need: number): number {
  const reserved = family === 4 ? 3 : 2; // network, broadcast (IPv4) and gateway
  return (family === 4 ? 32 : 128) - Math.ceil(Math.log2(need + reserved));
}

const count = (n: number, one: string, many: string): string[] => (n === 0 ? [] : [`${n} ${n === 1 ? one : many}`]);

function describe(d: Demand): string {
  return [
    ...count(d.sandboxes, "node's ingress sandbox", "nodes' ingress sandboxes"),
    ...count(d.vips, 'service VIP', 'service VIPs'),
    ...count(d.tasks, 'service task', 'service tasks'),
    ...count(d.containers, 'container', 'containers'),
  ].join(', ');
}

/** One network out of addresses: the setting that sizes its range, and what to write there. */
function addressDiagnostic(m: Model, n: Network, family: 4 | 6, range: string, failed: number, demand: Demand): Diagnostic {
  const need = demand.sandboxes + demand.vips + demand.tasks + demand.containers;
  const length = prefixFor(family, need);
  const what = `no free IPv${family} address left in ${range} of ${declared(n) ? '' : "swarm's default ingress "}network "${n.name}": the swarm needs ${need} addresses there (${describe(demand)}), ${need - failed} fit`;
  const entry = (family === 4 ? n.ipamV4 : n.ipamV6)[0];
  if (entry?.ipRange) return error('POOL_EXHAUSTED', [...entry.path, 'ip_range'], `${what}: make this ip_range (or the subnet) a /${length} or bigger`);
  if (entry?.subnet) return error('POOL_EXHAUSTED', [...entry.path, 'subnet'], `${what}: make this subnet a /${length} or bigger`);
  const own = isIngress(n) && !declared(n)
    ? `declare the ingress network with a /${length} or bigger subnet (networks: NAME: {driver: overlay, ingress: true, ipam: {config: [{subnet: ...}]}}, as docker network create --ingress --subnet does)`
    : `give network "${n.name}" a /${length} or bigger subnet (ipam: {config: [{subnet: ...}]})`;
  const fix = `${own}, or make every overlay's subnet from the pool bigger (swarm.default_addr_pool_mask_length: ${length})`;
  const maskPath = m.swarm?.paths['default_addr_pool_mask_length'];
  if (maskPath) return error('POOL_EXHAUSTED', maskPath, `${what}: ${fix}`);
  const at = declared(n) ? { path: n.path, atKey: true } : fallbackPath(m);
  return error('POOL_EXHAUSTED', at.path, `${what}: ${fix}`, at.atKey ? { atKey: true } : {});
}

/** Overlays the pool had no subnet left for: one diagnostic, at swarm.default_addr_pool when the file sets it. */
function poolDiagnostic(m: Model, networks: readonly Network[], family: 4 | 6): Diagnostic {
  const pool = m.swarm?.defaultAddrPool ?? ['10.0.0.0/8'];
  const size = m.swarm?.defaultAddrPoolMaskLength ?? 24;
  const more = networks.length > 1 ? ` (and ${networks.length - 1} more)` : '';
  const message = `the swarm's default address pool (${pool.join(', ')} in /${size} subnets) has no free IPv${family} subnet left for overlay network "${networks[0]!.name}"${more}: add prefixes to swarm.default_addr_pool, make its subnets smaller (swarm.default_addr_pool_mask_length), or give the networks their own subnets (ipam: {config: [{subnet: ...}]})`;
  const poolPath = m.swarm?.paths['default_addr_pool'] ?? m.swarm?.paths['default_addr_pool_mask_length'];
  if (poolPath) return error('POOL_EXHAUSTED', poolPath, message);
  const at = declared(networks[0]!) ? { path: networks[0]!.path, atKey: true } : fallbackPath(m);
  return error('POOL_EXHAUSTED', at.path, message, at.atKey ? { atKey: true } : {});
}

/**
 * The diagnostics for what swarm's allocation ran out of (`exhausted`, as allocateAddresses told it):
 * one per overlay out of addresses, one for the overlays the pool had no subnet for.
 */
export function exhaustionDiagnostics(m: Model, exhausted: readonly Exhausted[], demand: (network: string, family: 4 | 6) => Demand): Diagnostic[] {
  const byName = new Map(m.networks.map((n) => [n.name, n]));
  const out: Diagnostic[] = [];
  for (const family of [4, 6] as const) {
    const pool = [...new Set(exhausted.filter((x) => x.kind === 'pool' && x.family === family).map((x) => x.network))];
    if (pool.length > 0) out.push(poolDiagnostic(m, pool.map((n) => byName.get(n)!), family));
    const failed = new Map<string, { range: string; count: number }>();
    for (const x of exhausted) {
      if (x.kind !== 'address' || x.family !== family) continue;
      const f = failed.get(x.network);
      if (f) f.count++;
      else failed.set(x.network, { range: x.range, count: 1 });
    }
    for (const [name, f] of failed) out.push(addressDiagnostic(m, byName.get(name)!, family, f.range, f.count, demand(name, family)));
  }
  return out;
}
