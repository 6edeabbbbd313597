// A cache of plan's and apply's compile: the desired state of the host, kept beside the host's state
// (the state directory, or /var/lib/netform/.compile-cache without --state-dir) under a digest of
// everything the compile is a function of. A plan of an unchanged file then costs the reading of the
// host, not a compile (start-up and compile are most of a small plan's time).
//
// Why a hit is the compile's own result: compile is a pure, deterministic function (no clock, no
// randomness, no environment; stages never touch files) of the input text, the texts of the files it
// names (read through one resolver, inputs.ts, which records each read in order), the lock's text and
// options, and netform's code. The key holds the digest of each of these: the bundle's build id (a
// digest of the bundle's own text, set by tools/build.ts; without it, as when run from source, nothing is
// cached), Node's version, the working directory and FILE as given (names in the output come from it),
// the lock's path, text and options, --host, and the target (NETFORM_HOST_NETNS, NETFORM_NETNS_PREFIX).
// The files the input named are re-read at every lookup and compared by digest: the same input names
// the same files in the same order, so equal digests mean an equal compile. Only a compile with no
// diagnostic at all and a lock it leaves unchanged is kept, so a hit prints nothing and writes no lock,
// exactly as that compile would; --secrets turns the cache off (no key material is written here). A
// compile is kept once its plan is made or its apply succeeded: a failed apply writes nothing there.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Desired } from '../apply/index.ts';
import type { ParsedArgs } from './args.ts';
import { readText } from './fs-errors.ts';
import type { CompileReads } from './inputs.ts';
import { defaultLockPath, lockArgs } from './lock-file.ts';

declare const NETFORM_BUILD_ID: string | undefined;

/** The digest of the bundle's code (tools/build.ts defines it); undefined when run from source. */
export const BUILD_ID: string | undefined = typeof NETFORM_BUILD_ID === 'string' ? NETFORM_BUILD_ID : undefined;

const FORMAT = 1;
const digest = (text: string) => createHash('sha256').update(text).digest('hex');
// A file that cannot be read counts as missing or unreadable, not by its message: only a compile with
// no diagnostic is kept, and the compile's result tells the two apart and nothing more.
const readDigest = (got: { text: string } | { missing: boolean }) => ('text' in got ? `text:${digest(got.text)}` : got.missing ? 'missing' : 'unreadable');

function read(file: string): { text: string } | { missing: boolean } {
  const got = readText(file);
  return 'text' in got ? got : { missing: got.missing };
}

interface Entry {
  readonly format: number;
  readonly key: string;
  /** Each file the compile read after the input (the lock first), with the digest of what it read. */
  readonly reads: readonly (readonly [string, string])[];
  readonly desired: Desired;
}

export interface CompileCache {
  /** The cached desired state, when every input is as it was. */
  lookup(): Desired | undefined;
  /** Keeps a compile's result, with what it read (best effort: a cache that cannot be written is no error). */
  store(reads: CompileReads, desired: Desired): void;
}

export interface CacheWhere {
  /** --state-dir, when given. */
  readonly stateDir?: string;
  /** The directory that holds each host's state directory. */
  readonly stateRoot: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The code's digest; the cache is off without one. */
  readonly buildId: string | undefined;
}

/** The compile cache of FILE for this command line, or undefined when it is off. */
export function compileCache(file: string, args: ParsedArgs, where: CacheWhere): CompileCache | undefined {
  if (!where.buildId || args.options['secrets'] !== undefined) return undefined;
  const lock = lockArgs(args);
  const fixed = JSON.stringify({
    format: FORMAT,
    build: where.buildId,
    node: process.version,
    cwd: where.cwd,
    file,
    host: args.options['host'] ?? null,
    lock: { file: lock.off ? null : (lock.file ?? defaultLockPath(file)), frozen: lock.frozen, off: lock.off },
    target: { hostNetns: where.env['NETFORM_HOST_NETNS'] ?? '', prefix: where.env['NETFORM_NETNS_PREFIX'] ?? '' },
  });
  const dir = where.stateDir ?? path.join(where.stateRoot, '.compile-cache');
  // One entry per command line's fixed part: a changed input replaces its entry rather than adding one.
  const entryFile = path.join(dir, `compile-${digest(fixed).slice(0, 24)}.json`);
  const keyOf = (input: string) => digest(`${fixed}\n${digest(input)}`);
  return {
    lookup() {
      const input = read(file);
      if (!('text' in input)) return undefined;
      const got = read(entryFile);
      if (!('text' in got)) return undefined;
      let entry: Entry;
      try {
        entry = JSON.parse(got.text) as Entry;
      } catch {
        return undefined;
      }
      if (entry.format !== FORMAT || entry.key !== keyOf(input.text)) return undefined;
      for (const [f, d] of entry.reads) if (readDigest(read(f)) !== d) return undefined;
      return entry.desired;
    },
    store(reads, desired) {
      if (reads.input === undefined) return;
      const entry: Entry = {
        format: FORMAT,
        key: keyOf(reads.input),
        reads: reads.named.map(([f, got]) => [f, readDigest(got)] as const),
        desired,
      };
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const tmp = `${entryFile}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
        renameSync(tmp, entryFile);
      } catch {
        // A plan by a user who cannot write the state directory still works, uncached.
      }
    },
  };
}
