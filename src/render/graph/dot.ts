// The graph in Graphviz's DOT language (and, through svg.ts, as SVG). Left to right: the host's
// namespace (published ports, host-network containers) and the networks, then the containers; each host
// of a fleet in a cluster of its own, overlays outside the clusters with edges into each host. Networks
// are boxes saying driver, subnet, gateway and whether they are internal or isolate their containers
// (ICC off); an edge from a network to a container carries the container's address and interface on it.
import type { Emphasis, Graph, GraphContainer, GraphElementRef, GraphHost, GraphNetwork, GraphOptions } from './graph.ts';

const FILL: Readonly<Record<string, string>> = { bridge: '#dbeafe', overlay: '#ede9fe', macvlan: '#dcfce7', ipvlan: '#dcfce7' };

/** Text for an HTML-like label. */
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function graphToDot(graph: Graph, options: GraphOptions = {}): string {
  const ids = idsOf(graph);
  const style = (ref: GraphElementRef) => emphasisAttrs(options.emphasis?.(ref));
  const lines: string[] = [
    'digraph netform {',
    '  graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.25, ranksep=1.0, pad=0.25];',
    '  node [fontname="Helvetica", fontsize=10, shape=box, style="rounded,filled", fillcolor="#ffffff", color="#374151", margin="0.12,0.06"];',
    '  edge [fontname="Helvetica", fontsize=9, color="#6b7280", fontcolor="#374151", arrowhead=none];',
  ];
  const edges: string[] = [];
  for (const h of graph.hosts) {
    lines.push(`  subgraph cluster_${ids.get(h.id)} {`);
    lines.push(`    graph [label=<<b>host ${html(h.name)}</b>>, style="rounded,dashed", color="#9ca3af", fontsize=12];`);
    // The host's own namespace: where ports are published and host-network containers run.
    lines.push(`    ${ids.get(h.id)} [label=<<b>${html(h.name)}</b><br/>host namespace>, shape=box, style="filled", fillcolor="#f3f4f6"${style({ kind: 'host', id: h.id })}];`);
    for (const n of h.networks) lines.push(`    ${networkNode(n, ids, style)}`);
    for (const c of h.containers) lines.push(`    ${containerNode(c, ids, style)}`);
    lines.push('  }');
    edges.push(...hostEdges(h, ids));
  }
  for (const n of graph.overlays) lines.push(`  ${networkNode(n, ids, style)}`);
  lines.push(...edges, '}', '');
  return lines.join('\n');
}

/** Short DOT identifiers, by element id, in drawing order. */
export function idsOf(graph: Graph): Map<string, string> {
  const ids = new Map<string, string>();
  graph.hosts.forEach((h, i) => {
    ids.set(h.id, `h${i}`);
    h.networks.forEach((n, j) => ids.set(n.id, `h${i}n${j}`));
    h.containers.forEach((c, j) => ids.set(c.id, `h${i}c${j}`));
  });
  graph.overlays.forEach((n, i) => ids.set(n.id, `ov${i}`));
  return ids;
}

/** The lines of a network's box: name, driver (and bridge device), subnets and gateways, flags. */
export function networkLines(n: GraphNetwork): string[] {
  const lines = [`${n.driver}${n.device ? ` · ${n.device}` : ''}`];
  n.subnets.forEach((s, i) => lines.push(n.gateways[i] ? `${s} · gw ${n.gateways[i]}` : s));
  const flags = [n.internal ? 'internal' : '', n.icc ? '' : 'ICC off'].filter((f) => f !== '');
  if (flags.length > 0) lines.push(flags.join(' · '));
  return lines;
}

function networkNode(n: GraphNetwork, ids: Map<string, string>, style: (r: GraphElementRef) => string): string {
  const label = [`<b>${html(n.name)}</b>`, ...networkLines(n).map(html)].join('<br/>');
  const fill = n.builtIn ? '#f3f4f6' : (FILL[n.driver] ?? '#f3f4f6');
  const border = n.internal ? 'filled,dashed' : 'filled';
  return `${ids.get(n.id)} [label=<${label}>, shape=box, style="${border}", fillcolor="${fill}", penwidth=1.4${style({ kind: 'network', id: n.id })}];`;
}

/** The lines under a container's name. */
export function containerLines(c: GraphContainer): string[] {
  const lines: string[] = [];
  if (c.hostname !== c.name) lines.push(`hostname ${c.hostname}`);
  if (c.mode.kind === 'host') lines.push('network_mode: host');
  if (c.mode.kind === 'none') lines.push('no network');
  return lines;
}

function containerNode(c: GraphContainer, ids: Map<string, string>, style: (r: GraphElementRef) => string): string {
  const label = [`<b>${html(c.name)}</b>`, ...containerLines(c).map((l) => `<font point-size="9">${html(l)}</font>`)].join('<br/>');
  return `${ids.get(c.id)} [label=<${label}>${style({ kind: 'container', id: c.id })}];`;
}

/** An address edge's label: each address with the interface it is on. */
export function addressLabel(a: { readonly ipv4?: string; readonly ipv6?: string; readonly ifname: string }): string[] {
  const addresses = [a.ipv4, a.ipv6].filter((x): x is string => x !== undefined);
  return addresses.length === 0 ? [a.ifname] : addresses.map((x) => `${x} (${a.ifname})`);
}

/** A published port as seen from the host: [address:]port → container port/protocol. */
export function portLabel(p: { readonly hostIP: string; readonly hostPort: number; readonly containerPort: number; readonly proto: string }): string {
  const host = p.hostIP === '' ? '' : p.hostIP.includes(':') ? `[${p.hostIP}]:` : `${p.hostIP}:`;
  return `${host}${p.hostPort} → ${p.containerPort}/${p.proto}`;
}

/** The ports published to each container, one label per container. */
export function portsByContainer(h: GraphHost): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of h.ports) out.set(p.container, [...(out.get(p.container) ?? []), portLabel(p)]);
  return out;
}

function hostEdges(h: GraphHost, ids: Map<string, string>): string[] {
  const out: string[] = [];
  for (const c of h.containers) {
    for (const a of c.addresses) out.push(`  ${ids.get(a.network)} -> ${ids.get(c.id)} [label=<${addressLabel(a).map(html).join('<br/>')}>];`);
    if (c.mode.kind === 'host') out.push(`  ${ids.get(h.id)} -> ${ids.get(c.id)} [style=dotted, label=<host network>];`);
    if (c.mode.kind === 'shared' && ids.has(c.mode.container)) out.push(`  ${ids.get(c.mode.container)} -> ${ids.get(c.id)} [style=dotted, label=<shares its network namespace>];`);
  }
  for (const [container, labels] of portsByContainer(h)) {
    out.push(`  ${ids.get(h.id)} -> ${ids.get(container)} [style=dashed, color="#b45309", fontcolor="#b45309", arrowhead=normal, label=<${labels.map(html).join('<br/>')}>];`);
  }
  return out;
}

function emphasisAttrs(e: Emphasis): string {
  if (e === 'reached') return ', color="#15803d", penwidth=2.2';
  if (e === 'unreached') return ', color="#d1d5db", fontcolor="#9ca3af"';
  return '';
}
