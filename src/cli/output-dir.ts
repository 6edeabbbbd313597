// Writing a build: everything goes to a fresh temporary directory beside the target, which is then
// renamed into place, so a reader never sees half an output and an error leaves nothing behind. An
// earlier netform output (it carries MARKER) is replaced; any other non-empty directory is refused.
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { startWriter } from './writer-thread.ts';
import { SECRET_SUFFIX } from '../render/files/secret.ts';

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

/** Where a build's files go: the same operations, done here or by a writer thread (writer-thread.ts). */
interface Sink {
  mkdir(dir: string): void;
  file(file: string, content: string, executable: boolean): void;
  pieces(file: string, pieces: Iterable<string>, executable: boolean): void;
  /** Waits until everything sent is on disk; throws the first error met. */
  finish(): void;
  /** Stops without waiting for what was not written yet (an error is being handled). */
  abandon(): void;
}

/** Gathers `pieces` into strings of about WRITE_SIZE characters or more, each handed to `write`. */
function gather(pieces: Iterable<string>, write: (s: string) => void): void {
  let batch: string[] = [];
  let size = 0;
  const flush = () => {
    if (size > 0) write(batch.join(''));
    batch = [];
    size = 0;
  };
  for (const p of pieces) {
    if (p.length >= WRITE_SIZE) {
      flush();
      write(p);
      continue;
    }
    batch.push(p);
    size += p.length;
    if (size >= WRITE_SIZE) flush();
  }
  flush();
}

const syncSink: Sink = {
  mkdir: (dir) => mkdirSync(dir),
  file(file, content, executable) {
    writeFileSync(file, content);
    if (executable) chmodSync(file, 0o755);
  },
  pieces(file, pieces, executable) {
    const fd = openSync(file, 'w');
    try {
      gather(pieces, (s) => writeSync(fd, s));
    } finally {
      closeSync(fd);
    }
    if (executable) chmodSync(file, 0o755);
  },
  finish() {},
  abandon() {},
};

export interface WriteTreeOptions {
  /** Replace a non-empty directory that holds no earlier netform output (`check --update` on a golden directory). */
  readonly allowForeign?: boolean;
  /**
   * After this many files, directories and small files are handed to a writer thread (default 256;
   * Infinity: never). A build of 10,000 containers writes 20,000 files, whose system calls take about
   * 0.3 s of a CPU; with two CPUs the gain is small (the garbage collector's helper threads want the
   * second one too), with more it is that time.
   */
  readonly threadAfter?: number;
}

const THREAD_AFTER = 256;

/**
 * Writes `files` (path relative to dir -> content) as the new content of dir; returns how many files it
 * wrote. `files` is iterated once, so a generator can render each file just before it is written.
 * Synchronous from the caller's point of view. A small tree is written on this thread; past
 * `threadAfter` files, a writer thread (writer-thread.ts) makes the directories and writes the small
 * files, in the order they come, while this thread renders the next ones (see threadSink).
 */
export function writeTreeAtomically(dir: string, files: Iterable<readonly [string, WriteContent]>, opts: WriteTreeOptions = {}): number {
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
  const threadAfter = opts.threadAfter ?? THREAD_AFTER;
  let sink: Sink = syncSink;
  try {
    chmodSync(tmp, 0o755); // mkdtemp makes it 0700; the output is an ordinary directory
    // Each directory is made once, parents first (a recursive mkdir per file costs several system calls
    // per file: 100,000 containers write 200,000 files).
    const made = new Set<string>(['']);
    const makeDir = (rel: string): void => {
      if (made.has(rel)) return;
      makeDir(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');
      sink.mkdir(path.join(tmp, rel));
      made.add(rel);
    };
    const secrets: [string, string][] = [];
    let count = 0;
    for (const [rel, content] of files) {
      if (count === threadAfter) sink = threadSink();
      makeDir(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');
      const file = path.join(tmp, rel);
      if (rel.endsWith(SECRET_SUFFIX)) {
        // Key material: written last, by this thread, created with mode 0600 (never readable by others).
        secrets.push([file, typeof content === 'string' ? content : [...content].join('')]);
        count++;
        continue;
      }
      const executable = rel.endsWith('.sh');
      if (typeof content === 'string') sink.file(file, content, executable);
      else sink.pieces(file, content, executable);
      count++;
    }
    sink.finish();
    for (const [file, content] of secrets) writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
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
    sink.abandon();
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** A file at least this long is written by this thread even when a writer thread is running (see threadSink). */
const BIG_FILE = 1 << 20;

/**
 * A Sink backed by a writer thread (writer-thread.ts) for the many small files. A big file (a string of
 * BIG_FILE characters or more, or one in pieces: iptables.rules, setup.sh, topology.json) is written
 * here: handing it over would copy it once more, and the writer would fall behind. Its directory is
 * made here too; the writer's mkdir tolerates a directory that exists.
 */
function threadSink(): Sink {
  const w = startWriter();
  const here = (file: string) => mkdirSync(path.dirname(file), { recursive: true });
  return {
    mkdir: (dir) => w.mkdir(dir),
    file(file, content, executable) {
      if (content.length < BIG_FILE) w.file(file, content, executable);
      else {
        here(file);
        syncSink.file(file, content, executable);
      }
    },
    pieces(file, pieces, executable) {
      here(file);
      syncSink.pieces(file, pieces, executable);
    },
    finish: () => w.finish(),
    abandon: () => w.abandon(),
  };
}
