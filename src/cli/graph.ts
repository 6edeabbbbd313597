// `netform graph`: the topology of a netform file (or of a compose project it names) as a picture: SVG
// (rendered in-process), Graphviz DOT, or a Mermaid flowchart for a pull request.
import { writeFileSync } from 'node:fs';
import type { CompileOptions, CompileResult } from '../compile.ts';
import { formatDiagnostics } from '../diagnostics/format.ts';
import { buildGraph, dotToSvg, graphToDot, graphToMermaid } from '../render/graph/index.ts';
import { UsageError } from './usage.ts';

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const GRAPH_HELP = `Usage: netform graph FILE [--format svg|dot|mermaid] [--host NAME] [-o OUT]
Draws the topology FILE builds: networks as boxes (driver, subnet, gateway, internal, ICC), containers
with their address on each network, ports published on the host, and with several hosts each host in
its own box, overlays spanning them. Writes to OUT, or to stdout.
  --format  svg (default; rendered in-process, no Graphviz needed), dot (Graphviz), mermaid (a flowchart
            GitHub renders in a pull request)
  --host    draw this host only
`;

const FORMATS = new Set(['svg', 'dot', 'mermaid']);

export async function runGraph(files: readonly string[], flags: ReadonlyMap<string, string | true>, io: Io, compileFile: (file: string, options?: CompileOptions) => CompileResult): Promise<number> {
  if (files.length !== 1) throw new UsageError(`graph takes exactly one input FILE (got ${files.length})`);
  const format = typeof flags.get('--format') === 'string' ? (flags.get('--format') as string) : 'svg';
  if (!FORMATS.has(format)) throw new UsageError(`--format must be svg, dot or mermaid (got "${format}")`);
  const host = typeof flags.get('--host') === 'string' ? (flags.get('--host') as string) : undefined;
  const output = typeof flags.get('-o') === 'string' ? (flags.get('-o') as string) : undefined;
  const file = files[0]!;
  const r = compileFile(file, { files: false, requireSecrets: false });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !r.model || !r.topologies) {
    const sources = [...r.sources].map(([f, s]) => ({ file: f, text: s.text, doc: s.parsed?.doc, lineCounter: s.parsed?.lineCounter }));
    io.err(`${formatDiagnostics(errors, sources.length > 0 ? sources : [{ file, text: '' }], { color: flags.has('--color') })}\n`);
    return 1;
  }
  if (host !== undefined && !r.topologies.some((t) => t.host === host)) {
    throw new UsageError(`--host ${host}: ${file} has no such host (it has ${r.topologies.map((t) => t.host).join(', ')})`);
  }
  const graph = buildGraph(r.model, r.topologies, host !== undefined ? { host } : {});
  const dot = graphToDot(graph);
  const text = format === 'dot' ? dot : format === 'mermaid' ? graphToMermaid(graph) : await dotToSvg(dot);
  if (output) writeFileSync(output, text);
  else io.out(text);
  return 0;
}
