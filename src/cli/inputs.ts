// Reading what a command is given (the input file, the files it names, the --secrets file) and
// compiling it. A file that cannot be read is a diagnostic of its own (FILE_UNREADABLE, one line, no
// position), so that `validate --json` still prints JSON and several files are all reported.
import path from 'node:path';
import { compile, diagnosticSources, type CompileOptions, type CompileResult } from '../compile.ts';
import { error, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { SourceFile } from '../diagnostics/format.ts';
import { parseSecrets, type OverlayKey } from '../topology/overlay/secrets.ts';
import { readText } from './fs-errors.ts';

/** What one file came to: its diagnostics and the sources they point into. */
export interface FileReport {
  readonly file: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: readonly SourceFile[];
  /** The file could not be read at all (exit code TROUBLE rather than FAILED). */
  readonly unreadable?: boolean;
}

export const errorCount = (ds: readonly Diagnostic[]): number => ds.filter((d) => d.severity === 'error').length;

export function unreadable(file: string, reason: string): FileReport {
  return { file, diagnostics: [error('FILE_UNREADABLE', [], `cannot read the file: ${reason}`, { file })], sources: [{ file, text: '' }], unreadable: true };
}

/**
 * Every file text a compile read, in the order it read them: the input, then each file the input names
 * (the text, or why it could not be read). A compile is a function of these, its options and netform's
 * code; compile-cache.ts keys on them.
 */
export interface CompileReads {
  input?: string;
  readonly named: [file: string, got: { text: string } | { missing: boolean }][];
}

/** Compiles `file`; the result is absent when the file cannot be read. `reads` collects what it read. */
export function compileFile(file: string, options?: CompileOptions, reads?: CompileReads): { report: FileReport; result?: CompileResult } {
  const got = readText(file);
  if ('error' in got) return { report: unreadable(file, got.error) };
  if (reads) reads.input = got.text;
  const result = compile({ file, text: got.text }, (ref) => {
    const resolved = path.join(path.dirname(file), ref);
    const daemon = readText(resolved);
    reads?.named.push([resolved, 'error' in daemon ? { missing: daemon.missing } : { text: daemon.text }]);
    return 'error' in daemon ? { error: daemon.error, missing: daemon.missing } : { file: resolved, text: daemon.text };
  }, options);
  return { report: { file, diagnostics: result.diagnostics, sources: diagnosticSources(result, file) }, result };
}

/**
 * `--secrets FILE`: the overlay keys, or a report of why there are none. Diagnostics are formatted against
 * the file with its key material masked (secrets.ts): no key byte reaches the terminal.
 */
export function readSecrets(file: string): { keys?: readonly OverlayKey[]; report: FileReport } {
  const got = readText(file);
  if ('error' in got) return { report: unreadable(file, got.error) };
  const parsed = parseSecrets(got.text, file);
  const report = { file, diagnostics: parsed.diagnostics as readonly Diagnostic[], sources: [parsed.source] };
  return errorCount(parsed.diagnostics as readonly Diagnostic[]) > 0 ? { report } : { keys: parsed.keys, report };
}
