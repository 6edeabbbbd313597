// `!reset` and `!override` (compose-go loader/reset.go): a tagged value in a later file removes what the
// earlier files had at its path; `!reset` then drops the value itself, `!override` keeps it, so it
// replaces the earlier value instead of being merged with it. In a sequence an earlier entry cannot be
// removed (ResetProcessor.applyNullOverrides skips it), only a tagged entry of the file itself.
import type { CNode } from './tree.ts';

type Path = readonly (string | number)[];

/** The file's tree without its `!reset` values, and the paths of every tagged value. */
export function takeResets(tree: CNode): { tree: CNode; paths: Path[] } {
  const paths: Path[] = [];
  const walk = (n: CNode, p: Path): CNode | undefined => {
    if (n.tag) {
      paths.push(p);
      if (n.tag === 'reset') return undefined;
    }
    if (n.kind === 'map') {
      const entries = new Map<string, CNode>();
      for (const [k, v] of n.entries) {
        const w = walk(v, [...p, k]);
        if (w) entries.set(k, w);
      }
      return { ...n, entries };
    }
    if (n.kind === 'seq') return { ...n, items: n.items.flatMap((v, i) => walk(v, [...p, i]) ?? []) };
    return n;
  };
  return { tree: walk(tree, []) ?? tree, paths };
}

/** The model without the values at `paths` (mapping keys only). */
export function applyResets(model: CNode, paths: readonly Path[]): CNode {
  if (paths.length === 0) return model;
  const hit = (p: Path) => paths.some((q) => q.length === p.length && q.every((s, i) => String(s) === String(p[i])));
  const walk = (n: CNode, p: Path): CNode => {
    if (n.kind === 'map') {
      const entries = new Map<string, CNode>();
      for (const [k, v] of n.entries) if (!hit([...p, k])) entries.set(k, walk(v, [...p, k]));
      return { ...n, entries };
    }
    if (n.kind === 'seq') return { ...n, items: n.items.map((v, i) => walk(v, [...p, i])) };
    return n;
  };
  return walk(model, []);
}
