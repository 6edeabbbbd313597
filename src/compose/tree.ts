// A compose file as a tree whose every node knows where it was written: the file, its YAML path and its
// source offsets. Compose merges several files, follows anchors and YAML merge keys (`<<: *base`), and
// `extends` pulls in services of other files, so a value's position cannot be found again from its path
// in one document afterwards; each node carries it instead, and diagnostics use it as an explicit range.
//
// Built from the parsed document (src/parse), not from its plain value, so that:
// - an alias (`*x`) points at the anchored node (where the value is written);
// - a merge key `<<` works as go-yaml (Compose's parser) does it: the mapping's own keys win, and of
//   several merged mappings (`<<: [*a, *b]`) the first that has a key gives it;
// - the tags `!reset` and `!override` (compose-go loader/reset.go) are kept for the merge of several files.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { YamlPath } from '../diagnostics/diagnostic.ts';
import { keyString } from '../parse/index.ts';

export type Range = readonly [number, number];

export interface Origin {
  readonly file: string;
  /** Where the value is used, in the compose model (services.web.ports[0]). */
  readonly path: YamlPath;
  /** Offsets of the value in `file` (of the anchored node, for a value reached through an alias). */
  readonly range: Range;
  /** Offsets of the key that holds the value, when it is held by a key. */
  readonly keyRange?: Range;
}

export type MergeTag = 'reset' | 'override';

interface Base {
  readonly origin: Origin;
  readonly tag?: MergeTag;
}
export interface CMap extends Base {
  readonly kind: 'map';
  readonly entries: ReadonlyMap<string, CNode>;
}
export interface CSeq extends Base {
  readonly kind: 'seq';
  readonly items: readonly CNode[];
}
export type Scalar = string | number | boolean | null;
export interface CScalar extends Base {
  readonly kind: 'scalar';
  readonly value: Scalar;
}
export type CNode = CMap | CSeq | CScalar;

const TAGS: Readonly<Record<string, MergeTag>> = { '!reset': 'reset', '!override': 'override' };

/** The tree of a parsed document (undefined for an empty one). */
export function treeOf(doc: Document.Parsed, file: string): CNode | undefined {
  const root = doc.contents as Node | null;
  if (!root) return undefined;
  return build(doc, root, file, [], undefined);
}

function rangeOf(node: Node | null | undefined): Range {
  const r = node?.range;
  return r ? [r[0], r[1]] : [0, 0];
}

function build(doc: Document.Parsed, raw: unknown, file: string, path: YamlPath, keyRange: Range | undefined): CNode {
  const tagNode = raw as { tag?: string } | null;
  const tag = tagNode?.tag !== undefined ? TAGS[tagNode.tag] : undefined;
  const node = (isAlias(raw) ? raw.resolve(doc) : raw) as Node | null | undefined;
  const origin: Origin = { file, path, range: rangeOf(node ?? (raw as Node | null)), ...(keyRange ? { keyRange } : {}) };
  const extra = tag ? { tag } : {};
  if (isMap(node)) return { kind: 'map', entries: mapEntries(doc, node.items, file, path), origin, ...extra };
  if (isSeq(node)) {
    return { kind: 'seq', items: node.items.map((it, i) => build(doc, it, file, [...path, i], undefined)), origin, ...extra };
  }
  const value = isScalar(node) ? (node.value as Scalar) : null;
  return { kind: 'scalar', value: typeof value === 'bigint' ? Number(value) : value, origin, ...extra };
}

function mapEntries(doc: Document.Parsed, items: readonly unknown[], file: string, path: YamlPath): Map<string, CNode> {
  const explicit = new Set<string>();
  for (const it of items) if (isPair(it) && keyString(it.key) !== '<<') explicit.add(keyString(it.key));
  const out = new Map<string, CNode>();
  for (const it of items) {
    if (!isPair(it)) continue;
    const key = keyString(it.key);
    if (key !== '<<') {
      out.set(key, build(doc, it.value, file, [...path, key], rangeOf(it.key as Node)));
      continue;
    }
    // `<<: *a` or `<<: [*a, *b]`: keys not written in this mapping, the first merged mapping winning.
    const merged = build(doc, it.value, file, path, undefined);
    const sources = merged.kind === 'seq' ? merged.items : [merged];
    for (const src of sources) {
      if (src.kind !== 'map') continue;
      for (const [k, v] of src.entries) if (!explicit.has(k) && !out.has(k)) out.set(k, relocate(v, [...path, k]));
    }
  }
  return out;
}

/** The same node used at another path (a merged or extended value): its path changes, its offsets do not. */
export function relocate(node: CNode, path: YamlPath): CNode {
  const origin = { ...node.origin, path };
  if (node.kind === 'map') {
    const entries = new Map<string, CNode>();
    for (const [k, v] of node.entries) entries.set(k, relocate(v, [...path, k]));
    return { ...node, origin, entries };
  }
  if (node.kind === 'seq') return { ...node, origin, items: node.items.map((v, i) => relocate(v, [...path, i])) };
  return { ...node, origin };
}

/** The tree as plain data (what Compose's loader holds as map[string]any), for schema validation. */
export function toPlain(node: CNode | undefined): unknown {
  if (!node) return null;
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of node.entries) out[k] = toPlain(v);
  return out;
}

/** The node at `path` below `node` (map keys and list indexes), or undefined. */
export function nodeAt(node: CNode | undefined, path: readonly (string | number)[]): CNode | undefined {
  let n = node;
  for (const seg of path) {
    if (!n) return undefined;
    if (n.kind === 'map') n = n.entries.get(String(seg));
    else if (n.kind === 'seq' && typeof seg === 'number') n = n.items[seg];
    else return undefined;
  }
  return n;
}

export const child = (node: CNode | undefined, key: string): CNode | undefined => (node?.kind === 'map' ? node.entries.get(key) : undefined);

/** A scalar's text as Go's fmt.Sprint would print it (Compose reads ports, names and addresses so). */
export function text(node: CNode | undefined): string | undefined {
  if (!node || node.kind !== 'scalar' || node.value === null) return undefined;
  return String(node.value);
}
