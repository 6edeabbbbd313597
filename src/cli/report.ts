// Printing what files came to, in the format asked for: text (stderr, `file:line:col` with the source
// line and a caret, each diagnostic ending with a newline) plus GitHub annotations on stdout under
// GitHub Actions; JSON (an array); SARIF 2.1.0. `--no-warnings` leaves warnings out of all of them.
import path from 'node:path';
import { diagnosticsToJson, formatDiagnostics, type JsonDiagnostic } from '../diagnostics/format.ts';
import type { Context } from './context.ts';
import { annotations } from './github.ts';
import type { FileReport } from './inputs.ts';
import { sarifLog } from './sarif.ts';

export type ReportFormat = 'text' | 'json' | 'sarif';

/** The report without its warnings, when they are not wanted. */
export function shown(report: FileReport, warnings: boolean): FileReport {
  return warnings ? report : { ...report, diagnostics: report.diagnostics.filter((d) => d.severity === 'error') };
}

/** One file's diagnostics as text on stderr (and annotations on stdout under GitHub Actions). */
export function printText(report: FileReport, ctx: Context): void {
  if (report.diagnostics.length === 0) return;
  ctx.io.err(`${formatDiagnostics(report.diagnostics, report.sources, { color: ctx.color })}\n`);
  if (ctx.annotations) ctx.io.out(annotations(toJson(report), ctx.env['GITHUB_WORKSPACE']));
}

export function toJson(report: FileReport): JsonDiagnostic[] {
  return diagnosticsToJson(report.diagnostics, report.sources);
}

/** Every file's diagnostics as one JSON array or one SARIF log, on stdout. */
export function printData(reports: readonly FileReport[], format: 'json' | 'sarif', ctx: Context): void {
  const all = reports.flatMap(toJson);
  const data = format === 'json' ? all : sarifLog(all, path.resolve('.'));
  ctx.io.out(`${JSON.stringify(data, null, 2)}\n`);
}
