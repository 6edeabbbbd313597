// The pipeline in a few lines: parse -> schema -> model (+ semantic checks) -> IPAM -> topology ->
// render. Pure: the caller hands in the source text and, when `daemon:` names a daemon.json, a way to
// read it (and the lock file's text, compile-lock.ts). Every stage reports diagnostics; the pipeline
// stops after the first stage with errors, so a later stage never works on input an earlier one rejected.
import type { Diagnostic } from './diagnostics/diagnostic.ts';
import type { SourceFile as DiagnosticSource } from './diagnostics/format.ts';
import { error } from './diagnostics/diagnostic.ts';
import { buildModel } from './model/build.ts';
import type { Model } from './model/types.ts';
import { parseSource, type ParsedSource } from './parse/index.ts';
import { contentText, hostFiles, type FileContent } from './render/files/index.ts';
import { validateSchema } from './schema/index.ts';
import { compileHosts } from './compile-hosts.ts';
import { lockInput, lockResult, type LockInput, type LockOptions, type LockResult } from './compile-lock.ts';
import { expandProjects } from './compile-projects.ts';
import type { OverlayKey } from './topology/overlay/secrets.ts';
import type { Topology } from './topology/types.ts';

export interface SourceFile {
  readonly file: string;
  readonly text: string;
}

export interface CompileResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Sources by file name, for locating diagnostics (a .env a compose project read has no parse). */
  readonly sources: ReadonlyMap<string, { readonly text: string; readonly parsed?: ParsedSource }>;
  readonly model?: Model;
  /** The first host's topology (the only one with a single host). */
  readonly topology?: Topology;
  /** One topology per host, in the order of the hosts. */
  readonly topologies?: readonly Topology[];
  /** Output files relative to the output directory (`<host>/...`), present when there is no error (unless options.files is false). */
  readonly files?: ReadonlyMap<string, string>;
  /** With options.lock: the lock as it should now be, once every host compiled without error. */
  readonly lock?: LockResult;
}

export interface CompileOptions {
  /**
   * Render every output file into `files` (the default). The command line's build passes false and
   * renders with outputFiles() while it writes, one file at a time: a whole build of 100,000
   * containers does not fit in strings.
   */
  readonly files?: boolean;
  /**
   * The overlay encryption keys (`--secrets FILE`, parsed by the caller), primary first. Needed when an
   * overlay network is encrypted; they only reach the SAs (xfrm-states.secret), never a diagnostic.
   */
  readonly secrets?: readonly OverlayKey[];
  /** false: an encrypted overlay without `secrets` is no error (validate checks the network, not the keys). */
  readonly requireSecrets?: boolean;
  /**
   * The lock file (docs/lock.md): the allocations it pins are kept, new ones made around them, and
   * `result.lock` says what it should now hold. Without this option, allocation is Docker's creation order.
   */
  readonly lock?: LockOptions;
}

/**
 * Reads a file the input names, relative to the input file: the daemon.json of `daemon:`, the compose
 * files (and their .env) of `projects:`. `missing` tells a file that does not exist from one that cannot be read.
 */
export type DaemonFileReader = (pathAsWritten: string) => SourceFile | { readonly error: string; readonly missing?: boolean };

const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === 'error');

export function compile(input: SourceFile, readDaemon?: DaemonFileReader, options: CompileOptions = {}): CompileResult {
  const lock = options.lock ? lockInput(options.lock) : undefined;
  const result = compileInput(input, readDaemon, options, lock);
  if (!lock?.read) return result;
  // The lock's own problems come after the input's, its source last.
  const sources = new Map(result.sources);
  sources.set(lock.options.file, { text: lock.options.text!, parsed: lock.read.parsed });
  return { ...result, sources, diagnostics: [...result.diagnostics, ...lock.read.diagnostics] };
}

function compileInput(input: SourceFile, readDaemon: DaemonFileReader | undefined, options: CompileOptions, lock: LockInput | undefined): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, { text: string; parsed?: ParsedSource }>();
  const parsed = parseSource(input.text, input.file);
  sources.set(input.file, { text: input.text, parsed });
  diagnostics.push(...parsed.diagnostics);
  if (hasErrors(diagnostics)) return { diagnostics, sources };

  diagnostics.push(...validateSchema(parsed.value));
  if (hasErrors(diagnostics)) return { diagnostics, sources };

  // `daemon: path/to/daemon.json`: parsed and validated as the daemon block it stands for.
  let daemonFile: { file: string; value: unknown } | undefined;
  const daemonRef = (parsed.value as Record<string, unknown>)['daemon'];
  if (typeof daemonRef === 'string') {
    const got = readDaemon ? readDaemon(daemonRef) : { error: 'reading files is not available here' };
    if ('error' in got) {
      diagnostics.push(error('DAEMON_FILE', ['daemon'], `cannot read daemon.json "${daemonRef}": ${got.error}`));
      return { diagnostics, sources };
    }
    const dp = parseSource(got.text, got.file);
    sources.set(got.file, { text: got.text, parsed: dp });
    diagnostics.push(...dp.diagnostics);
    if (!hasErrors(dp.diagnostics)) {
      const wrapped = { version: 1, daemon: dp.value };
      // Validate through the main schema, then strip the ['daemon'] prefix so paths point into the file.
      for (const d of validateSchema(wrapped)) diagnostics.push({ ...d, path: d.path.slice(1), file: got.file });
    }
    if (hasErrors(diagnostics)) return { diagnostics, sources };
    daemonFile = { file: got.file, value: dp.value ?? {} };
  }

  // `projects:`: compose projects, added to the file's networks and containers (compile-projects.ts).
  const expanded = expandProjects(parsed.value, readDaemon);
  for (const s of expanded.sources) sources.set(s.file, { text: s.text, ...(s.parsed ? { parsed: s.parsed } : {}) });
  diagnostics.push(...expanded.diagnostics);
  if (hasErrors(diagnostics)) return { diagnostics, sources };
  if (expanded.value !== parsed.value) diagnostics.push(...validateSchema(expanded.value).map(expanded.remap));
  if (hasErrors(diagnostics)) return { diagnostics, sources };

  const { model, diagnostics: md } = buildModel(expanded.value, input.file, daemonFile);
  diagnostics.push(...md.map(expanded.remap));
  if (!model || hasErrors(diagnostics)) return { diagnostics, sources, ...(model ? { model } : {}) };

  if (lock?.read && hasErrors(lock.read.diagnostics)) return { diagnostics, sources, model };
  const built = compileHosts(model, options.secrets, options.requireSecrets ?? true, lock?.scope);
  diagnostics.push(...built.diagnostics.map(expanded.remap));
  if (!built.topologies) return { diagnostics, sources, model };
  const topologies = built.topologies;
  const topology = topologies[0]!;
  let locked: { lock?: LockResult } = {};
  if (lock && !hasErrors(diagnostics)) {
    const r = lockResult(lock);
    diagnostics.push(...r.diagnostics.map(expanded.remap));
    locked = { lock: r.lock };
  }
  if (hasErrors(diagnostics)) return { diagnostics, sources, model, topology, topologies, ...locked };

  if (options.files === false) return { diagnostics, sources, model, topology, topologies, ...locked };
  const files = new Map<string, string>();
  for (const [rel, content] of outputFiles(topologies, input.file)) files.set(rel, contentText(content));
  return { diagnostics, sources, model, topology, topologies, files, ...locked };
}

/**
 * The output files of a topology compiled from `inputFile`, relative to the output directory
 * (`<host>/...`), each rendered when the iteration reaches it.
 */
export function* outputFiles(topologies: Topology | readonly Topology[], inputFile: string): Generator<[string, FileContent]> {
  // Only the file's base name goes into outputs: the same input gives the same bytes wherever it lives.
  const sourceName = inputFile.split(/[\\/]/).pop() ?? inputFile;
  for (const topology of Array.isArray(topologies) ? topologies : [topologies as Topology]) {
    for (const [rel, content] of hostFiles(topology, sourceName)) yield [`${topology.host}/${rel}`, content];
  }
}

/**
 * The sources a result's diagnostics point into (the input file first, then daemon.json and the other
 * files it read), as formatDiagnostics and diagnosticsToJson want them.
 */
export function diagnosticSources(result: CompileResult, file: string): DiagnosticSource[] {
  const list = [...result.sources].map(([f, s]) => ({ file: f, text: s.text, doc: s.parsed?.doc, lineCounter: s.parsed?.lineCounter }));
  return list.length > 0 ? list : [{ file, text: '' }];
}
