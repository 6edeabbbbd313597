// The subnets of one allocation: what is taken so far (allocated subnets, and the host's routes and
// nameservers, which predefined pools avoid), the pools, the lock, and where diagnostics go.
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { LockScope } from '../lock/index.ts';
import type { Exhausted } from './types.ts';
import { isDefaultBridge } from '../model/network-types.ts';
import type { Model, Network } from '../model/types.ts';
import { hostPrefix, masked, parseAddr, parsePrefix, type Family, type Prefix } from '../net/index.ts';
import { DEFAULT_LOCAL_POOLS, normalisePools, ulaPool, type Pool, type PoolSpec } from './pools.ts';
import { AddressSpace } from './space.ts';

/**
 * Nameservers of the host's resolv.conf: dockerd keeps predefined subnets clear of them
 * (InferReservedNetworks), each as a single-address prefix (the resolv.conf parser reads them with
 * netip.ParseAddr; a prefix drops the zone).
 */
function hostNameservers(text: string | undefined): Prefix[] {
  const out: Prefix[] = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    const a = m && parseAddr(m[1]!);
    if (a) out.push(hostPrefix(a));
  }
  return out;
}

export class SubnetSpace {
  readonly allocated: { prefix: Prefix; network: string }[] = [];
  /** The same prefixes as interval sets per family: `explicit` holds allocated subnets (disjoint), `taken` also the reserved ones, which predefined pools avoid. */
  readonly explicit = { 4: new AddressSpace(), 6: new AddressSpace() };
  readonly taken = { 4: new AddressSpace(), 6: new AddressSpace() };
  readonly routes: { cidr: string; prefix: Prefix }[];
  /** The host's nameservers (hostFacts only). */
  readonly nameservers: Prefix[];
  readonly pools: { readonly 4: Pool[]; readonly 6: Pool[] };
  /** A configured pool cannot be split as configured (the model reports it): running out of pools is its consequence. */
  readonly badPools: { readonly 4: boolean; readonly 6: boolean };

  constructor(
    readonly model: Model,
    hostFacts: boolean,
    readonly diagnostics: Diagnostic[],
    readonly lock: LockScope,
    /** Told instead of a diagnostic when the pools have no subnet left (swarm's are reported fleet-wide: swarm-exhaustion.ts). */
    readonly onExhausted?: (x: Exhausted) => void,
  ) {
    const d = model.daemon;
    this.routes = model.host.routes.map((r) => ({ cidr: r.cidr, prefix: parsePrefix(r.cidr) })).filter((r): r is { cidr: string; prefix: Prefix } => !!r.prefix);
    this.nameservers = hostFacts ? hostNameservers(model.host.resolvConf) : [];
    const reserved = hostFacts ? [...this.routes.map((r) => masked(r.prefix)), ...this.nameservers] : [];
    for (const p of reserved) this.taken[p.family].addPrefix(p);
    const poolSpecsV4: readonly PoolSpec[] = d.defaultAddressPools?.length ? d.defaultAddressPools : DEFAULT_LOCAL_POOLS;
    const poolSpecsV6: readonly PoolSpec[] = [...(d.defaultAddressPools ?? []), ...(hostFacts ? [ulaPool(model.host.name)] : [])];
    this.pools = { 4: normalisePools(poolSpecsV4, 4), 6: normalisePools(poolSpecsV6, 6) };
    const bad = (f: Family) => this.pools[f].some((p) => p.size < p.prefix.length || p.size > (f === 4 ? 32 : 128));
    this.badPools = { 4: bad(4), 6: bad(6) };
  }

  /** The default bridge's problems are in daemon.json when it came from a file. */
  fileOf(n: Network): { file?: string } {
    return isDefaultBridge(n) && this.model.daemon.file ? { file: this.model.daemon.file } : {};
  }

  take(prefix: Prefix, network: string, explicit: boolean): void {
    this.allocated.push({ prefix, network });
    if (explicit) this.explicit[prefix.family].addPrefix(prefix);
    this.taken[prefix.family].addPrefix(prefix);
  }
}
