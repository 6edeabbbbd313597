// Items of a topology's list (its endpoints, containers, port mappings) found by the value of a property.
// A trace asks a few times (the containers it names and reaches, the addresses it routes to): each of
// the first lookups scans the list, which costs far less than making a map of 10,000s of keys; a list
// asked more often than that (a build checking many expectations) gets the map, made once.

import type { Endpoint, Topology } from '../topology/types.ts';

/** A macvlan/ipvlan endpoint: a child of a host link rather than a veth. */
export type LanEndpoint = Endpoint & { readonly attachment: Exclude<Endpoint['attachment'], { kind: 'overlay' } | undefined> };

const lanLists = new WeakMap<Topology, readonly LanEndpoint[]>();

/** A host's macvlan/ipvlan endpoints, in order: one pass over its endpoints, shared by the world and the fabric. */
export function lanEndpoints(t: Topology): readonly LanEndpoint[] {
  let l = lanLists.get(t);
  if (!l) {
    const found: LanEndpoint[] = [];
    for (const e of t.endpoints) if (e.attachment && e.attachment.kind !== 'overlay') found.push(e as LanEndpoint);
    lanLists.set(t, (l = found));
  }
  return l;
}

type KeyOf<T> = { [P in keyof T]-?: NonNullable<T[P]> extends string | number ? P : never }[keyof T];

/** How many lookups scan the list before its map is made. */
const SCANS_BEFORE_MAP = 8;

export class ListIndex<T extends object, K extends KeyOf<T> = KeyOf<T>> {
  private map: Map<unknown, T | T[]> | undefined;
  private scans = 0;
  private readonly first: K;
  private readonly second: K | undefined;

  /** An item is found by the value of each of `keys` (one or two properties of the same kind). */
  constructor(
    private readonly items: readonly T[],
    keys: readonly [K] | readonly [K, K],
  ) {
    this.first = keys[0];
    this.second = keys[1];
  }

  /** The items whose key is `k`, in list order. */
  all(k: NonNullable<T[K]>): readonly T[] {
    const map = this.mapAfterScans();
    if (map) {
      const l = map.get(k);
      return l === undefined ? [] : Array.isArray(l) ? l : [l];
    }
    const { first, second } = this;
    const out: T[] = [];
    for (const item of this.items) if (item[first] === k || (second !== undefined && item[second] === k)) out.push(item);
    return out;
  }

  /** The first item whose key is `k` (and that `test` accepts): a scan stops there. */
  find(k: NonNullable<T[K]>, test?: (item: T) => boolean): T | undefined {
    const map = this.mapAfterScans();
    if (map) {
      const l = map.get(k);
      return Array.isArray(l) ? l.find((item) => !test || test(item)) : l && (!test || test(l)) ? l : undefined;
    }
    const { first, second } = this;
    for (const item of this.items) if ((item[first] === k || (second !== undefined && item[second] === k)) && (!test || test(item))) return item;
    return undefined;
  }

  has(k: NonNullable<T[K]>): boolean {
    return this.find(k) !== undefined;
  }

  private mapAfterScans(): Map<unknown, T | T[]> | undefined {
    if (this.map || ++this.scans <= SCANS_BEFORE_MAP) return this.map;
    const map = new Map<unknown, T | T[]>();
    const add = (k: unknown, item: T): void => {
      // Most keys have one item: no array for them, at 10,000s of keys.
      const l = map.get(k);
      if (l === undefined) map.set(k, item);
      else if (Array.isArray(l)) l.push(item);
      else map.set(k, [l, item]);
    };
    for (const item of this.items) {
      const a = item[this.first];
      if (a !== undefined) add(a, item);
      // An item is found once under a value, whichever of its keys has it.
      const b = this.second === undefined ? undefined : item[this.second];
      if (b !== undefined && b !== a) add(b, item);
    }
    return (this.map = map);
  }
}
