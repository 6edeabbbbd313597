// The lock file beside the input (docs/lock.md): where it is, its text for compile, and writing it back
// atomically when a compile changed it. The options are the same for every command that compiles for
// a host (build, validate; plan and apply take them too).
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LockOptions, LockResult } from '../compile-lock.ts';
import type { Severity } from '../diagnostics/diagnostic.ts';
import type { OptionSpecs, ParsedArgs } from './args.ts';
import { fsStep, readText } from './fs-errors.ts';

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

/**
 * Writes the lock when it changed: to a temporary file beside it, renamed over it (a reader sees the old
 * lock or the new one, never a part). Returns a line saying what changed, or undefined.
 */
export function saveLock(lock: LockResult): string | undefined {
  if (!lock.changed) return undefined;
  const tmp = path.join(path.dirname(lock.file), `.${path.basename(lock.file)}.${process.pid}.tmp`);
  fsStep(`cannot write ${lock.file}`, () => {
    try {
      writeFileSync(tmp, lock.text);
      renameSync(tmp, lock.file);
    } finally {
      rmSync(tmp, { force: true });
    }
  });
  const added = lock.changes.filter((c) => c.kind === 'add').length;
  const freed = lock.changes.filter((c) => c.kind === 'remove').length;
  const parts = [added > 0 ? `${added} allocation${added === 1 ? '' : 's'} added` : '', freed > 0 ? `${freed} freed` : ''].filter(Boolean);
  return `${lock.file}: ${parts.length > 0 ? parts.join(', ') : 'rewritten as netform writes it'}\n`;
}
