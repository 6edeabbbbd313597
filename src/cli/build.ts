// netform build FILE -o DIR: compile, then write the lock beside FILE when it changed (lock-file.ts) and
// DIR/<host>/... atomically (output-dir.ts). Nothing is written when FILE has errors, and the lock is
// put back when DIR cannot be written.
import type { Command } from './command.ts';
import { EXIT, TroubleError, type Context } from './context.ts';
import type { ParsedArgs } from './args.ts';
import { readSecrets } from './inputs.ts';
import { compileWithLock, lockArgProblems, LOCK_OPTION_SPECS, type SavedLock } from './lock-file.ts';
import { printText, shown } from './report.ts';
import { outputFiles, type CompileProgress, type CompileResult } from '../compile.ts';
import type { OverlayKey } from '../topology/overlay/secrets.ts';
import type { Topology } from '../topology/types.ts';
import { isFsError, reasonOf } from './fs-errors.ts';
import { OutputDirError, publishTree, type WriteContent } from './output-dir.ts';
import { compileProgressText, progressLine, writeProgressText, type Progress } from './progress.ts';

/**
 * The keys of `--secrets FILE` when given (undefined without the flag), or the exit code when the file
 * is unreadable or wrong (its diagnostics printed, key material masked).
 */
export function secretsOption(file: unknown, ctx: Context, warnings: boolean): { keys?: readonly OverlayKey[] } | { exit: number } {
  if (typeof file !== 'string') return {};
  const s = readSecrets(file);
  printText(shown(s.report, warnings), ctx);
  if (s.keys) return { keys: s.keys };
  return { exit: s.report.unreadable ? EXIT.TROUBLE : EXIT.FAILED };
}

/**
 * Compiles for a build (with its lock) and prints the diagnostics; the topologies and the lock still to
 * write when there is no error, else the exit code. Only these outlive this function: the parsed
 * document and the model are garbage while the files are rendered (at 100,000 containers they are a
 * large part of the heap).
 */
function compileForBuild(
  file: string,
  args: ParsedArgs,
  ctx: Context,
  warnings: boolean,
  secrets: readonly OverlayKey[] | undefined,
  progress: Progress,
): { result: CompileResult & { topologies: readonly Topology[] }; saveLock: () => SavedLock } | number {
  // The progress line is erased before the diagnostics are printed.
  const erasing = (write: (s: string) => void) => (s: string) => {
    progress.clear();
    write(s);
  };
  const printing: Context = { ...ctx, io: { ...ctx.io, out: erasing(ctx.io.out), err: erasing(ctx.io.err) } };
  const options = { files: false, ...(secrets ? { secrets } : {}), progress: (p: CompileProgress) => progress.show(p.stage, compileProgressText(p)) };
  const built = compileWithLock(file, args, printing, options, warnings);
  progress.clear();
  if (typeof built === 'number') return built;
  return { result: built.result as CompileResult & { topologies: readonly Topology[] }, saveLock: built.saveLock };
}

function* chain<T>(...lists: Iterable<T>[]): Generator<T> {
  for (const l of lists) yield* l;
}

/** The output files, host after host, with the hosts and containers written so far on the progress line. */
function* withProgress(topologies: readonly Topology[], file: string, progress: Progress): Generator<[string, WriteContent]> {
  let containers = 0;
  for (const [i, topology] of topologies.entries()) {
    yield* outputFiles(topology, file);
    containers += topology.containers.filter((c) => !c.sandbox).length;
    progress.show('write', writeProgressText(i + 1, topologies.length, containers));
  }
}

/** Writes DIR from the topologies; a file-system failure becomes one line (a TroubleError). */
function publish(dir: string, file: string, topologies: readonly Topology[], maps: Iterable<[string, string]>, progress: Progress): number {
  try {
    // Files are rendered one by one as they are written, not all held in memory first.
    return publishTree(dir, chain(withProgress(topologies, file, progress), maps));
  } catch (e) {
    if (e instanceof OutputDirError) throw new TroubleError(e.message);
    if (isFsError(e)) throw new TroubleError(`cannot write ${dir}: ${reasonOf(e)}${e.path && e.path !== dir ? ` (${e.path})` : ''}`);
    throw e;
  } finally {
    progress.clear();
  }
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'compile FILE and write DIR/<host>/ (rules, setup.sh, teardown.sh, containers\' files, topology.json)',
  operands: { name: 'FILE', min: 1, max: 1 },
  options: {
    output: { type: 'string', short: 'o', value: 'DIR', required: true, help: 'the output directory (replaced as a whole)' },
    secrets: { type: 'string', value: 'KEYS', help: 'the swarm\'s data path keys, for encrypted overlays (docs/overlay.md)' },
    ...LOCK_OPTION_SPECS,
    'no-warnings': { type: 'boolean', help: 'print errors only' },
    'source-map': { type: 'boolean', help: 'write FILE.map beside each rules file, script, hosts and resolv.conf: the YAML line of each line (netform blame)' },
  },
  description: `Compiles FILE and writes DIR/<host>/... (iptables.rules, ip6tables.rules, setup.sh, teardown.sh,
containers/<name>/{hosts,resolv.conf}, topology.json), one folder per host. Nothing is written when FILE
has errors. DIR is replaced atomically: it is a symbolic link to the complete output, in the hidden
folder .DIR.netform beside it, and a new build swaps the link in one rename; a reader sees the old
output or the new one, never a mix, and a killed build leaves the old one. An earlier netform output
in DIR is replaced; any other non-empty DIR is refused. --secrets KEYS: the SAs go to
DIR/<host>/xfrm-states.secret, mode 0600, and nowhere else. An expect: entry the build contradicts is
an error (docs/trace.md). --source-map: beside each rules file, script, hosts and resolv.conf, FILE.map
gives the YAML position (or the named implicit origin) of each of its lines; netform blame reads them.

The allocations netform chose (subnets, addresses, MACs, bridge ids, VNIs, host ports) are kept in the
lock file beside FILE (site.yaml -> site.lock, or --lock LOCK): a build keeps the ones it holds, so that
editing FILE renumbers nothing, and rewrites it when allocations are added or freed (atomically,
before DIR; put back as it was when DIR cannot be written). --frozen-lock: exit 1 with the allocations
the lock would gain or lose, and write nothing. --no-lock: no lock, Docker's creation order (docs/lock.md).
`,
  check: lockArgProblems,
  async run(args, ctx) {
    const file = args.operands[0]!;
    const dir = args.options['output'] as string;
    const warnings = !args.options['no-warnings'];
    const secrets = secretsOption(args.options['secrets'], ctx, warnings);
    if ('exit' in secrets) return secrets.exit;
    const progress = progressLine(ctx);
    const built = compileForBuild(file, args, ctx, warnings, secrets.keys, progress);
    if (typeof built === 'number') return built;
    // The lock before the output, so that an output is never left built from allocations the lock does
    // not hold; when the output then cannot be written, the lock is put back as it was.
    const maps = args.options['source-map'] ? (await import('./source-maps.ts')).sourceMapFiles(built.result, file, dir) : [];
    const saved = built.saveLock();
    let written: number;
    try {
      written = publish(dir, file, built.result.topologies, maps, progress);
    } catch (e) {
      const problem = saved.restore();
      if (problem && e instanceof TroubleError) throw new TroubleError(`${e.message}; ${problem}`);
      throw e;
    }
    if (saved.message) ctx.io.out(saved.message);
    ctx.io.out(`${file}: wrote ${written} files to ${dir}\n`);
    return EXIT.OK;
  },
};
