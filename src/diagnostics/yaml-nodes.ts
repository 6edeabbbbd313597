// Navigation between YAML paths (what diagnostics carry) and parsed nodes (what has source offsets).
//
// `doc.getIn(path, true)` is the obvious tool, but it compares map keys with `===` against the node's value,
// does not follow aliases (`*anchor`), and cannot say which part of a path exists. `lookup` walks the
// tree itself: keys compare as strings (as `toJS()` turns them into object keys), aliases resolve to their
// anchored node, and the walk stops at the nearest existing ancestor when the full path is missing.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import type { YamlPath } from './diagnostic.ts';

/** [start, end) offsets into the source text. */
export type Span = readonly [number, number];

export interface Lookup {
  /** The node at the deepest path prefix that exists (undefined when the document is empty). */
  readonly node: Node | undefined;
  /** The map pair whose key is the last segment of the found prefix, when that segment is a map key. */
  readonly pair: Pair<Node, Node | null> | undefined;
  /** How many segments of the path were found (path.length when the whole path exists). */
  readonly depth: number;
}

/** Follows an alias to its anchored node; other nodes are returned unchanged. */
export function deref(doc: Document, node: unknown): Node | undefined {
  if (isAlias(node)) return node.resolve(doc) ?? undefined;
  return (node ?? undefined) as Node | undefined;
}

/** The key of a map pair as `toJS()` would spell it in the resulting object. */
export function keyString(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return '';
  return String(key);
}

/** Walks `path` from the document root, as far as it exists. */
export function lookup(doc: Document, path: YamlPath): Lookup {
  let node = deref(doc, doc.contents);
  let pair: Pair<Node, Node | null> | undefined;
  let depth = 0;
  for (const seg of path) {
    if (isMap(node)) {
      const want = String(seg);
      // The last pair wins, as in toJS(); duplicates are reported by the parser anyway.
      let found: Pair<Node, Node | null> | undefined;
      for (const item of node.items) if (isPair(item) && keyString(item.key) === want) found = item as Pair<Node, Node | null>;
      if (!found) break;
      pair = found;
      node = deref(doc, found.value);
    } else if (isSeq(node) && typeof seg === 'number' && seg >= 0 && seg < node.items.length) {
      pair = undefined;
      node = deref(doc, node.items[seg]);
    } else {
      break;
    }
    depth++;
    if (node === undefined) break; // `key:` with no value node at all: the pair is the best we have
  }
  return { node, pair, depth };
}

/** Source span of a node: its value, without trailing comments/whitespace. */
export function nodeSpan(node: Node | null | undefined): Span | undefined {
  const r = node?.range;
  return r ? [r[0], r[1]] : undefined;
}

/**
 * The YAML path of a node found by `visit`, from the visitor's ancestor list (Document, collections, pairs)
 * and the node itself.
 */
export function pathOfNode(ancestors: readonly unknown[], node: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isMap(parent) && isPair(child)) path.push(keyString(child.key));
    else if (isSeq(parent)) {
      const idx = parent.items.indexOf(child as never);
      if (idx >= 0) path.push(idx);
    }
  }
  return path;
}
