// `netform blame OUTPUT_FILE:LINE`: what made a line of a build, from the map `build --source-map` wrote
// beside the file: the YAML element (its line, with a caret under it, and the elements it sits in), or
// the named implicit origin when no line of the input did.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatPath } from '../diagnostics/format.ts';
import { originSource, resolveOrigin, type OriginSource } from '../diagnostics/origin.ts';
import { parseSource } from '../parse/index.ts';
import { SOURCE_MAP_FORMAT, SOURCE_MAP_SUFFIX, type MapOrigin, type SourceMap } from '../render/source-map.ts';
import { EXIT, TroubleError, UsageError, type Context, type Io } from './context.ts';

const IMPLICIT: Readonly<Record<string, string>> = {
  'daemon default': 'dockerd does this unless its settings say otherwise; no line of the input asks for it',
  'swarm init': 'swarm mode brings it (docker swarm init), and the input has no swarm: key',
  'embedded dns': "Docker's embedded DNS server (127.0.0.11) on a user-defined network",
  'host default': 'what the host already has: the input does not give it',
  'netform scaffolding': "netform's own lines to apply the build (checks, rollback, parallel lanes)",
};

const explain = (name: string): string => IMPLICIT[name] ?? (/^engine .* layout$/.test(name) ? "the frame of that release's firewall files (tables, chain declarations, COMMIT)" : '');

function readMap(file: string): SourceMap {
  let text: string;
  try {
    text = readFileSync(`${file}${SOURCE_MAP_SUFFIX}`, 'utf8');
  } catch {
    throw new TroubleError(`${file}${SOURCE_MAP_SUFFIX} not found: build with --source-map to write the maps`);
  }
  let map: SourceMap;
  try {
    map = JSON.parse(text) as SourceMap;
  } catch {
    map = { format: 'not JSON' } as unknown as SourceMap;
  }
  if (map.format !== SOURCE_MAP_FORMAT) throw new TroubleError(`${file}${SOURCE_MAP_SUFFIX}: not a ${SOURCE_MAP_FORMAT} map`);
  return map;
}

/** The source line of a position, with a caret under its span. */
function excerpt(text: string, o: Extract<MapOrigin, { source: number }>): string {
  const line = text.split('\n')[o.line - 1]?.replace(/\r$/, '') ?? '';
  const end = o.endLine === o.line ? o.endCol : line.trimEnd().length + 1;
  const num = String(o.line);
  return `   ${num} | ${line}\n   ${' '.repeat(num.length)} | ${line.slice(0, o.col - 1).replace(/[^\t]/g, ' ')}${'^'.repeat(Math.max(1, end - o.col))}`;
}

function blameOrigin(o: MapOrigin, map: SourceMap, mapDir: string, io: Io, cache: Map<string, OriginSource & { text: string }>): void {
  if ('implicit' in o) return void io.out(`${o.implicit}: ${explain(o.implicit)}\n`);
  if ('unresolved' in o) return void io.out(`unresolved origin ${o.unresolved}\n`);
  const src = map.sources[o.source];
  if (!src) return void io.out(`origin in an unknown source #${o.source}\n`);
  const file = path.join(mapDir, src.path);
  let s = cache.get(file);
  if (!s) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new TroubleError(`${file}, a source of ${map.file}${SOURCE_MAP_SUFFIX}, cannot be read`);
    }
    const parsed = parseSource(text, file);
    s = { ...originSource(file, text, parsed.doc, parsed.lineCounter), text };
    cache.set(file, s);
    if (createHash('sha256').update(text).digest('hex') !== src.sha256) io.err(`netform: warning: ${file} changed since the build: positions may be off\n`);
  }
  io.out(`${file}:${o.line}:${o.col}: ${formatPath(o.path)}\n${excerpt(s.text, o)}\n`);
  // The chain of reasons: the elements this one sits in, innermost first.
  const within: string[] = [];
  for (let n = o.path.length - 1; n > 0; n--) {
    const r = resolveOrigin(o.path.slice(0, n), [s]);
    if (r && !('implicit' in r)) within.push(`${formatPath(o.path.slice(0, n))} (line ${r.line})`);
  }
  if (within.length > 0) io.out(`  within ${within.join(', within ')}\n`);
}

export function runBlame(operand: string, ctx: Context): number {
  const io = ctx.io;
  const m = /^(.*):(\d+)$/.exec(operand);
  if (!m) throw new UsageError([`"${operand}": expected OUTPUT_FILE:LINE`], 'blame');
  const [file, n] = [m[1]!, Number(m[2])];
  const map = readMap(file);
  const origins = map.lines[n - 1];
  if (!origins || n < 1) throw new TroubleError(`${file} has ${map.lines.length} lines (no line ${n})`);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8').split('\n')[n - 1];
  } catch {
    text = undefined;
  }
  io.out(`${file}:${n}:${text !== undefined ? ` ${text}` : ''}\n`);
  const cache = new Map<string, OriginSource & { text: string }>();
  for (const o of origins) blameOrigin(o, map, path.dirname(file), io, cache);
  return EXIT.OK;
}
