// Docker's predefined address pools and how it picks a subnet from them
// (daemon/libnetwork/ipamutils/utils.go, ipams/defaultipam/address_space.go, Docker 29).
import { createHash } from 'node:crypto';
import { lastOf, networkOf, overlaps, parsePrefix, sizeOf, type Family, type Prefix } from '../net/index.ts';
import { AddressSpace } from './space.ts';

export interface PoolSpec {
  readonly base: string;
  readonly size: number;
}

/** Local-scope defaults: 172.17..172.31 as /16s, then 192.168.0.0/16 as /20s. */
export const DEFAULT_LOCAL_POOLS: readonly PoolSpec[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/16', size: 16 },
  { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/**
 * dockerd adds a ULA pool for IPv6 when none is configured: fd00::/8 + 40 bits of sha256(host id),
 * a /48 split into /64s (daemon.go deriveULABaseNetwork). netform has no host id; it hashes the
 * host's name, so the pool is stable for a given input.
 */
export function ulaPool(hostName: string): PoolSpec {
  const h = createHash('sha256').update(hostName).digest();
  const hex = h.subarray(0, 5).toString('hex'); // 40 bits
  const g1 = `fd${hex.slice(0, 2)}`;
  const g2 = hex.slice(2, 6);
  const g3 = hex.slice(6, 10);
  const strip = (g: string) => g.replace(/^0+(?=.)/, '');
  return { base: `${strip(g1)}:${strip(g2)}:${strip(g3)}::/48`, size: 64 };
}

export interface Pool {
  readonly prefix: Prefix;
  readonly size: number;
}

/** newAddrSpace: sort by address, drop pools contained in an earlier (bigger) one. */
export function normalisePools(specs: readonly PoolSpec[], family: Family): Pool[] {
  const pools = specs
    .map((s) => ({ prefix: parsePrefix(s.base)!, size: s.size }))
    .filter((p) => p.prefix && p.prefix.family === family)
    .map((p) => ({ prefix: { ...p.prefix, address: networkOf(p.prefix) }, size: p.size }))
    .sort((a, b) => (a.prefix.address < b.prefix.address ? -1 : a.prefix.address > b.prefix.address ? 1 : a.prefix.length - b.prefix.length));
  const out: Pool[] = [];
  for (const p of pools) {
    if (out.some((q) => overlaps(q.prefix, p.prefix))) continue;
    out.push(p);
  }
  return out;
}

/**
 * allocatePredefinedPool: the lowest subnet of the pools that overlaps neither an allocated subnet nor
 * a reserved prefix (host routes, host nameservers). Returns undefined when every pool is exhausted.
 * `taken` is a list of prefixes, or (for callers allocating many subnets) an AddressSpace of them.
 */
export function lowestFreeSubnet(
  specs: readonly PoolSpec[] | readonly Pool[],
  family: Family,
  taken: readonly Prefix[] | AddressSpace,
  wantLength?: number,
): Prefix | undefined {
  const pools = specs.length > 0 && 'prefix' in specs[0]! ? (specs as readonly Pool[]) : normalisePools(specs as readonly PoolSpec[], family);
  let space: AddressSpace;
  if (taken instanceof AddressSpace) space = taken;
  else {
    space = new AddressSpace();
    for (const t of taken) if (t.family === family) space.addPrefix(t);
  }
  for (const pool of pools) {
    const length = wantLength ?? pool.size;
    // A pool whose size is not a prefix length of its base gives no subnet (reported by the model's checks).
    if (length < pool.prefix.length || length > (family === 4 ? 32 : 128)) continue;
    const step = sizeOf({ family, address: 0n, length });
    const end = lastOf(pool.prefix);
    for (let addr = pool.prefix.address; addr <= end; ) {
      // Skip past the taken run the candidate falls into, aligned to the candidate size.
      const past = space.clashEnd(addr, addr + step - 1n);
      if (past === undefined) return { family, address: addr, length };
      addr = ((past + step) / step) * step;
    }
  }
  return undefined;
}
