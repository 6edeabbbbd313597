// File-system failures as one line a user can act on (`cannot read x.yaml: it is a directory`), never a
// stack trace. Node's own messages name the system call (`EISDIR: illegal operation on a directory,
// read`); these name what netform was doing and what is wrong with the path.
import { readFileSync } from 'node:fs';
import { TroubleError } from './context.ts';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many levels of symbolic links (a loop?)',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'file name too long',
  EEXIST: 'it already exists',
  ENOTEMPTY: 'the directory is not empty',
  EBUSY: 'it is busy (a mount point?)',
  EXDEV: 'it is on another file system',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  EINVAL: 'invalid argument (this file system refuses the operation)',
};

/** The reason an operation failed, from a Node error: its errno text, or its message. */
export function reasonOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && REASONS[code]) return REASONS[code];
  return code ? `${code.toLowerCase()}: ${(e as Error).message}` : String((e as Error)?.message ?? e);
}

export const isFsError = (e: unknown): e is NodeJS.ErrnoException =>
  e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';

/** Runs `fn`; a file-system error becomes a TroubleError saying `what` (`cannot read x.yaml`) and why. */
export function fsStep<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isFsError(e)) throw new TroubleError(`${what}: ${reasonOf(e)}`);
    throw e;
  }
}

/** A text file's content, or the one-line reason it cannot be read (`missing`: it does not exist). */
export function readText(file: string): { text: string } | { error: string; missing: boolean } {
  try {
    return { text: readFileSync(file, 'utf8') };
  } catch (e) {
    if (isFsError(e)) return { error: reasonOf(e), missing: e.code === 'ENOENT' };
    throw e;
  }
}
