// The pipeline's shape, checked on every run: stages import only downward (diagnostics < parse < schema
// < model < ipam < firewall < topology < render < compile < cli, with src/net below all of them) and no
// module imports itself through a cycle. Prints both counts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Rank of each top-level entry of src/: an import may only go to an equal or lower rank. */
const RANK: Readonly<Record<string, number>> = {
  net: 0,
  'version.ts': 0,
  diagnostics: 1,
  parse: 2,
  compose: 2.5,
  schema: 3,
  model: 4,
  lock: 4.5,
  ipam: 5,
  firewall: 6,
  topology: 7,
  render: 8,
  golden: 8,
  trace: 8.5,
  'compile-hosts.ts': 9,
  'compile-projects.ts': 9,
  'compile-lock.ts': 9,
  'compile.ts': 9,
  apply: 10,
  'index.ts': 11,
  cli: 12,
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*['"](\.[^'"]+)['"]|(?:^|\n)\s*import\s*\(?\s*['"](\.[^'"]+)['"]/g;

function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const f of walk(src)) {
    const text = readFileSync(f, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(IMPORT)) targets.push(path.resolve(path.dirname(f), m[1] ?? m[2]!));
    edges.set(f, targets);
  }
  return edges;
}

const stageOf = (f: string): string => path.relative(src, f).split(path.sep)[0]!;

/** Strongly connected groups of more than one file (Tarjan). */
function cycles(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        group.push(path.relative(src, w));
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test('every top-level entry of src/ has a rank', () => {
  const unranked = readdirSync(src).filter((e) => RANK[e] === undefined);
  assert.equal(unranked, [], 'add new stages to RANK in test/architecture.test.ts (and docs/architecture.md)');
});

test('stages import only downward, and no import cycle', () => {
  const edges = graph();
  const upward: string[] = [];
  for (const [from, targets] of edges) {
    for (const to of targets) {
      if (!edges.has(to)) continue;
      if (RANK[stageOf(to)]! > RANK[stageOf(from)]!) upward.push(`${path.relative(src, from)} -> ${path.relative(src, to)}`);
    }
  }
  const groups = cycles(edges);
  console.log(`import graph: ${edges.size} files, ${groups.length} cycles, ${upward.length} upward imports`);
  assert.equal(upward, []);
  assert.equal(groups, []);
});

test.run();
