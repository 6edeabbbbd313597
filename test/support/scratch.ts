// Scratch directories for tests that write and remove many files (a build's output, hundreds of times):
// in memory, on /dev/shm, where it is a tmpfs this process may write; elsewhere os.tmpdir(). On a disk
// file system, creating files right after deleting as many costs the kernel far more than the test's
// own work (ext4 searches its inode tables past recently deleted inodes). What the tests check (renames,
// links, modes, contents) behaves the same on both.
import { accessSync, constants, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SHM = '/dev/shm';

function inMemory(): string | undefined {
  try {
    // /proc/mounts: "device mountpoint type options 0 0".
    const mounted = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[1] === SHM && l.split(' ')[2] === 'tmpfs');
    if (!mounted) return undefined;
    accessSync(SHM, constants.W_OK);
    return SHM;
  } catch {
    return undefined;
  }
}

/** Where scratch directories go. */
export const SCRATCH_ROOT = inMemory() ?? os.tmpdir();

/** A new, empty scratch directory (the caller removes it). */
export const scratchDir = (prefix: string): string => mkdtempSync(path.join(SCRATCH_ROOT, `${prefix}-`));
