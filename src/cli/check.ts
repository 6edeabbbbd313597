// netform check FILE --golden DIR [--update]: compare a build with a golden directory (a build's layout,
// without *.secret files). Imports the diff only when it runs (start-up time counts).
import { statSync } from 'node:fs';
import type { Command } from './command.ts';
import { EXIT, TroubleError } from './context.ts';
import { compileFile, errorCount } from './inputs.ts';
import { lockArgProblems, lockArgs, lockFor, LOCK_OPTION_SPECS } from './lock-file.ts';
import { printText, shown } from './report.ts';
import { secretsOption } from './build.ts';
import { fsStep, isFsError, reasonOf } from './fs-errors.ts';
import { readTree, replaceDirectory } from './output-dir.ts';
import { isSecretFile } from '../render/files/secret.ts';

/** Whether `dir` is a directory; absent when nothing is there. Anything else is refused. */
function goldenState(dir: string): 'directory' | 'absent' {
  try {
    if (statSync(dir).isDirectory()) return 'directory';
  } catch (e) {
    if (isFsError(e) && e.code === 'ENOENT') return 'absent';
    if (isFsError(e)) throw new TroubleError(`--golden ${dir}: ${reasonOf(e)}`);
    throw e;
  }
  throw new TroubleError(`--golden ${dir} is not a directory`);
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'compare a build of FILE with a golden directory; exit 1 on any difference',
  operands: { name: 'FILE', min: 1, max: 1 },
  options: {
    golden: { type: 'string', value: 'DIR', required: true, help: 'the golden directory (laid out like a build)' },
    update: { type: 'boolean', help: 'rewrite DIR with the build, after you have read the diff' },
    secrets: { type: 'string', value: 'KEYS', help: 'as for build' },
    ...LOCK_OPTION_SPECS,
    'no-warnings': { type: 'boolean', help: 'print errors only' },
  },
  description: `Builds FILE in memory and compares every file with DIR. Prints a unified diff per difference
(capped for huge changes) and exits 1 on any mismatch. Files holding keys (*.secret) are never
compared or written to DIR. DIR must exist, unless --update creates it.

FILE's lock file (docs/lock.md) is read as build reads it, so that the comparison is with what build
would write; it is never written (--frozen-lock: exit 1 when the lock is not up to date).
`,
  check: lockArgProblems,
  async run(args, ctx) {
    const file = args.operands[0]!;
    const golden = args.options['golden'] as string;
    const update = !!args.options['update'];
    const warnings = !args.options['no-warnings'];
    const state = goldenState(golden);
    if (state === 'absent' && !update) throw new TroubleError(`--golden ${golden} does not exist (--update creates it)`);
    const secrets = secretsOption(args.options['secrets'], ctx, warnings);
    if ('exit' in secrets) return secrets.exit;
    const lock = lockFor(file, lockArgs(args), undefined, true);
    if (lock.unreadable) throw new TroubleError(`cannot read ${lock.unreadable.file}: ${lock.unreadable.reason}`);
    const { report, result } = compileFile(file, { ...(secrets.keys ? { secrets: secrets.keys } : {}), ...(lock.options ? { lock: lock.options } : {}) });
    printText(shown(report, warnings), ctx);
    if (report.unreadable) return EXIT.TROUBLE;
    if (!result?.files || errorCount(report.diagnostics) > 0) return EXIT.FAILED;
    const { compareWithGolden, describeDifference } = await import('../golden/compare.ts');
    const expected = state === 'absent' ? new Map<string, string>() : fsStep(`cannot read --golden ${golden}`, () => readTree(golden));
    const diffs = compareWithGolden(expected, result.files);
    if (diffs.length === 0) {
      ctx.io.out(`${file}: matches ${golden} (${result.files.size} files)\n`);
      return EXIT.OK;
    }
    for (const d of diffs) ctx.io.out(describeDifference(d));
    if (update) {
      const files = [...result.files].filter(([rel]) => !isSecretFile(rel));
      fsStep(`cannot write --golden ${golden}`, () => replaceDirectory(golden, files));
      ctx.io.out(`${file}: updated ${golden} (${diffs.length} files differed)\n`);
      return EXIT.OK;
    }
    ctx.io.out(`${file}: ${diffs.length} files differ from ${golden}\n`);
    return EXIT.FAILED;
  },
};
