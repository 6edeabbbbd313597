// netform's rules inside built-in chains, kept in Docker's order without fighting other tools for a
// position. What must hold: each of netform's rules there exactly once, in the order the build has
// them. Where they sit among other tools' rules is left as it is; a rule that is missing goes right
// after the one of netform's that precedes it (or before the one that follows), and the first one of a
// chain goes where dockerd puts it: at the head for the rules it inserts (EnsureJumpRule, the
// MASQUERADE rules: iptables.go Rule.Insert), at the end for those it appends (the nat DOCKER jumps,
// the raw drops: Rule.Append). No fixed restore input makes a jump idempotent (a restore only adds or
// deletes one copy), so the edit is computed from the live chain: every copy of a misplaced rule is
// deleted (each -D also fails the table if a copy vanished meanwhile), then the rule is inserted once.

export type AnchorMode = 'head' | 'tail';

export interface AnchorEdit {
  /** Specs to delete, one `-D CHAIN spec` each (a spec with two copies is listed twice). */
  readonly deletes: readonly string[];
  /** Specs to insert, in order: a 1-based `-I` position, or 'append' (`-A`). */
  readonly inserts: readonly { readonly spec: string; readonly at: number | 'append' }[];
}

/** Indices of a longest increasing subsequence of `xs` (patience sorting). */
function longestIncreasing(xs: readonly number[]): Set<number> {
  const tails: number[] = [];
  const prev: number[] = new Array(xs.length).fill(-1);
  for (let i = 0; i < xs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[tails[mid]!]! < xs[i]!) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const out = new Set<number>();
  for (let i = tails.length ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!) out.add(i);
  return out;
}

/**
 * The edit that makes the owned rules of a chain (`live`, every rule of the chain in order; `owned`
 * says which are netform's) read `desired`; undefined when they already do.
 */
export function planAnchors(live: readonly string[], owned: (spec: string) => boolean, desired: readonly string[], mode: (spec: string) => AnchorMode): AnchorEdit | undefined {
  const liveOwned = live.filter(owned);
  if (liveOwned.length === desired.length && liveOwned.every((s, i) => s === desired[i])) return undefined;
  const count = new Map<string, number>();
  for (const s of liveOwned) count.set(s, (count.get(s) ?? 0) + 1);
  const wantAt = new Map(desired.map((s, i) => [s, i] as const));
  // Rules present once and wanted: keep the largest set that is already in the wanted order.
  const single = liveOwned.filter((s) => count.get(s) === 1 && wantAt.has(s));
  const keepIdx = longestIncreasing(single.map((s) => wantAt.get(s)!));
  const good = new Set(single.filter((_, i) => keepIdx.has(i)));

  const deletes: string[] = [];
  for (const [s, n] of count) if (!good.has(s)) for (let k = 0; k < n; k++) deletes.push(s);
  const after = live.filter((s) => !(owned(s) && !good.has(s)));

  const inserts: { spec: string; at: number | 'append' }[] = [];
  let last = -1;
  for (let i = 0; i < desired.length; i++) {
    const s = desired[i]!;
    if (good.has(s)) {
      last = after.indexOf(s);
      continue;
    }
    let at: number;
    if (last >= 0) at = last + 1;
    else {
      const next = desired.slice(i + 1).find((x) => good.has(x));
      at = next !== undefined ? after.indexOf(next) : mode(s) === 'head' ? 0 : after.length;
    }
    inserts.push({ spec: s, at: at === after.length ? 'append' : at + 1 });
    after.splice(at, 0, s);
    last = at;
  }
  return { deletes, inserts };
}
