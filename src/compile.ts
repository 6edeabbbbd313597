// The pipeline in a few lines: parse -> schema -> model (+ semantic checks) -> IPAM -> topology ->
// render. Pure: the caller hands in the source text and, when `daemon:` names a daemon.json, a way to
// read it (and the lock file's text, compile-lock.ts). Every stage reports diagnostics, and every problem
// of a file is reported in one run: what the schema refuses is taken out and the rest is checked
// (schema/prune.ts), the model skips what depends on something refused or unknown, and IPAM and the
// topology still run on a model with errors. Files are rendered, and the lock worked out, only when there
// is no error. A YAML syntax error that leaves the document's structure in doubt stops the pipeline (a
// repeated key does not: the later value is checked).
import type { Diagnostic } from './diagnostics/diagnostic.ts';
import { originLocator, originSource, resolveOrigin, type Origin, type OriginRedirect, type OriginSource, type ResolvedOrigin } from './diagnostics/origin.ts';
import { hostSourceMaps, type MapContext } from './render/source-map.ts';
import { expectationDiagnostics } from './trace/expect.ts';
import type { SourceFile as DiagnosticSource } from './diagnostics/format.ts';
import { error, appendAll } from './diagnostics/diagnostic.ts';
import { buildModel } from './model/build.ts';
import type { Model } from './model/types.ts';
import { parseSource, type ParsedSource } from './parse/index.ts';
import { contentText, hostFiles, type FileContent } from './render/files/index.ts';
import { resolvConfFailure, SYSTEMD_RESOLV_CONF, type ResolvConfError } from './render/resolvconf/index.ts';
import { validateSchema } from './schema/index.ts';
import { checkSchema, type Refused } from './schema/prune.ts';
import { compileHosts, type HostsProgress } from './compile-hosts.ts';
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
  /** For origins: where a network or container a compose project brought was written (see resolveOrigin). */
  readonly redirect?: OriginRedirect;
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
  /** Told when a stage starts and as hosts are built, for a caller that shows long work as it goes. */
  readonly progress?: (p: CompileProgress) => void;
  /**
   * The lock file (docs/lock.md): the allocations it pins are kept, new ones made around them, and
   * `result.lock` says what it should now hold. Without this option, allocation is Docker's creation order.
   */
  readonly lock?: LockOptions;
}

/** The stage compile() is in: reading the input, building the model, then the hosts (compile-hosts.ts). */
export type CompileProgress = { readonly stage: 'parse' } | { readonly stage: 'model' } | HostsProgress;

/**
 * Reads a file the input names, relative to the input file: the daemon.json of `daemon:`, the compose
 * files (and their .env) of `projects:`. `missing` tells a file that does not exist from one that cannot be read.
 */
export type DaemonFileReader = (pathAsWritten: string) => SourceFile | { readonly error: string; readonly missing?: boolean };

const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === 'error');

/** What two checks refused together. */
const union = (a: Refused, b: Refused): Refused => ({
  networks: new Set([...a.networks, ...b.networks]),
  containers: new Set([...a.containers, ...b.containers]),
  incomplete: a.incomplete || b.incomplete,
});

/** The daemon.json that `daemon:` names, read, parsed and checked as the daemon block it stands for. */
function daemonFileOf(ref: string, readDaemon: DaemonFileReader | undefined, diagnostics: Diagnostic[], sources: Map<string, { text: string; parsed?: ParsedSource }>): { file?: { file: string; value: unknown }; refused: Refused } {
  // Without its daemon.json the default bridge and the address pools are unknown.
  const unknown: Refused = { networks: new Set(['bridge']), containers: new Set(), incomplete: true };
  const got = readDaemon ? readDaemon(ref) : { error: 'reading files is not available here' };
  if ('error' in got) {
    diagnostics.push(error('DAEMON_FILE', ['daemon'], `cannot read daemon.json "${ref}": ${got.error}`));
    return { refused: unknown };
  }
  const dp = parseSource(got.text, got.file);
  sources.set(got.file, { text: got.text, parsed: dp });
  appendAll(diagnostics, dp.diagnostics);
  if (!dp.sound) return { refused: unknown };
  // Validated through the main schema as the file's daemon block; the ['daemon'] prefix is then stripped
  // so that paths point into the file.
  const checked = checkSchema({ version: 1, daemon: dp.value });
  appendAll(diagnostics, checked.diagnostics.map((d) => ({ ...d, path: d.path.slice(1), file: got.file })));
  const value = (checked.value as Record<string, unknown> | undefined)?.['daemon'];
  return { file: { file: got.file, value: value ?? {} }, refused: checked.refused };
}

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
  options.progress?.({ stage: 'parse' });
  const parsed = parseSource(input.text, input.file);
  sources.set(input.file, { text: input.text, parsed });
  appendAll(diagnostics, parsed.diagnostics);
  if (!parsed.sound) return { diagnostics, sources };

  const checked = checkSchema(parsed.value);
  appendAll(diagnostics, checked.diagnostics);
  if (checked.value === undefined) return { diagnostics, sources };
  let refused = checked.refused;

  // `daemon: path/to/daemon.json`: parsed and validated as the daemon block it stands for.
  let daemonFile: { file: string; value: unknown } | undefined;
  const daemonRef = (checked.value as Record<string, unknown>)['daemon'];
  if (typeof daemonRef === 'string') {
    const got = daemonFileOf(daemonRef, readDaemon, diagnostics, sources);
    daemonFile = got.file;
    refused = union(refused, got.refused);
  }

  // `projects:`: compose projects, added to the file's networks and containers (compile-projects.ts).
  const expanded = expandProjects(checked.value, readDaemon);
  for (const s of expanded.sources) sources.set(s.file, { text: s.text, ...(s.parsed ? { parsed: s.parsed } : {}) });
  appendAll(diagnostics, expanded.diagnostics);
  let value = expanded.value;
  if (expanded.value !== checked.value) {
    const again = checkSchema(expanded.value);
    appendAll(diagnostics, again.diagnostics.map(expanded.remap));
    if (again.value === undefined) return { diagnostics, sources };
    value = again.value;
    refused = union(refused, again.refused);
  }
  // A project that could not be loaded brought networks and containers the file may name.
  if (hasErrors(expanded.diagnostics)) refused = union(refused, { networks: new Set(['*']), containers: new Set(['*']), incomplete: true });

  options.progress?.({ stage: 'model' });
  const { model, diagnostics: md } = buildModel(value, input.file, daemonFile, refused);
  appendAll(diagnostics, md.map(expanded.remap));
  const redirect = expanded.redirect ? { redirect: expanded.redirect } : {};
  if (!model || refused.incomplete) return { diagnostics, sources, ...redirect, ...(model ? { model } : {}) };

  if (lock?.read && hasErrors(lock.read.diagnostics)) return { diagnostics, sources, model, ...redirect };
  const built = compileHosts(model, options.secrets, options.requireSecrets ?? true, lock?.scope, options.progress);
  appendAll(diagnostics, built.diagnostics.map(expanded.remap));
  if (!built.topologies) return { diagnostics, sources, model, ...redirect };
  const topologies = built.topologies;
  appendAll(diagnostics, containerFileProblems(model, topologies).map(expanded.remap));
  const topology = topologies[0]!;
  if (!hasErrors(diagnostics) && model.expectations.length > 0) {
    diagnostics.push(...expectationDiagnostics(topologies, model.expectations, { locate: originLocator(originSources(sources), expanded.redirect) }));
  }
  let locked: { lock?: LockResult } = {};
  if (lock && !hasErrors(diagnostics)) {
    const r = lockResult(lock);
    diagnostics.push(...r.diagnostics.map(expanded.remap));
    locked = { lock: r.lock };
  }
  if (hasErrors(diagnostics)) return { diagnostics, sources, model, topology, topologies, ...redirect, ...locked };

  if (options.files === false) return { diagnostics, sources, model, topology, topologies, ...redirect, ...locked };
  const files = new Map<string, string>();
  for (const [rel, content] of outputFiles(topologies, input.file)) files.set(rel, contentText(content));
  return { diagnostics, sources, model, topology, topologies, files, ...redirect, ...locked };
}

/**
 * What Docker finds wrong only when it writes a container's resolv.conf, and then refuses to start the
 * container: a line of 64 KiB or more in the source file, and in Docker 20.10 an ndots option its
 * rebuildDNS cannot read. Checked here, before any file is written, so that a file that passes validate
 * also builds. Each distinct file is worked out once.
 */
function containerFileProblems(model: Model, topologies: readonly Topology[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const failures = new Map<string, ResolvConfError | undefined>();
  const reported = new Set<string>();
  const report = (d: Diagnostic) => {
    const k = `${d.file ?? ''}\u0000${d.path.join('\u0000')}`;
    if (!reported.has(k)) out.push(d);
    reported.add(k);
  };
  const byName = new Map(model.containers.map((c) => [c.name, c]));
  const rebuild = '(libnetwork sandbox_dns_unix.go rebuildDNS; write ndots:N)';
  for (const t of topologies) {
    const host = model.hosts.find((h) => h.name === t.host) ?? model.host;
    for (const node of t.containers) {
      const key = JSON.stringify(node.resolvConf);
      if (!failures.has(key)) failures.set(key, resolvConfFailure(node.resolvConf));
      const failure = failures.get(key);
      if (!failure) continue;
      const c = byName.get(node.name);
      if (failure.code === 'LINE_TOO_LONG') {
        const file = failure.message.includes(SYSTEMD_RESOLV_CONF) ? 'resolv_conf_systemd' : 'resolv_conf';
        report(error('BAD_HOST_FILE', [...host.path, file], `Docker cannot read this file and starts no container: ${failure.message}`));
      } else if (c?.dnsOptions?.length) {
        report(error('BAD_OPTION', [...c.path, 'dns_opt'], `Docker ${model.engine} refuses to start container "${c.name}": ${failure.message} ${rebuild}`));
      } else if (model.daemon.dnsOptions?.length) {
        const f = model.daemon.file ? { file: model.daemon.file } : {};
        report(error('BAD_OPTION', model.daemon.paths['dns-opts'] ?? ['daemon'], `Docker ${model.engine} refuses to start container "${node.name}": ${failure.message} ${rebuild}`, f));
      } else {
        report(error('BAD_HOST_FILE', [...host.path, 'resolv_conf'], `Docker ${model.engine} refuses to start container "${node.name}" with the options of this file: ${failure.message} ${rebuild}`));
      }
    }
  }
  return out;
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

/** The source maps of the output files (`<host>/<file>.map`), for `build --source-map`. */
export function* outputSourceMaps(topologies: readonly Topology[], inputFile: string, ctx: MapContext): Generator<[string, string]> {
  const sourceName = inputFile.split(/[\\/]/).pop() ?? inputFile;
  for (const t of topologies) for (const [rel, text] of hostSourceMaps(t, { source: sourceName }, ctx)) yield [`${t.host}/${rel}`, text];
}

/** Resolves origins against the files a result read (the input first). */
export function resultResolver(r: CompileResult): (o: Origin) => ResolvedOrigin | undefined {
  const sources = originSources(r.sources);
  return (o) => resolveOrigin(o, sources, r.redirect);
}

/**
 * The sources a result's diagnostics point into (the input file first, then daemon.json and the other
 * files it read), as formatDiagnostics and diagnosticsToJson want them.
 */
export function diagnosticSources(result: CompileResult, file: string): DiagnosticSource[] {
  const list = [...result.sources].map(([f, s]) => ({ file: f, text: s.text, doc: s.parsed?.doc, lineCounter: s.parsed?.lineCounter }));
  return list.length > 0 ? list : [{ file, text: '' }];
}

/** The files a result read, as origins resolve against them (the input first). */
function originSources(sources: CompileResult['sources']): OriginSource[] {
  return [...sources].map(([file, s]) => originSource(file, s.text, s.parsed?.doc, s.parsed?.lineCounter));
}

/** `file:line:col` (or the implicit name) of an origin of a compiled result. */
export function resultLocator(r: CompileResult): (o: Origin) => string | undefined {
  return originLocator(originSources(r.sources), r.redirect);
}
