// The graph as a Mermaid flowchart, for a pull request or a wiki: the same boxes and edges as dot.ts
// (hosts as subgraphs, networks as boxes with driver, subnet, gateway and flags, an edge per address,
// dashed edges for published ports), in text GitHub renders.
import { addressLabel, containerLines, idsOf, networkLines, portsByContainer } from './dot.ts';
import type { Graph, GraphContainer, GraphElementRef, GraphNetwork, GraphOptions } from './graph.ts';

/** A quoted Mermaid label: `"` is written #quot;, lines are joined with <br/>. */
const label = (lines: readonly string[]) => `"${lines.map((l) => l.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')).join('<br/>')}"`;

export function graphToMermaid(graph: Graph, options: GraphOptions = {}): string {
  const ids = idsOf(graph);
  const lines = ['flowchart LR'];
  const edges: string[] = [];
  const classes = new Map<string, string[]>();
  const classify = (ref: GraphElementRef, base: string) => {
    const e = options.emphasis?.(ref);
    const cls = e ?? base;
    classes.set(cls, [...(classes.get(cls) ?? []), ids.get(ref.id)!]);
  };
  for (const h of graph.hosts) {
    lines.push(`  subgraph ${ids.get(h.id)}_box[${label([`host ${h.name}`])}]`);
    lines.push(`    ${ids.get(h.id)}([${label([h.name, 'host namespace'])}])`);
    classify({ kind: 'host', id: h.id }, 'host');
    for (const n of h.networks) lines.push(`    ${network(n, ids, classify)}`);
    for (const c of h.containers) lines.push(`    ${container(c, ids, classify)}`);
    lines.push('  end');
    for (const c of h.containers) {
      for (const a of c.addresses) edges.push(`  ${ids.get(a.network)} ---|${label(addressLabel(a))}| ${ids.get(c.id)}`);
      if (c.mode.kind === 'host') edges.push(`  ${ids.get(h.id)} -.-|${label(['host network'])}| ${ids.get(c.id)}`);
      if (c.mode.kind === 'shared' && ids.has(c.mode.container)) edges.push(`  ${ids.get(c.mode.container)} -.-|${label(['shares its network namespace'])}| ${ids.get(c.id)}`);
    }
    for (const [c, ports] of portsByContainer(h)) edges.push(`  ${ids.get(h.id)} -.->|${label(ports)}| ${ids.get(c)}`);
  }
  for (const n of graph.overlays) lines.push(`  ${network(n, ids, classify)}`);
  lines.push(...edges);
  lines.push(
    '  classDef network fill:#dbeafe,stroke:#1e3a8a;',
    '  classDef builtin fill:#f3f4f6,stroke:#6b7280;',
    '  classDef host fill:#f3f4f6,stroke:#374151;',
    '  classDef container fill:#ffffff,stroke:#374151;',
    '  classDef reached stroke:#15803d,stroke-width:3px;',
    '  classDef unreached fill:#f9fafb,stroke:#d1d5db,color:#9ca3af;',
  );
  for (const [cls, members] of classes) lines.push(`  class ${members.join(',')} ${cls};`);
  return `${lines.join('\n')}\n`;
}

function network(n: GraphNetwork, ids: Map<string, string>, classify: (r: GraphElementRef, base: string) => void): string {
  classify({ kind: 'network', id: n.id }, n.builtIn ? 'builtin' : 'network');
  return `${ids.get(n.id)}[${label([n.name, ...networkLines(n)])}]`;
}

function container(c: GraphContainer, ids: Map<string, string>, classify: (r: GraphElementRef, base: string) => void): string {
  classify({ kind: 'container', id: c.id }, 'container');
  return `${ids.get(c.id)}(${label([c.name, ...containerLines(c)])})`;
}
