// netform validate FILE...: every diagnostic of every file, as text (with GitHub annotations under
// GitHub Actions), JSON or SARIF. Validation renders nothing and needs no keys.
import type { Command } from './command.ts';
import { EXIT } from './context.ts';
import { compileFile, errorCount, unreadable, type FileReport } from './inputs.ts';
import { lockArgProblems, lockArgs, lockFor, LOCK_OPTION_SPECS, type LockArgs } from './lock-file.ts';
import { printData, printText, shown, type ReportFormat } from './report.ts';

/** One file's report: its lock's allocations checked against it when the lock file exists (or --frozen-lock). */
function validateFile(file: string, l: LockArgs): FileReport {
  const lock = lockFor(file, l, 'warning', true);
  if (lock.unreadable) return unreadable(lock.unreadable.file, lock.unreadable.reason);
  return compileFile(file, { files: false, requireSecrets: false, ...(lock.options ? { lock: lock.options } : {}) }).report;
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check input files (schema and semantics) and print every diagnostic',
  operands: { name: 'FILE', min: 1, max: Infinity },
  options: {
    format: { type: 'string', choices: ['text', 'json', 'sarif'], help: 'text (default, file:line:col on stderr), json or sarif (SARIF 2.1.0) on stdout' },
    json: { type: 'boolean', help: 'the same as --format json' },
    ...LOCK_OPTION_SPECS,
    'no-warnings': { type: 'boolean', help: 'report errors only' },
  },
  description: `Checks each FILE (YAML, schema, then semantics) and prints every diagnostic: as text on stderr
(file:line:col, the source line and a caret; "FILE: valid" on stdout for a file without errors), or
on stdout as a JSON array (--format json) or a SARIF 2.1.0 log for GitHub code scanning
(--format sarif). A file that cannot be read is reported as a FILE_UNREADABLE diagnostic.
Exit 0 when every file is valid (warnings allowed), 1 when one is not, 2 when one cannot be read.

When FILE has a lock file (docs/lock.md), its allocations are checked too: one the input no longer
allows is an error (LOCK_CONFLICT); allocations the lock lacks or no longer needs are LOCK_OUT_OF_DATE
warnings (errors with --frozen-lock, which also requires the lock file to exist). Nothing is written.
`,
  check: (a) => [
    ...(a.options['json'] && a.options['format'] !== undefined && a.options['format'] !== 'json' ? [`--json and --format ${String(a.options['format'])} contradict each other`] : []),
    ...lockArgProblems(a),
  ],
  run(args, ctx) {
    const format: ReportFormat = args.options['json'] ? 'json' : ((args.options['format'] as ReportFormat | undefined) ?? 'text');
    const warnings = !args.options['no-warnings'];
    let invalid = false;
    let unreadable = false;
    const l = lockArgs(args);
    const reports = args.operands.map((file) => {
      const report = shown(validateFile(file, l), warnings);
      invalid ||= errorCount(report.diagnostics) > 0;
      unreadable ||= !!report.unreadable;
      if (format === 'text') {
        printText(report, ctx);
        if (errorCount(report.diagnostics) === 0) ctx.io.out(`${file}: valid\n`);
      }
      return report;
    });
    if (format !== 'text') printData(reports, format, ctx);
    return unreadable ? EXIT.TROUBLE : invalid ? EXIT.FAILED : EXIT.OK;
  },
};
