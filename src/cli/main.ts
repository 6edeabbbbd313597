// The command line: with output-dir.ts (and its writer thread) the only modules that touch process, argv and files.
// Commands are plain functions that return an exit code; usage errors are collected and shown together.
// Start-up time counts (netform runs once per pull request and once per host per configuration run):
// what only one command needs is imported by that command (the golden diff by `check`).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compile, diagnosticSources, outputFiles, type CompileOptions, type CompileResult, type SourceFile } from '../compile.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Topology } from '../topology/types.ts';
import { diagnosticsToJson, formatDiagnostics } from '../diagnostics/format.ts';
import { OutputDirError, readTree, writeTreeAtomically } from './output-dir.ts';
import { VERSION } from '../version.ts';
import { parseSecrets, type OverlayKey } from '../topology/overlay/secrets.ts';
import { isSecretFile } from '../render/files/secret.ts';
import { APPLY_COMMANDS, APPLY_HELP } from './apply-commands-help.ts';

import { UsageError } from './usage.ts';

export { UsageError };

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const HELP: Record<string, string> = {
  main: `netform ${VERSION}: a declarative compiler for container networks, faithful to Docker Engine 29.

Usage:
  netform validate FILE... [--json]         check input files; exit 0 valid, 1 invalid
  netform build FILE -o DIR                 write DIR/<host>/ (iptables.rules, ip6tables.rules, setup.sh,
                                            teardown.sh, containers/<name>/{hosts,resolv.conf}, topology.json)
  netform check FILE --golden DIR [--update]  compare a build with a golden directory; exit 1 on mismatch
  netform import COMPOSE_FILE... [-o FILE]    write a compose project as a netform file (docs/compose.md)
  netform graph FILE [--format svg|dot|mermaid] [--host NAME] [-o FILE]  draw the topology
${APPLY_HELP}  netform --version | --help | COMMAND --help

Exit codes: 0 success, 1 invalid input or golden mismatch, 2 usage error.
`,
  validate: `Usage: netform validate FILE... [--json]
Checks each file (schema and semantics) and prints every diagnostic as file:line:col.
  --json   print the diagnostics as a JSON array instead
Exit 0 when every file is valid (warnings allowed), 1 otherwise.
`,
  build: `Usage: netform build FILE -o DIR [--secrets KEYS]
Compiles FILE and writes DIR/<host>/... atomically (a temporary directory renamed into place), one
folder per host. Nothing is written when FILE has errors. An earlier netform output in DIR is
replaced; any other non-empty DIR is refused.
  --secrets KEYS  the swarm's data path keys, for encrypted overlays (format: docs/overlay.md); the SAs
                  go to DIR/<host>/xfrm-states.secret, mode 0600, and nowhere else
`,
  check: `Usage: netform check FILE --golden DIR [--update] [--secrets KEYS]
Builds FILE in memory and compares every file with DIR (a golden directory laid out like a build).
Prints a unified diff per difference (capped for huge changes) and exits 1 on any mismatch.
Files holding keys (*.secret) are never compared or written to DIR.
  --update   rewrite DIR with the build, after you have read the diff
  --secrets  as for build
`,
};

interface Parsed {
  command?: string;
  files: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['-o', '--output', '--golden', '--secrets', '--project-name', '--env-file', '--daemon', '--format', '--host']);
const BOOL_FLAGS = new Set(['--json', '--update', '--help', '-h', '--version', '--color', '--no-warnings']);

function parseArgs(argv: readonly string[]): Parsed {
  const p: Parsed = { files: [], flags: new Map() };
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUE_FLAGS.has(a)) {
      const v = argv[++i];
      if (v === undefined) problems.push(`${a} needs a value`);
      else p.flags.set(a === '--output' ? '-o' : a, v);
    } else if (a.startsWith('--') && a.includes('=') && VALUE_FLAGS.has(a.slice(0, a.indexOf('=')))) {
      p.flags.set(a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1));
    } else if (BOOL_FLAGS.has(a)) {
      p.flags.set(a === '-h' ? '--help' : a, true);
    } else if (a.startsWith('-') && a !== '-') {
      problems.push(`unknown option ${a}`);
    } else if (p.command === undefined) {
      p.command = a;
    } else {
      p.files.push(a);
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return p;
}

function readSource(file: string): SourceFile {
  return { file, text: readFileSync(file, 'utf8') };
}

/**
 * `--secrets FILE`: the overlay keys, or undefined without the flag. Problems are printed against the
 * file with its key material masked (secrets.ts), and make the command fail.
 */
function readSecrets(p: Parsed, io: Io, color: boolean): { keys?: readonly OverlayKey[]; failed: boolean } {
  const file = p.flags.get('--secrets');
  if (typeof file !== 'string') return { failed: false };
  const parsed = parseSecrets(readFileSync(file, 'utf8'), file);
  if (parsed.diagnostics.length > 0) io.err(formatDiagnostics(parsed.diagnostics as readonly Diagnostic[], [parsed.source], { color }));
  return parsed.diagnostics.some((d) => d.severity === 'error') ? { failed: true } : { keys: parsed.keys, failed: false };
}

function compileFile(file: string, options?: CompileOptions): CompileResult {
  const source = readSource(file);
  return compile(source, (ref) => {
    const resolved = path.join(path.dirname(file), ref);
    try {
      return { file: resolved, text: readFileSync(resolved, 'utf8') };
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      return { error: missing ? 'no such file' : (e as Error).message, missing };
    }
  }, options);
}

function printDiagnostics(result: CompileResult, file: string, io: Io, color: boolean): void {
  if (result.diagnostics.length > 0) io.err(formatDiagnostics(result.diagnostics, diagnosticSources(result, file), { color }));
}

const errorsIn = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === 'error').length;

function needOneFile(p: Parsed, cmd: string): string {
  if (p.files.length !== 1) throw new UsageError(`${cmd} takes exactly one input FILE (got ${p.files.length})`);
  return p.files[0]!;
}

function cmdValidate(p: Parsed, io: Io): number {
  if (p.files.length === 0) throw new UsageError('validate needs at least one FILE');
  let bad = 0;
  const json: unknown[] = [];
  for (const f of p.files) {
    const r = compileFile(f, { files: false, requireSecrets: false }); // validation renders nothing, needs no keys
    if (errorsIn(r.diagnostics) > 0) bad++;
    if (p.flags.has('--json')) {
      json.push(...diagnosticsToJson(r.diagnostics, diagnosticSources(r, f)));
    } else {
      printDiagnostics(r, f, io, p.flags.has('--color'));
      if (errorsIn(r.diagnostics) === 0) io.out(`${f}: valid\n`);
    }
  }
  if (p.flags.has('--json')) io.out(`${JSON.stringify(json, null, 2)}\n`);
  return bad > 0 ? 1 : 0;
}

/**
 * Compiles for a build and prints the diagnostics; the topology when there is no error. Only the topology
 * outlives this function: the parsed document and the model are garbage while the files are rendered
 * (at 100,000 containers they are a large part of the heap the garbage collector would walk again).
 */
function compileForBuild(file: string, io: Io, color: boolean, secrets: readonly OverlayKey[] | undefined): readonly Topology[] | undefined {
  const r = compileFile(file, { files: false, ...(secrets ? { secrets } : {}) });
  printDiagnostics(r, file, io, color);
  return r.topologies && errorsIn(r.diagnostics) === 0 ? r.topologies : undefined;
}

function cmdBuild(p: Parsed, io: Io): number {
  const file = needOneFile(p, 'build');
  const dir = p.flags.get('-o');
  if (typeof dir !== 'string') throw new UsageError('build needs -o DIR');
  const secrets = readSecrets(p, io, p.flags.has('--color'));
  if (secrets.failed) return 1;
  const topologies = compileForBuild(file, io, p.flags.has('--color'), secrets.keys);
  if (!topologies) return 1;
  let written: number;
  try {
    // Files are rendered one by one as they are written, not all held in memory first.
    written = writeTreeAtomically(dir, outputFiles(topologies, file));
  } catch (e) {
    if (e instanceof OutputDirError) {
      io.err(`netform: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  io.out(`${file}: wrote ${written} files to ${dir}\n`);
  return 0;
}

async function cmdCheck(p: Parsed, io: Io): Promise<number> {
  const file = needOneFile(p, 'check');
  const golden = p.flags.get('--golden');
  if (typeof golden !== 'string') throw new UsageError('check needs --golden DIR');
  const secrets = readSecrets(p, io, p.flags.has('--color'));
  if (secrets.failed) return 1;
  const r = compileFile(file, secrets.keys ? { secrets: secrets.keys } : {});
  printDiagnostics(r, file, io, p.flags.has('--color'));
  if (!r.files) return 1;
  const { compareWithGolden, describeDifference } = await import('../golden/compare.ts');
  const diffs = compareWithGolden(readTree(golden), r.files);
  if (diffs.length === 0) {
    io.out(`${file}: matches ${golden} (${r.files.size} files)\n`);
    return 0;
  }
  for (const d of diffs) io.out(describeDifference(d));
  if (p.flags.has('--update')) {
    writeTreeAtomically(golden, [...r.files].filter(([rel]) => !isSecretFile(rel)), { allowForeign: true });
    io.out(`${file}: updated ${golden} (${diffs.length} files differed)\n`);
    return 0;
  }
  io.out(`${file}: ${diffs.length} files differ from ${golden}\n`);
  return 1;
}

// The commands that read compose files and draw graphs live in modules of their own, loaded when used.
async function cmdImport(p: Parsed, io: Io): Promise<number> {
  const { runImport } = await import('./import.ts');
  return runImport(p.files, p.flags, io);
}

async function cmdGraph(p: Parsed, io: Io): Promise<number> {
  const { runGraph } = await import('./graph.ts');
  return runGraph(p.files, p.flags, io, compileFile);
}

async function commandHelp(command: string): Promise<string> {
  return command === 'import' ? (await import('./import.ts')).IMPORT_HELP : (await import('./graph.ts')).GRAPH_HELP;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  // plan, apply, destroy and confirm parse their own options (apply-commands.ts).
  if (argv[0] !== undefined && APPLY_COMMANDS.has(argv[0])) {
    const { runApplyCommand } = await import('./apply-commands.ts');
    return runApplyCommand(argv, io);
  }
  try {
    const p = parseArgs(argv);
    if (p.flags.has('--version') && p.command === undefined) {
      io.out(`netform ${VERSION}\n`);
      return 0;
    }
    if (p.command === undefined || p.command === 'help') {
      (p.command === undefined && !p.flags.has('--help') ? io.err : io.out)(HELP['main']!);
      return p.command === undefined && !p.flags.has('--help') ? 2 : 0;
    }
    const commands: Record<string, (p: Parsed, io: Io) => number | Promise<number>> = { validate: cmdValidate, build: cmdBuild, check: cmdCheck, import: cmdImport, graph: cmdGraph };
    const run = commands[p.command];
    if (!run) throw new UsageError(`unknown command "${p.command}"; expected validate, build, check, import, graph, plan, apply, destroy or confirm`);
    if (p.flags.has('--help')) {
      io.out(HELP[p.command] ?? (await commandHelp(p.command)));
      return 0;
    }
    return await run(p, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`netform: ${e.message}\nRun netform --help for usage.\n`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      io.err(`netform: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
