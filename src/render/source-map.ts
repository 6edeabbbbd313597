// Source maps: beside an output file, `<file>.map` says for each of its lines what caused it: the
// position of the YAML element (in the input, the daemon.json it names, or a compose file of a project)
// or a named implicit origin (`daemon default`, `engine 29 layout`, `netform scaffolding`, ...).
// `netform blame FILE:LINE` reads it. The map names its sources by path relative to itself, with a hash
// of their text so that blame can tell when a source changed since the build.
import type { Origin, ResolvedOrigin } from '../diagnostics/origin.ts';
import { formatPath } from '../diagnostics/format.ts';
import type { Topology } from '../topology/types.ts';
import { RENDERERS } from './files/index.ts';
import type { FileOrigins, LineOrigin, RenderContext } from './renderer.ts';

export const SOURCE_MAP_FORMAT = 'netform-source-map/1';
export const SOURCE_MAP_SUFFIX = '.map';

/** One origin of a line, as a map stores it. */
export type MapOrigin =
  | { readonly implicit: string }
  | { readonly source: number; readonly line: number; readonly col: number; readonly endLine: number; readonly endCol: number; readonly path: readonly (string | number)[] }
  | { readonly unresolved: string };

export interface SourceMap {
  readonly format: typeof SOURCE_MAP_FORMAT;
  /** The output file, relative to the host's folder. */
  readonly file: string;
  /** The files origins point into: path relative to the map's folder, and the sha-256 of their text. */
  readonly sources: readonly { readonly path: string; readonly sha256: string }[];
  /** Per output line (index = line - 1), its origins. */
  readonly lines: readonly (readonly MapOrigin[])[];
}

/** What a build knows of its sources, for its maps. */
export interface MapContext {
  /** An origin's position, or its implicit name; undefined when it names nothing. */
  readonly resolve: (o: Origin) => ResolvedOrigin | undefined;
  /** A source file (as origins name it) as a map at `mapPath` (relative to the output folder) names it, with its hash. */
  readonly sourceRef: (file: string, mapPath: string) => { readonly path: string; readonly sha256: string };
}

const originText = (o: Origin): string => (Array.isArray(o) ? formatPath(o as (string | number)[]) : JSON.stringify(o));

function mapOf(host: string, file: string, origins: FileOrigins, ctx: MapContext): SourceMap {
  const sources: { path: string; sha256: string }[] = [];
  const index = new Map<string, number>();
  const one = (o: Origin): MapOrigin | undefined => {
    const r = ctx.resolve(o);
    if (!r) return undefined;
    if ('implicit' in r) return { implicit: r.implicit };
    let i = index.get(r.file);
    if (i === undefined) {
      i = sources.length;
      sources.push(ctx.sourceRef(r.file, `${host}/${file}`));
      index.set(r.file, i);
    }
    return { source: i, line: r.line, col: r.col, endLine: r.endLine, endCol: r.endCol, path: r.path };
  };
  const resolveLine = (lo: LineOrigin): MapOrigin => {
    const candidates = !Array.isArray(lo) && 'firstOf' in lo ? lo.firstOf : [lo as Origin];
    for (const c of candidates) {
      const m = one(c);
      if (m) return m;
    }
    return { unresolved: candidates.map(originText).join(' | ') };
  };
  const lines = origins.map((l) => l.map(resolveLine));
  return { format: SOURCE_MAP_FORMAT, file, sources, lines };
}

/** A map as text: one line per output line, so that a map diffs like the file it describes. */
export function sourceMapText(m: SourceMap): string {
  const head = JSON.stringify({ format: m.format, file: m.file, sources: m.sources });
  return `${head.slice(0, -1)},"lines":[\n${m.lines.map((l) => JSON.stringify(l)).join(',\n')}\n]}\n`;
}

/** The maps of one host's files that have line origins, as `[<file>.map, text]` relative to the host's folder. */
export function* hostSourceMaps(t: Topology, context: RenderContext, ctx: MapContext): Generator<[string, string]> {
  for (const renderer of RENDERERS) {
    if (!renderer.origins) continue;
    for (const [file, origins] of renderer.origins(t, context)) yield [`${file}${SOURCE_MAP_SUFFIX}`, sourceMapText(mapOf(t.host, file, origins, ctx))];
  }
}
