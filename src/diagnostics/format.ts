// Printing diagnostics: the one place where a YAML path or offset becomes line:col.
//
//   examples/x.yaml:12:15: error: networks.my-net.ipam.config[0].subnet: "10.10.0.0/33" is not a valid CIDR prefix
//      12 |       - subnet: 10.10.0.0/33
//         |                 ^^^^^^^^^^^^
//
// Where a diagnostic points (see locate()):
// - an explicit `range` (syntax errors) is used as is;
// - otherwise its `path` is walked through the parsed document (yaml-nodes.ts lookup()): the value's node, or
//   with `atKey` the key of the pair;
// - when the path does not exist (a missing required key), the nearest existing ancestor: the key that holds
//   that ancestor mapping when there is one (`web:`), else the ancestor node's first character (a list item,
//   the document);
// - an empty value (`key:` with nothing after it) points at its key.
// Lines and columns are 1-based; `endCol` is exclusive (the column just past the last character).
import { LineCounter, type Document, type Node } from 'yaml';
import { lookup, nodeSpan, type Span } from './yaml-nodes.ts';
import { CONTROL_CHARACTERS as CONTROL, oneLine, type Diagnostic, type YamlPath } from './diagnostic.ts';

export interface SourceFile {
  readonly file: string;
  readonly text: string;
  /** The parsed document; without it only diagnostics with an explicit `range` get a position. */
  readonly doc?: Document | undefined;
  /** Line starts of `text` (parseSource's); computed from `text` when absent. */
  readonly lineCounter?: LineCounter | undefined;
}

export interface Position {
  readonly line: number;
  readonly col: number;
  readonly endLine?: number;
  readonly endCol?: number;
}

export interface FormatOptions {
  /** ANSI colours. Off unless asked for: the caller decides (a TTY, NO_COLOR, --color). */
  readonly color?: boolean;
}

/** The source span a diagnostic is about, as offsets [start, end). */
export function spanOf(d: Diagnostic, doc: Document | undefined): Span {
  if (d.range) return [d.range[0], Math.max(d.range[0], d.range[1])];
  if (!doc) return [0, 0];
  const { node, pair, depth } = lookup(doc, d.path);
  const found = depth === d.path.length;
  const keySpan = nodeSpan(pair?.key as Node | null | undefined);
  if (found) {
    if (d.atKey && keySpan) return keySpan;
    const valueSpan = nodeSpan(node);
    if (valueSpan && valueSpan[1] > valueSpan[0]) return valueSpan;
    if (keySpan) return keySpan; // `key:` with an empty value
    if (valueSpan) return valueSpan;
  } else {
    if (keySpan) return keySpan;
    const s = nodeSpan(node);
    if (s) return [s[0], Math.min(s[1], s[0] + 1)];
  }
  return [0, 0];
}

export function locate(d: Diagnostic, doc: Document | undefined, lineCounter: LineCounter): Position {
  const [start, end] = spanOf(d, doc);
  const a = lineCounter.linePos(start);
  const b = lineCounter.linePos(end);
  return { line: a.line, col: a.col, endLine: b.line, endCol: b.col };
}

const BARE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** networks.my-net.ipam.config[0].subnet; odd keys quoted: driver_opts["com.docker.network.bridge.name"]. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (BARE_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

const ANSI = {
  bold: (s: string) => `\x1b[1m${s}\x1b[22m`,
  red: (s: string) => `\x1b[31m${s}\x1b[39m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[39m`,
  dim: (s: string) => `\x1b[2m${s}\x1b[22m`,
};
const PLAIN = { bold: (s: string) => s, red: (s: string) => s, yellow: (s: string) => s, dim: (s: string) => s };

const counters = new WeakMap<SourceFile, LineCounter>();

/** The source's line counter, or one built from its text (once per source object). */
function lineCounterOf(source: SourceFile): LineCounter {
  if (source.lineCounter) return source.lineCounter;
  let lc = counters.get(source);
  if (!lc) {
    lc = new LineCounter();
    lc.addNewLine(0);
    for (let i = source.text.indexOf('\n'); i >= 0; i = source.text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
    counters.set(source, lc);
  }
  return lc;
}

/** The text of a 1-based line, without its line break. */
function lineText(text: string, lineCounter: LineCounter, line: number): string {
  const start = lineCounter.lineStarts[line - 1] ?? text.length;
  const next = lineCounter.lineStarts[line];
  return text.slice(start, next ?? text.length).replace(/\r?\n$/, '');
}

/**
 * A source line as printed beside the gutter: each control character becomes one visible character of
 * the Unicode Control Pictures block (U+240A for a line feed), so the caret below still lines up.
 */
const visibleLine = (s: string): string =>
  s.replace(CONTROL, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '\u2424';
  });

/**
 * One diagnostic: a `file:line:col: severity: path: message` header, then the source line and a caret
 * underline. `source` must be the file the diagnostic belongs to (`d.file`, or the main input).
 */
export function formatDiagnostic(d: Diagnostic, source: SourceFile, options: FormatOptions = {}): string {
  const c = options.color ? ANSI : PLAIN;
  const sev = d.severity === 'error' ? c.bold(c.red('error')) : c.bold(c.yellow('warning'));
  const where = formatPath(d.path);
  const message = oneLine(`${where ? `${where}: ` : ''}${d.message}`);
  const file = oneLine(d.file ?? source.file);
  if (d.file !== undefined && d.file !== source.file) return `${c.bold(`${file}:`)} ${sev}: ${message}`;

  if (!source.doc && !d.range) return `${c.bold(`${file}:`)} ${sev}: ${message}`;
  const lc = lineCounterOf(source);
  const [start] = spanOf(d, source.doc);
  const pos = locate(d, source.doc, lc);
  const header = `${c.bold(`${file}:${pos.line}:${pos.col}:`)} ${sev}: ${message}`;
  const text = visibleLine(lineText(source.text, lc, pos.line));
  if (start >= source.text.length && text === '') return header; // empty file, or a position past the end

  const lineEnd = pos.line === pos.endLine ? (pos.endCol ?? pos.col + 1) : text.trimEnd().length + 1;
  const width = Math.max(1, lineEnd - pos.col);
  // Keep tabs in the padding so the caret lines up whatever the tab width.
  const pad = text.slice(0, pos.col - 1).replace(/[^\t]/g, ' ');
  const num = String(pos.line);
  const gutter = ' '.repeat(num.length);
  const caret = d.severity === 'error' ? c.red('^'.repeat(width)) : c.yellow('^'.repeat(width));
  return `${header}\n${c.dim(`   ${num} |`)} ${text}\n${c.dim(`   ${gutter} |`)} ${pad}${caret}`;
}

/**
 * Several diagnostics, sorted by file (in `sources` order) and position, separated by blank lines. A
 * diagnostic whose file is not among `sources` is printed without a source line.
 */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], sources: SourceFile | readonly SourceFile[], options: FormatOptions = {}): string {
  const list = Array.isArray(sources) ? (sources as readonly SourceFile[]) : [sources as SourceFile];
  const main = list[0];
  if (!main) throw new Error('formatDiagnostics: no source file');
  return sortDiagnostics(diagnostics, list)
    .map(({ d, source }) => formatDiagnostic(d, source ?? main, options))
    .join('\n\n');
}

function sortDiagnostics(diagnostics: readonly Diagnostic[], sources: readonly SourceFile[]) {
  const main = sources[0];
  const rows = diagnostics.map((d, i) => {
    const file = d.file ?? main?.file;
    const fileIndex = sources.findIndex((s) => s.file === file);
    const source = fileIndex >= 0 ? sources[fileIndex] : undefined;
    const offset = source ? spanOf(d, source.doc)[0] : 0;
    return { d, source, key: [fileIndex < 0 ? sources.length : fileIndex, offset, i] as const };
  });
  rows.sort((x, y) => x.key[0] - y.key[0] || x.key[1] - y.key[1] || x.key[2] - y.key[2]);
  return rows;
}

/** One diagnostic as data for `--json`. Positions are absent when the diagnostic's file is not available. */
export interface JsonDiagnostic {
  readonly file: string;
  readonly line?: number;
  readonly col?: number;
  readonly endLine?: number;
  readonly endCol?: number;
  readonly severity: Diagnostic['severity'];
  readonly code: Diagnostic['code'];
  readonly path: (string | number)[];
  readonly message: string;
}

export function diagnosticsToJson(diagnostics: readonly Diagnostic[], sources: SourceFile | readonly SourceFile[]): JsonDiagnostic[] {
  const list = Array.isArray(sources) ? (sources as readonly SourceFile[]) : [sources as SourceFile];
  return sortDiagnostics(diagnostics, list).map(({ d, source }) => {
    const file = d.file ?? list[0]?.file ?? '';
    const pos = source && (source.doc || d.range) ? locate(d, source.doc, lineCounterOf(source)) : undefined;
    return {
      file,
      ...(pos ?? {}),
      severity: d.severity,
      code: d.code,
      path: [...d.path],
      message: d.message,
    };
  });
}
