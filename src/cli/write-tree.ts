// Writing a tree of files into a fresh directory, fast: the files are rendered one by one as they are
// written, and past a few hundred files a writer thread (writer-thread.ts) makes the directories and
// writes the small ones while this thread renders the next. Where the directory goes and how it
// replaces an earlier output is output-dir.ts's business.
import { chmodSync, closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { startWriter } from './writer-thread.ts';
import { SECRET_SUFFIX } from '../render/files/secret.ts';

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
 * Writes `files` (path relative to `root` -> content) under `root`, an empty directory; returns how many
 * files it wrote. `files` is iterated once, so a generator can render each file just before it is
 * written. Synchronous from the caller's point of view; on an error the writer thread is stopped and
 * the error thrown (the caller removes `root`). Files named *.secret are written last, by this thread,
 * created with mode 0600.
 */
export function writeTree(root: string, files: Iterable<readonly [string, WriteContent]>, opts: WriteTreeOptions = {}): number {
  const threadAfter = opts.threadAfter ?? THREAD_AFTER;
  let sink: Sink = syncSink;
  try {
    // Each directory is made once, parents first (a recursive mkdir per file costs several system calls
    // per file: 100,000 containers write 200,000 files).
    const made = new Set<string>(['']);
    const makeDir = (rel: string): void => {
      if (made.has(rel)) return;
      makeDir(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');
      sink.mkdir(path.join(root, rel));
      made.add(rel);
    };
    const secrets: [string, string][] = [];
    let count = 0;
    for (const [rel, content] of files) {
      if (count === threadAfter) sink = threadSink();
      makeDir(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');
      const file = path.join(root, rel);
      if (rel.endsWith(SECRET_SUFFIX)) {
        // Key material: never readable by others.
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
    return count;
  } catch (e) {
    sink.abandon();
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
