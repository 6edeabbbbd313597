// `netform graph` for every example: the SVG is well-formed XML with an <svg> root, the DOT parses with
// a DOT parser (@ts-graphviz/ast), the Mermaid passes Mermaid's own parser, and every format is the
// same bytes when drawn again. test/graph-chromium.test.ts renders the SVGs in a browser.
import { DOMParser } from '@xmldom/xmldom';
import { parse as parseDot } from '@ts-graphviz/ast';
import { JSDOM } from 'jsdom';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildGraph, dotToSvg, graphToDot, graphToMermaid } from '../src/render/graph/index.ts';
import { buildExample } from './support/examples.ts';
import { exampleGraphs } from './support/graphs.ts';

// Mermaid sanitises labels with DOMPurify, which needs a DOM: jsdom's, set up before Mermaid loads.
const dom = new JSDOM('<!doctype html><html><body></body></html>');
Object.assign(globalThis, { window: dom.window, document: dom.window.document });
const mermaid = (await import('mermaid')).default;

const graphs = await exampleGraphs();

test('there are examples to draw', () => {
  assert.ok(graphs.length >= 20, `only ${graphs.length} examples`);
});

for (const g of graphs) {
  test(`graph ${g.name}: SVG is XML, DOT parses, Mermaid parses`, async () => {
    const problems: string[] = [];
    const doc = new DOMParser({ onError: (level, msg) => problems.push(`${level}: ${msg}`) }).parseFromString(g.svg, 'image/svg+xml');
    assert.equal(problems, []);
    assert.is(doc.documentElement?.nodeName, 'svg');
    const ast = parseDot(g.dot);
    assert.is(ast.type, 'Dot');
    const parsed = await mermaid.parse(g.mermaid);
    assert.ok(parsed && parsed.diagramType.startsWith('flowchart'), `mermaid saw ${JSON.stringify(parsed)}`);
  });
}

test('graph output is deterministic: drawn again, the same bytes', async () => {
  for (const name of ['my-net', 'alpine-net', 'swarm-overlay'].filter((n) => graphs.some((g) => g.name === n))) {
    const first = graphs.find((g) => g.name === name)!;
    const r = buildExample(name);
    const graph = buildGraph(r.model!, r.topologies!);
    const dot = graphToDot(graph);
    assert.is(dot, first.dot, `${name} dot`);
    assert.is(graphToMermaid(graph), first.mermaid, `${name} mermaid`);
    assert.is(await dotToSvg(dot), first.svg, `${name} svg`);
  }
});

test('the graph says what the build has: networks with subnet and gateway, addresses, published ports', () => {
  const my = graphs.find((g) => g.name === 'alpine-net')!;
  const r = buildExample('alpine-net');
  const t = r.topologies![0]!;
  for (const e of t.endpoints) if (e.ipv4) assert.ok(my.dot.includes(`${e.ipv4} (${e.ifname})`), `${e.container} ${e.ipv4}`);
  for (const b of t.bridges.filter((b) => t.endpoints.some((e) => e.network === b.network))) assert.ok(my.dot.includes(b.network), b.network);
  const withPorts = graphs.find((g) => /→ \d+\/tcp/.test(g.dot));
  assert.ok(withPorts, 'some example publishes a port, drawn host port → container port');
});

test('hosts of a fleet are drawn side by side, overlays outside them', () => {
  const fleet = graphs.find((g) => (g.dot.match(/subgraph cluster_h/g) ?? []).length >= 2 && /\bov0 \[/.test(g.dot));
  assert.ok(fleet, 'an example with several hosts and an overlay');
});

test('the emphasis seam: what a tracer marks reached or unreached is drawn so', () => {
  const r = buildExample('alpine-net');
  const graph = buildGraph(r.model!, r.topologies!);
  const first = graph.hosts[0]!.containers[0]!.id;
  const emphasis = (ref: { id: string }) => (ref.id === first ? ('reached' as const) : ('unreached' as const));
  assert.match(graphToDot(graph, { emphasis }), /penwidth=2\.2/);
  assert.match(graphToMermaid(graph, { emphasis }), /class \S+ reached;/);
});

test.run();
