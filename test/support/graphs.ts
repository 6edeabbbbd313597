// The graph of every example in every format, for the graph tests (test/graph*.test.ts): built once per
// process, as `netform graph` draws them.
import { buildExample, example, exampleNames } from './examples.ts';
import { buildGraph, dotToSvg, graphToDot, graphToMermaid } from '../../src/render/graph/index.ts';

export interface ExampleGraph {
  readonly name: string;
  readonly dot: string;
  readonly mermaid: string;
  readonly svg: string;
}

let cache: Promise<ExampleGraph[]> | undefined;

export function exampleGraphs(): Promise<ExampleGraph[]> {
  cache ??= (async () => {
    const out: ExampleGraph[] = [];
    for (const name of exampleNames()) {
      const r = buildExample(name);
      if (!r.model || !r.topologies) throw new Error(`${example(name).file} does not build`);
      const graph = buildGraph(r.model, r.topologies);
      const dot = graphToDot(graph);
      out.push({ name, dot, mermaid: graphToMermaid(graph), svg: await dotToSvg(dot) });
    }
    return out;
  })();
  return cache;
}
