// DOT to SVG in-process, with Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz): no native
// Graphviz on the machine, and the same bytes everywhere (one Graphviz build, its own font metrics).
// Loaded on first use only: the other commands never pay for it.
export async function dotToSvg(dot: string): Promise<string> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const graphviz = await Graphviz.load();
  return graphviz.dot(dot, 'svg');
}
