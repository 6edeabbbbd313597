// netform build FILE -o DIR: compile, then write DIR/<host>/... atomically (output-dir.ts). Nothing is
// written when FILE has errors.
import type { Command } from './command.ts';
import { EXIT, TroubleError, type Context } from './context.ts';
import { compileFile, errorCount, readSecrets } from './inputs.ts';
import { printText, shown } from './report.ts';
import { outputFiles } from '../compile.ts';
import type { OverlayKey } from '../topology/overlay/secrets.ts';
import type { Topology } from '../topology/types.ts';
import { isFsError, reasonOf } from './fs-errors.ts';
import { OutputDirError, publishTree } from './output-dir.ts';

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
 * Compiles for a build and prints the diagnostics; the topologies when there is no error, else the exit
 * code. Only the topologies outlive this function: the parsed document and the model are garbage while
 * the files are rendered (at 100,000 containers they are a large part of the heap).
 */
function compileForBuild(file: string, ctx: Context, warnings: boolean, secrets: readonly OverlayKey[] | undefined): readonly Topology[] | number {
  const { report, result } = compileFile(file, { files: false, ...(secrets ? { secrets } : {}) });
  printText(shown(report, warnings), ctx);
  if (report.unreadable) return EXIT.TROUBLE;
  return result?.topologies && errorCount(report.diagnostics) === 0 ? result.topologies : EXIT.FAILED;
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'compile FILE and write DIR/<host>/ (rules, setup.sh, teardown.sh, containers\' files, topology.json)',
  operands: { name: 'FILE', min: 1, max: 1 },
  options: {
    output: { type: 'string', short: 'o', value: 'DIR', required: true, help: 'the output directory (replaced as a whole)' },
    secrets: { type: 'string', value: 'KEYS', help: 'the swarm\'s data path keys, for encrypted overlays (docs/overlay.md)' },
    'no-warnings': { type: 'boolean', help: 'print errors only' },
  },
  description: `Compiles FILE and writes DIR/<host>/... (iptables.rules, ip6tables.rules, setup.sh, teardown.sh,
containers/<name>/{hosts,resolv.conf}, topology.json), one folder per host. Nothing is written when FILE
has errors. DIR is replaced atomically: it is a symbolic link to the complete output, in the hidden
folder .DIR.netform beside it, and a new build swaps the link in one rename; a reader sees the old
output or the new one, never a mix, and a killed build leaves the old one. An earlier netform output
in DIR is replaced; any other non-empty DIR is refused. --secrets KEYS: the SAs go to
DIR/<host>/xfrm-states.secret, mode 0600, and nowhere else.
`,
  run(args, ctx) {
    const file = args.operands[0]!;
    const dir = args.options['output'] as string;
    const warnings = !args.options['no-warnings'];
    const secrets = secretsOption(args.options['secrets'], ctx, warnings);
    if ('exit' in secrets) return secrets.exit;
    const topologies = compileForBuild(file, ctx, warnings, secrets.keys);
    if (typeof topologies === 'number') return topologies;
    let written: number;
    try {
      // Files are rendered one by one as they are written, not all held in memory first.
      written = publishTree(dir, outputFiles(topologies, file));
    } catch (e) {
      if (e instanceof OutputDirError) throw new TroubleError(e.message);
      if (isFsError(e)) throw new TroubleError(`cannot write ${dir}: ${reasonOf(e)}${e.path && e.path !== dir ? ` (${e.path})` : ''}`);
      throw e;
    }
    ctx.io.out(`${file}: wrote ${written} files to ${dir}\n`);
    return EXIT.OK;
  },
};
