// Planning netform's nft tables: each of Docker's tables the build wants or the host has is compared,
// normalised (listing.ts), with the build's; a table that differs is replaced whole, one that is no
// longer wanted deleted, all in one `nft -f` input, which the kernel applies as one transaction across
// tables and families. The plan shows the table's maps, sets and chains that change, with the rule
// and element lines, and marks what differs from the last apply (drift).
import { replaceTable, listTable } from '../../../firewall/nftables/text/index.ts';
import type { NftTable } from '../../../firewall/nftables/types.ts';
import type { FirewallChange } from '../applier.ts';
import { parseListing, sameBlock, sameListing, tableName, type NftBlock, type NftListing } from './listing.ts';

/** The normalised listing of a table as the build wants it. */
export const wantedListing = (t: NftTable): NftListing => parseListing(listTable(t, { counters: false, dialect: 'nft-1.0.6' }))!;

/** Lines of `a` not in `b` and of `b` not in `a`, counted as multisets: the diff of lists too long for an LCS table. */
function bagDiff(a: readonly string[], b: readonly string[]): { removed: string[]; added: string[] } {
  const count = new Map<string, number>();
  for (const l of b) count.set(l, (count.get(l) ?? 0) + 1);
  const removed = a.filter((l) => {
    const k = count.get(l) ?? 0;
    if (k) count.set(l, k - 1);
    return !k;
  });
  const left = new Map<string, number>();
  for (const l of a) left.set(l, (left.get(l) ?? 0) + 1);
  const added = b.filter((l) => {
    const k = left.get(l) ?? 0;
    if (k) left.set(l, k - 1);
    return !k;
  });
  return { removed, added };
}

/** Cells of the LCS table beyond which a chain's rules are diffed as multisets (a reorder then shows no line). */
const LCS_LIMIT = 4_000_000;

/** Lines removed and added from `a` to `b`, in order (a longest common subsequence between them). */
export function lineDiff(a: readonly string[], b: readonly string[]): { removed: string[]; added: string[] } {
  const n = a.length;
  const m = b.length;
  if ((n + 1) * (m + 1) > LCS_LIMIT) return bagDiff(a, b);
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) added.push(b[j++]!);
    else removed.push(a[i++]!);
  }
  return { removed, added };
}

const KINDS: Readonly<Record<string, FirewallChange['kind']>> = { chain: 'chain', map: 'map', set: 'set' };

/** A block's declaration (a base chain's hook and policy, a map's types) for the plan's note. */
function headNote(h: NftBlock | undefined, w: NftBlock | undefined): string | undefined {
  const text = (b: NftBlock | undefined) => b?.head.join(' ') ?? '';
  if (h && w) return text(h) === text(w) ? undefined : `${text(h) || 'no declaration'} -> ${text(w) || 'no declaration'}`;
  return text(h ?? w) || undefined;
}

/** The changes of one table's blocks from `have` to `want`; drift against `last` where it is known. */
function blockChanges(name: string, have: NftListing | undefined, want: NftListing | undefined, last: NftListing | undefined): FirewallChange[] {
  const key = (b: NftBlock) => `${b.kind} ${b.name}`;
  const haveBy = new Map((have?.blocks ?? []).map((b) => [key(b), b] as const));
  const wantBy = new Map((want?.blocks ?? []).map((b) => [key(b), b] as const));
  const lastBy = new Map((last?.blocks ?? []).map((b) => [key(b), b] as const));
  const keys = [...new Set([...wantBy.keys(), ...haveBy.keys()])];
  const out: FirewallChange[] = [];
  for (const k of keys) {
    const h = haveBy.get(k);
    const w = wantBy.get(k);
    if (sameBlock(h, w)) continue;
    const b = (w ?? h)!;
    const d = lineDiff(h?.items ?? [], w?.items ?? []);
    const note = headNote(h, w);
    out.push({
      id: `nftables/${name}/${k}`,
      kind: KINDS[b.kind] ?? 'chain',
      label: `${b.kind} ${name} ${b.name}`,
      action: !h ? 'create' : !w ? 'delete' : 'update',
      ...d,
      drift: last !== undefined && have !== undefined && !sameBlock(h, lastBy.get(k)),
      ...(note ? { note } : {}),
    });
  }
  return out;
}

export interface TablesPlan {
  readonly changes: FirewallChange[];
  /** The `nft -f` input, empty when nothing changes. */
  readonly input: string;
  /** The tables the input writes. */
  readonly touched: string[];
  /** Table name -> normalised listing, as the host has it once applied. */
  readonly after: Record<string, NftListing>;
}

/**
 * `wanted`: the build's tables; `live`: netform's tables the host has (normalised); `last`: the last
 * apply's. Tables are planned in name order, so the input is the same for the same states.
 */
export function planTables(wanted: readonly NftTable[], live: ReadonlyMap<string, NftListing>, last: Readonly<Record<string, NftListing>> | undefined): TablesPlan {
  const byName = new Map(wanted.map((t) => [tableName(t), t] as const));
  const names = [...new Set([...byName.keys(), ...live.keys()])].sort();
  const plan: TablesPlan = { changes: [], input: '', touched: [], after: {} };
  let input = '';
  for (const name of names) {
    const t = byName.get(name);
    const want = t ? wantedListing(t) : undefined;
    const have = live.get(name);
    const was = last?.[name];
    if (want) plan.after[name] = want;
    if (sameListing(have, want)) continue;
    plan.touched.push(name);
    input += t ? replaceTable(t) : `table ${name}\ndelete table ${name}\n`;
    const drift = last !== undefined && (have === undefined ? was !== undefined : !sameListing(have, was));
    if (!have || !want) {
      const note = !have && was ? 'deleted outside netform' : !was && have ? 'not made by netform\'s last apply' : undefined;
      plan.changes.push({ id: `nftables/${name}`, kind: 'table', label: `table ${name}`, action: have ? 'delete' : 'create', added: [], removed: [], drift: drift && !have, ...(note ? { note } : {}) });
    } else if (JSON.stringify(have.head) !== JSON.stringify(want.head)) {
      plan.changes.push({ id: `nftables/${name}`, kind: 'table', label: `table ${name}`, action: 'update', ...lineDiff(have.head, want.head), drift: drift && JSON.stringify(have.head) !== JSON.stringify(was?.head ?? []) });
    }
    plan.changes.push(...blockChanges(name, have, want, was === undefined && last !== undefined ? { head: [], blocks: [] } : was));
  }
  return { ...plan, input };
}
