// Writing a build: everything goes to a fresh temporary directory beside the target, which is then
// renamed into place, so a reader never sees half an output and an error leaves nothing behind. An
// earlier netform output (it carries MARKER) is replaced; any other non-empty directory is refused.
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

export const MARKER = '.netform-output';

export class OutputDirError extends Error {}

function isNetformOutput(dir: string): boolean {
  return existsSync(path.join(dir, MARKER));
}

/** Reads every file under dir (except the marker) into a map of relative path -> content. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(r);
      else if (entry.isFile() && r !== MARKER) out.set(r, readFileSync(path.join(dir, r), 'utf8'));
    }
  };
  if (existsSync(dir)) walk('');
  return out;
}

/** Content of a file to write: a string, or pieces written one after another (topology.json at scale). */
export type WriteContent = string | Iterable<string>;

/** Small pieces are gathered into writes of about this many characters; bigger ones are written as they are. */
const WRITE_SIZE = 1 << 16;

function writePieces(file: string, pieces: Iterable<string>): void {
  const fd = openSync(file, 'w');
  try {
    let batch: string[] = [];
    let size = 0;
    const flush = () => {
      if (size > 0) writeSync(fd, batch.join(''));
      batch = [];
      size = 0;
    };
    for (const p of pieces) {
      if (p.length >= WRITE_SIZE) {
        flush();
        writeSync(fd, p);
        continue;
      }
      batch.push(p);
      size += p.length;
      if (size >= WRITE_SIZE) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `files` (path relative to dir -> content) as the new content of dir; returns how many files it
 * wrote. `files` is iterated once, so a generator can render each file just before it is written.
 * Synchronous on purpose: fs.promises would not overlap the writes with rendering, since each of its
 * steps (open, write, close) waits for this thread, which is busy rendering.
 */
export function writeTreeAtomically(dir: string, files: Iterable<readonly [string, WriteContent]>, opts: { allowForeign?: boolean } = {}): number {
  const target = path.resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new OutputDirError(`${dir} exists and is not a directory`);
    if (readdirSync(target).length > 0 && !isNetformOutput(target) && !opts.allowForeign) {
      throw new OutputDirError(`${dir} is not empty and holds no earlier netform output (no ${MARKER}); refusing to replace it`);
    }
  }
  const parent = path.dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(path.join(parent, `.${path.basename(target)}.netform-`));
  try {
    chmodSync(tmp, 0o755); // mkdtemp makes it 0700; the output is an ordinary directory
    // Each directory is made once, parents first (a recursive mkdir per file costs several system calls
    // per file: 100,000 containers write 200,000 files).
    const made = new Set<string>(['']);
    const makeDir = (rel: string): void => {
      if (made.has(rel)) return;
      makeDir(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');
      mkdirSync(path.join(tmp, rel));
      made.add(rel);
    };
    let count = 0;
    for (const [rel, content] of files) {
      makeDir(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');
      const file = path.join(tmp, rel);
      if (typeof content === 'string') writeFileSync(file, content);
      else writePieces(file, content);
      if (rel.endsWith('.sh')) chmodSync(file, 0o755);
      count++;
    }
    writeFileSync(path.join(tmp, MARKER), 'This directory is written by netform build; it is replaced as a whole.\n');
    if (existsSync(target)) {
      const old = `${tmp}.old`;
      renameSync(target, old);
      renameSync(tmp, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, target);
    }
    return count;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
