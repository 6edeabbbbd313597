export { buildGraph, type Graph, type GraphOptions, type GraphElementRef, type Emphasis } from './graph.ts';
export { graphToDot } from './dot.ts';
export { graphToMermaid } from './mermaid.ts';
export { dotToSvg } from './svg.ts';
