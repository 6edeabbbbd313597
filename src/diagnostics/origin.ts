// Where a thing in the output came from: the YAML element that caused it (a path into the input file,
// or into the daemon.json that `daemon:` names), or, where no line of any file did, a named implicit
// origin (`daemon default`: dockerd does it unless told otherwise; `swarm init`: swarm mode brings it;
// `engine 29 layout`: the shape of that release's firewall files). Every value of the IR carries one, so
// that a source map, `netform blame` and the packet tracer can point at a line or say why there is none.
import { isCollection, LineCounter, type Document, type Node } from 'yaml';
import type { YamlPath } from './diagnostic.ts';
import { lookup, nodeSpan } from './yaml-nodes.ts';

/** The names an implicit origin may have. */
export type ImplicitOriginName =
  /** dockerd does it by default (the default bridge, its daemon-level chains, the default hosts lines). */
  | 'daemon default'
  /** swarm mode brings it (docker_gwbridge, the ingress network and sandbox) and no `swarm:` key is written. */
  | 'swarm init'
  /** Docker's embedded DNS server (127.0.0.11 in a user-defined network's resolv.conf). */
  | 'embedded dns'
  /** What the host already has when the file says nothing (its /etc/resolv.conf, its /etc/hosts). */
  | 'host default'
  /** The lines netform's scripts need to apply a build (checks, rollback, the parallel lanes). */
  | 'netform scaffolding'
  /** The frame of a release's firewall files: tables, chain declarations, COMMIT. */
  | `engine ${string} layout`;

export interface ImplicitOrigin {
  readonly implicit: ImplicitOriginName;
}

/** A path into a file other than the input (the daemon.json a `daemon:` string names). */
export interface FileOrigin {
  readonly file: string;
  readonly path: YamlPath;
}

/** A YAML path into the input file, a path into another file, or an implicit origin. */
export type Origin = YamlPath | FileOrigin | ImplicitOrigin;

export const implicit = (name: ImplicitOriginName): ImplicitOrigin => ({ implicit: name });

export const isImplicit = (o: Origin): o is ImplicitOrigin => !Array.isArray(o) && 'implicit' in o;

export const isFileOrigin = (o: Origin): o is FileOrigin => !Array.isArray(o) && 'file' in o;

/** The YAML path of an origin that has one (the input's or another file's). */
export const originPath = (o: Origin): YamlPath | undefined => (Array.isArray(o) ? (o as YamlPath) : isFileOrigin(o) ? o.path : undefined);

/** An origin found in a file: where its element is (1-based line and column, end exclusive). */
export interface OriginPosition {
  readonly file: string;
  readonly path: YamlPath;
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

/** What an origin resolves to: a position, the implicit origin itself, or undefined when its path names nothing. */
export type ResolvedOrigin = OriginPosition | ImplicitOrigin;

/**
 * The position of an origin's element in `sources` (the input first, then the daemon.json it names).
 * A path resolves only when every segment of it exists: an origin that names no element (a section the
 * file does not have) is reported as unresolved, never moved to a nearby line.
 */
export function resolveOrigin(o: Origin, sources: readonly OriginSource[], redirect?: OriginRedirect): ResolvedOrigin | undefined {
  if (isImplicit(o)) return o;
  const path = originPath(o)!;
  const moved = !isFileOrigin(o) && redirect ? redirect(path) : undefined;
  if (moved) {
    const counter = sources.find((s) => s.file === moved.file)?.lineCounter;
    if (!counter) return undefined;
    const a = counter.linePos(moved.range[0]);
    const b = counter.linePos(moved.range[1]);
    return { file: moved.file, path: moved.path, line: a.line, col: a.col, endLine: b.line, endCol: b.col };
  }
  const source = isFileOrigin(o) ? sources.find((s) => s.file === o.file) : sources[0];
  if (!source?.doc) return undefined;
  const found = lookup(source.doc, path);
  if (found.depth !== path.length || path.length === 0) return undefined;
  const span = nodeSpan(found.node) ?? nodeSpan(found.pair?.key as Node | null | undefined);
  const keySpan = nodeSpan(found.pair?.key as Node | null | undefined);
  // A mapping or sequence value is shown at its key (`web:`), a scalar at the value itself.
  const [start, end] = keySpan && (!span || span[1] - span[0] === 0 || isCollection(found.node)) ? keySpan : span ?? [0, 0];
  const counter = source.lineCounter;
  const a = counter.linePos(start);
  const b = counter.linePos(end);
  return { file: source.file, path, line: a.line, col: a.col, endLine: b.line, endCol: b.col };
}

/**
 * Where an element at a path of the input was really written, when not in the input: a network or
 * container a compose project brought (`projects:`) is at a position in its compose file.
 */
export type OriginRedirect = (path: YamlPath) => { readonly file: string; readonly path: YamlPath; readonly range: readonly [number, number] } | undefined;

/** A parsed file origins point into. */
export interface OriginSource {
  readonly file: string;
  readonly doc: Document | undefined;
  readonly lineCounter: LineCounter;
}

/** A file's text (and its parse, when there is one) as origins see it. */
export function originSource(file: string, text: string, doc?: Document, lineCounter?: LineCounter): OriginSource {
  let lc = lineCounter;
  if (!lc) {
    lc = new LineCounter();
    lc.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
  }
  return { file, doc, lineCounter: lc };
}

/** `file:line:col`, or the implicit origin's name. */
export const formatResolvedOrigin = (r: ResolvedOrigin): string => ('implicit' in r ? r.implicit : `${r.file}:${r.line}:${r.col}`);

/** Turns origins into `file:line:col` (or their implicit name) against parsed files (the input first). */
export function originLocator(sources: readonly OriginSource[], redirect?: OriginRedirect): (o: Origin) => string | undefined {
  return (o) => {
    const found = resolveOrigin(o, sources, redirect);
    return found && formatResolvedOrigin(found);
  };
}
