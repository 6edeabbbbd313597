// `netform import`: a compose project (one or more files, merged as `docker compose -f a -f b` merges
// them) written as a netform file. The file is compiled before it is written: a problem netform finds is
// reported at the compose file's line, and nothing is written then.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compile, type CompileResult } from '../compile.ts';
import { composeRemap } from '../compile-projects.ts';
import { loadComposeProject, projectFragment, type ComposeSource } from '../compose/index.ts';
import { netformFileText } from '../compose/netform-file.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { formatDiagnostics, type SourceFile as DiagnosticSource } from '../diagnostics/format.ts';
import { schemaRefFrom } from './package-root.ts';
import { UsageError } from './usage.ts';

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const IMPORT_HELP = `Usage: netform import COMPOSE_FILE [COMPOSE_FILE...] [--project-name NAME] [--env-file FILE]
                      [--daemon DAEMON_JSON] [-o NETFORM_FILE]
Reads a compose project as Docker Compose v2 deploys it and writes it as a netform file (to stdout
without -o): its networks in the order Compose creates them, its containers (one per replica) in the
order it starts them, with the names and aliases Compose gives them. Several files are merged as
\`docker compose -f a.yaml -f b.yaml\` merges them. Nothing is written when netform finds a problem; every
problem is reported at the compose file's line. See docs/compose.md.
  --project-name NAME  the project name (default: name: in the files, else the first file's directory)
  --env-file FILE      read FILE instead of the project directory's .env (netform never reads its own
                       environment, so a result does not depend on the shell it ran in)
  --daemon FILE        the daemon.json of the host: the netform file names it (daemon: PATH)
`;

const errorsIn = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === 'error').length;

function reader(file: string) {
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return { error: missing ? 'no such file' : (e as Error).message, missing };
  }
}

export function runImport(files: readonly string[], flags: ReadonlyMap<string, string | true>, io: Io): number {
  if (files.length === 0) throw new UsageError('import needs at least one COMPOSE_FILE');
  const str = (f: string) => (typeof flags.get(f) === 'string' ? (flags.get(f) as string) : undefined);
  const output = str('-o');
  const name = str('--project-name');
  const envFile = str('--env-file');
  const daemon = str('--daemon');
  const color = flags.has('--color');
  const loaded = loadComposeProject(
    { files, directoryName: path.basename(path.dirname(path.resolve(files[0]!))), ...(name ? { name } : {}), ...(envFile ? { envFiles: [envFile] } : {}) },
    reader,
  );
  const sources: DiagnosticSource[] = loaded.sources.map(toDiagnosticSource);
  const print = (ds: readonly Diagnostic[], extra: DiagnosticSource[] = []) => {
    const list = [...extra, ...sources];
    if (ds.length > 0) io.err(`${formatDiagnostics(ds, list.length > 0 ? list : [{ file: files[0]!, text: '' }], { color })}\n`);
  };
  if (!loaded.project) {
    print(loaded.diagnostics);
    // A compose file named on the command line that cannot be read: exit 2, as for every command.
    const unreadable = loaded.diagnostics.some((d) => d.code === 'COMPOSE_FILE' && d.file !== undefined && files.includes(d.file));
    return unreadable ? 2 : 1;
  }
  const { fragment, diagnostics: fd } = projectFragment(loaded.project, { networks: new Set(['bridge', 'host', 'none']), containers: new Set(), missingExternal: 'declare' });
  const outDir = output ? path.dirname(output) : '.';
  const relative = (p: string) => {
    const r = path.relative(path.resolve(outDir), path.resolve(p)).split(path.sep).join('/');
    return r.startsWith('.') ? r : `./${r}`;
  };
  const text = netformFileText(fragment, { schemaRef: schemaRefFrom(outDir), projectName: loaded.project.name, files, ...(daemon ? { daemon: relative(daemon) } : {}) });
  // Compiled as written, its daemon.json read where the file will name it from.
  const target = output ?? 'netform.yaml';
  const built = compile({ file: target, text }, (ref) => reader(path.join(outDir, ref)), { files: false, requireSecrets: false });
  const remap = composeRemap(fragment);
  // What the compile says about the generated file as a whole (no host facts given...) is for its later
  // reader; here only problems of the project itself count, and errors.
  const compiled = built.diagnostics.map(remap).filter((d) => d.file !== undefined || d.severity === 'error');
  const all = [...loaded.diagnostics, ...fd, ...compiled];
  print(all, compiledSources(built, target));
  if (errorsIn(all) > 0) return 1;
  if (!output) {
    io.out(text);
    return 0;
  }
  const tmp = `${output}.netform-tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, output);
  io.err(`${files.join(', ')}: wrote ${output} (project "${loaded.project.name}": ${fragment.networks.length} networks, ${fragment.containers.length} containers)\n`);
  return 0;
}

const toDiagnosticSource = (s: ComposeSource): DiagnosticSource => ({ file: s.file, text: s.text, doc: s.parsed?.doc, lineCounter: s.parsed?.lineCounter });

/** The generated file and the daemon.json, for what the compile said about them. */
function compiledSources(r: CompileResult, target: string): DiagnosticSource[] {
  return [...r.sources].map(([f, s]) => ({ file: f === target ? target : f, text: s.text, doc: s.parsed?.doc, lineCounter: s.parsed?.lineCounter }));
}
