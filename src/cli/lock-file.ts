// The lock file beside the input (docs/lock.md): where it is, its text for compile, and writing it back
// atomically when a compile changed it. The options are the same for every command that compiles for
// a host (build, validate; plan and apply take them too): compileWithLock is what build, plan and apply
// call, saveLock/restore what they do around publishing an output or changing a host.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CompileOptions, CompileResult } from '../compile.ts';
import type { LockOptions, LockResult } from '../compile-lock.ts';
import type { Severity } from '../diagnostics/diagnostic.ts';
import type { OptionSpecs, ParsedArgs } from './args.ts';
import { EXIT, TroubleError, type Context } from './context.ts';
import { fsStep, isFsError, readText, reasonOf } from './fs-errors.ts';
import { compileFile, errorCount, type CompileReads } from './inputs.ts';
import { printText, shown } from './report.ts';

export const LOCK_OPTION_SPECS: OptionSpecs = {
  lock: { type: 'string', value: 'LOCK', help: 'the lock file (default: beside FILE, its name ending in .lock: site.yaml -> site.lock)' },
  'frozen-lock': { type: 'boolean', help: 'fail (exit 1) when the lock would gain or lose an allocation, and write nothing (for CI)' },
  'no-lock': { type: 'boolean', help: 'neither read nor write a lock: allocate in Docker\'s creation order' },
};

/** What the lock options say. */
export interface LockArgs {
  /** --lock FILE. */
  readonly file?: string;
  readonly frozen: boolean;
  readonly off: boolean;
}

export const lockArgs = (a: ParsedArgs): LockArgs => ({
  ...(typeof a.options['lock'] === 'string' ? { file: a.options['lock'] } : {}),
  frozen: a.options['frozen-lock'] === true,
  off: a.options['no-lock'] === true,
});

/** Usage problems of the lock options (for a command's `check`). */
export function lockArgProblems(a: ParsedArgs): string[] {
  const l = lockArgs(a);
  const out: string[] = [];
  if (l.off && l.file !== undefined) out.push('--no-lock and --lock contradict each other');
  if (l.off && l.frozen) out.push('--no-lock and --frozen-lock contradict each other');
  if (l.file !== undefined && a.operands.length > 1) out.push('--lock names the lock of one FILE: give one FILE with it');
  return out;
}

/** `site.yaml` -> `site.lock`: beside the input, its last extension replaced (or `.lock` added). */
export function defaultLockPath(input: string): string {
  const ext = path.extname(input);
  return `${ext ? input.slice(0, -ext.length) : input}.lock`;
}

/**
 * The compile option for the lock of `input`, or undefined (--no-lock; or `onlyIfPresent` and no lock
 * file); `unreadable` when the lock file exists and cannot be read. `outOfDate`: how allocations the lock
 * would gain or lose are reported (--frozen-lock makes them errors).
 */
export function lockFor(input: string, l: LockArgs, outOfDate: Severity | undefined, onlyIfPresent = false): { options?: LockOptions; unreadable?: { file: string; reason: string } } {
  if (l.off) return {};
  const file = l.file ?? defaultLockPath(input);
  const severity = l.frozen ? 'error' : outOfDate;
  const got = readText(file);
  if ('error' in got && !got.missing) return { unreadable: { file, reason: got.error } };
  if ('error' in got && onlyIfPresent && !l.frozen) return {};
  return { options: { file, ...('text' in got ? { text: got.text } : {}), ...(severity ? { outOfDate: severity } : {}) } };
}

/** A lock written before an output is published or a host is changed, and the way back. */
export interface SavedLock {
  /** What was written, as a line for stdout (`site.lock: 3 allocations added, 1 freed`); absent when the lock was up to date. */
  readonly message?: string;
  /**
   * Puts the lock file back as it was (removes it when there was none), for an output or an apply that
   * then failed; returns why that failed, or undefined.
   */
  restore(): string | undefined;
}

const NOTHING_SAVED: SavedLock = { restore: () => undefined };

/** Writes `text` to a temporary file beside `file`, renamed over it: a reader sees the old text or the new, never a part. */
function replaceAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

function changeLine(lock: LockResult): string {
  const added = lock.changes.filter((c) => c.kind === 'add').length;
  const freed = lock.changes.filter((c) => c.kind === 'remove').length;
  const parts = [added > 0 ? `${added} allocation${added === 1 ? '' : 's'} added` : '', freed > 0 ? `${freed} freed` : ''].filter(Boolean);
  return `${lock.file}: ${parts.length > 0 ? parts.join(', ') : 'rewritten as netform writes it'}\n`;
}

/**
 * Writes the lock when it changed (atomically); `previous` is its text before (undefined: there was no
 * lock file), which `restore` puts back.
 */
export function saveLock(lock: LockResult, previous: string | undefined): SavedLock {
  if (!lock.changed) return NOTHING_SAVED;
  fsStep(`cannot write ${lock.file}`, () => replaceAtomically(lock.file, lock.text));
  return {
    message: changeLine(lock),
    restore() {
      try {
        if (previous === undefined) rmSync(lock.file, { force: true });
        else replaceAtomically(lock.file, previous);
        return undefined;
      } catch (e) {
        if (isFsError(e)) return `cannot put ${lock.file} back as it was: ${reasonOf(e)}`;
        throw e;
      }
    },
  };
}

/** FILE compiled without errors with its lock, and the lock still to write. */
export interface LockedCompile {
  readonly result: CompileResult;
  /** The lock as it should now be; absent with --no-lock. */
  readonly lock?: LockResult;
  /**
   * Writes the lock when allocations were added or freed. Call it after the last check and before the
   * output is published (or the host is changed); when that then fails, `restore()` the lock.
   */
  saveLock(): SavedLock;
}

/**
 * Compiles FILE with its lock, the way build, plan and apply do: the options of LOCK_OPTION_SPECS in
 * `args` say which lock file is read (--lock, beside FILE, none with --no-lock) and whether allocations
 * it lacks or no longer needs are errors (--frozen-lock: LOCK_OUT_OF_DATE at their lines, so that
 * nothing is built or applied). Prints the diagnostics (warnings too unless `warnings` is false).
 * Returns the exit code when FILE or its lock has errors (FAILED) or cannot be read (TROUBLE; a lock
 * file that exists and cannot be read is a TroubleError); nothing is written by this function.
 */
export function compileWithLock(file: string, args: ParsedArgs, ctx: Context, options: CompileOptions = {}, warnings = true, reads?: CompileReads): LockedCompile | number {
  const lock = lockFor(file, lockArgs(args), undefined);
  if (lock.unreadable) throw new TroubleError(`cannot read ${lock.unreadable.file}: ${lock.unreadable.reason}`);
  // The lock first (none with --no-lock: no file; a lock file that does not exist yet: missing).
  if (reads && lock.options) reads.named.push([lock.options.file, lock.options.text !== undefined ? { text: lock.options.text } : { missing: true }]);
  const { report, result } = compileFile(file, { ...options, ...(lock.options ? { lock: lock.options } : {}) }, reads);
  printText(shown(report, warnings), ctx);
  if (report.unreadable) return EXIT.TROUBLE;
  if (!result?.topologies || errorCount(report.diagnostics) > 0) return EXIT.FAILED;
  const previous = lock.options?.text;
  const locked = result.lock;
  return { result, ...(locked ? { lock: locked } : {}), saveLock: () => (locked ? saveLock(locked, previous) : NOTHING_SAVED) };
}
