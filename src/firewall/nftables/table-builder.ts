// One nftables table as dockerd's nftables package keeps it (daemon/libnetwork/internal/nftables/
// nftables_linux.go, Docker 29), with the semantics that decide what the kernel ends up holding:
//   - changes are applied in transactions (Table.Apply of a Modifier); the nft input of a transaction
//     is a text/template that ranges over the table's Go maps of chains, maps and sets, i.e. in sorted
//     name order, so the objects a transaction creates reach the kernel (and its listings) sorted by
//     name, after everything created by earlier transactions;
//   - a chain's rules live in numbered rule groups: lowest group first, and within a group in the order
//     they were added (chain.Rules);
//   - creating a chain, map or map element that exists is an error; so is adding a rule that is already
//     in its group, unless the rule says IgnoreExist (then it is a no-op); a set element marked
//     Idempotent is a no-op when present.
// Rules are compared on their data (what moby compares is their text, which these values spell one way).
import type { IpFamily, RuleTarget, SourcePath } from '../types.ts';
import type { NftBaseChain, NftChain, NftRule, NftTable, NftVerdictMap, NftVniSet } from './types.ts';

interface ChainState {
  readonly name: string;
  readonly base?: NftBaseChain;
  readonly groups: Map<number, NftRule[]>;
  readonly keys: Set<string>;
}

interface MapState {
  readonly name: string;
  readonly elements: { key: string; verdict: RuleTarget; origin?: SourcePath }[];
  readonly keys: Set<string>;
}

interface SetState {
  readonly name: string;
  readonly elements: { vni: number; origin?: SourcePath }[];
  readonly values: Set<number>;
}

const byteOrder = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** A rule's identity within its chain and group: everything but where it came from. */
const ruleKey = (group: number, r: NftRule): string =>
  `${group}\u0000${JSON.stringify([r.matches, r.counter, r.action, r.comment ?? null])}`;

/** The changes of one transaction (a Modifier applied with Table.Apply). */
export interface NftTransaction {
  baseChain(name: string, base: NftBaseChain): void;
  chain(name: string): void;
  verdictMap(name: string): void;
  vniSet(name: string): void;
  /** A map element; false when the key is already there (moby: "map already contains element"). */
  element(map: string, key: string, verdict: RuleTarget, origin?: SourcePath): boolean;
  /** A set element (Idempotent: a no-op when present). */
  vni(set: string, vni: number, origin?: SourcePath): void;
  /**
   * A rule in `group` of `chain`. When the group already holds the rule it is a no-op with
   * `ignoreExist`; without it, dockerd's whole transaction fails ("rule exists") and this returns false.
   */
  rule(chain: string, group: number, rule: NftRule, ignoreExist?: boolean): boolean;
}

export class NftTableBuilder {
  private readonly chains: ChainState[] = [];
  private readonly chainIndex = new Map<string, ChainState>();
  private readonly maps: MapState[] = [];
  private readonly mapIndex = new Map<string, MapState>();
  private readonly sets: SetState[] = [];
  private readonly setIndex = new Map<string, SetState>();

  constructor(
    readonly family: IpFamily,
    readonly name: string,
  ) {}

  /** Runs one transaction: what it creates is added after what exists, sorted by name. */
  apply(changes: (tx: NftTransaction) => void): void {
    const newChains: ChainState[] = [];
    const newMaps: MapState[] = [];
    const newSets: SetState[] = [];
    const where = `${this.family === 4 ? 'ip' : 'ip6'} ${this.name}`;
    const newChain = (name: string, base?: NftBaseChain): void => {
      if (this.chainIndex.has(name)) throw new Error(`nftables: chain ${name} already exists in ${where}`);
      const c: ChainState = { name, ...(base ? { base } : {}), groups: new Map(), keys: new Set() };
      this.chainIndex.set(name, c);
      newChains.push(c);
    };
    const tx: NftTransaction = {
      baseChain: newChain,
      chain: (name) => newChain(name),
      verdictMap: (name) => {
        if (this.mapIndex.has(name)) throw new Error(`nftables: map ${name} already exists in ${where}`);
        const m: MapState = { name, elements: [], keys: new Set() };
        this.mapIndex.set(name, m);
        newMaps.push(m);
      },
      vniSet: (name) => {
        if (this.setIndex.has(name)) throw new Error(`nftables: set ${name} already exists in ${where}`);
        const s: SetState = { name, elements: [], values: new Set() };
        this.setIndex.set(name, s);
        newSets.push(s);
      },
      element: (map, key, verdict, origin) => {
        const m = this.mapIndex.get(map);
        if (!m) throw new Error(`nftables: no map ${map} in ${where}`);
        if (m.keys.has(key)) return false;
        m.keys.add(key);
        m.elements.push(origin ? { key, verdict, origin } : { key, verdict });
        return true;
      },
      vni: (set, vni, origin) => {
        const s = this.setIndex.get(set);
        if (!s) throw new Error(`nftables: no set ${set} in ${where}`);
        if (s.values.has(vni)) return;
        s.values.add(vni);
        s.elements.push(origin ? { vni, origin } : { vni });
      },
      rule: (chain, group, rule, ignoreExist = false) => {
        const c = this.chainIndex.get(chain);
        if (!c) throw new Error(`nftables: no chain ${chain} in ${where}`);
        const key = ruleKey(group, rule);
        if (c.keys.has(key)) return ignoreExist;
        c.keys.add(key);
        const list = c.groups.get(group);
        if (list) list.push(rule);
        else c.groups.set(group, [rule]);
        return true;
      },
    };
    changes(tx);
    this.chains.push(...newChains.sort(byteOrder));
    this.maps.push(...newMaps.sort(byteOrder));
    this.sets.push(...newSets.sort(byteOrder));
  }

  hasChain(name: string): boolean {
    return this.chainIndex.has(name);
  }

  build(): NftTable {
    return {
      family: this.family,
      name: this.name,
      maps: this.maps.map((m): NftVerdictMap => ({ name: m.name, elements: m.elements })),
      sets: this.sets.map((s): NftVniSet => ({ name: s.name, elements: s.elements })),
      chains: this.chains.map(
        (c): NftChain => ({
          name: c.name,
          ...(c.base ? { base: c.base } : {}),
          rules: [...c.groups.keys()].sort((a, b) => a - b).flatMap((g) => c.groups.get(g)!),
        }),
      ),
    };
  }
}
