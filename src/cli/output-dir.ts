// Where a build's files go, and how a new output replaces the old one without a moment in between.
//
// `build -o DIR`: DIR is a symbolic link to a complete output, a version folder in the hidden store
// `.DIR.netform/` beside it. A build writes a new version there, makes a new link to it, and renames the
// link over DIR: rename(2) replaces the old link in one step, so DIR is at every instant the old complete
// output or the new one (a directory cannot be swapped for another in one rename: Linux's
// renameat2(RENAME_EXCHANGE) is not available to Node). Only then is the old version removed. A build
// killed at any point leaves DIR as it was, plus its own unfinished version in the store; the next
// build removes the versions and links of builds whose process is gone (their names carry its pid).
//
// What may be at DIR: nothing; netform's link; an empty directory (removed first); an output written
// as a plain directory by an older netform (it carries MARKER: moved into the store, then replaced by
// the link; that one conversion has a moment without DIR). Anything else is refused.
//
// `check --update` rewrites a golden directory, which must stay a plain directory (it is committed):
// replaceDirectory writes beside it and swaps with two renames, which is not atomic.
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeTree, type WriteContent, type WriteTreeOptions } from './write-tree.ts';

export type { WriteContent } from './write-tree.ts';

export const MARKER = '.netform-output';
const MARKER_TEXT = 'This directory is written by netform build; it is replaced as a whole.\n';

export class OutputDirError extends Error {}

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

/** The steps of publishTree, for tests that kill a build at each of them (test/cli-output-atomic.test.ts). */
export type PublishStep = 'store-ready' | 'version-written' | 'link-made' | 'swapped' | 'done';

export interface PublishOptions extends WriteTreeOptions {
  readonly onStep?: (step: PublishStep) => void;
}

/** The store of DIR's versions, and what DIR's link holds when it names one of them. */
const storeName = (target: string): string => `.${path.basename(target)}.netform`;

type DirState = { kind: 'absent' } | { kind: 'link'; version: string } | { kind: 'empty' } | { kind: 'legacy' };

/** What is at DIR now; refuses anything netform must not replace. */
function stateOf(dir: string, target: string): DirState {
  let st;
  try {
    st = lstatSync(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw e;
  }
  if (st.isSymbolicLink()) {
    const to = readlinkSync(target);
    const prefix = `${storeName(target)}/`;
    const version = to.startsWith(prefix) ? to.slice(prefix.length) : '';
    if (/^v-\d+-[A-Za-z0-9]+$/.test(version)) return { kind: 'link', version };
    throw new OutputDirError(`${dir} is a symbolic link netform did not make (to ${to}); refusing to replace it`);
  }
  if (!st.isDirectory()) throw new OutputDirError(`${dir} exists and is not a directory`);
  const entries = readdirSync(target);
  if (entries.length === 0) return { kind: 'empty' };
  if (entries.includes(MARKER)) return { kind: 'legacy' };
  throw new OutputDirError(`${dir} is not empty and holds no earlier netform output (no ${MARKER}); refusing to replace it`);
}

/** Whether the process `pid` exists (EPERM: it does, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what builds that were killed left in the store: versions and links (`v-`/`l-`/`old-` + pid)
 * whose process is gone, except the version DIR names. Other entries are not netform's: left alone.
 */
function removeLeftovers(store: string, current: string | undefined): void {
  for (const name of readdirSync(store)) {
    const m = /^(v|l|old)-(\d+)-[A-Za-z0-9]+$/.exec(name);
    if (!m || name === current) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || !alive(pid)) rmSync(path.join(store, name), { recursive: true, force: true });
  }
}

/**
 * Writes `files` as the new content of DIR (see the top of this file); returns how many files it wrote.
 * On an error before the swap, DIR is untouched and this build's version is removed.
 */
export function publishTree(dir: string, files: Iterable<readonly [string, WriteContent]>, opts: PublishOptions = {}): number {
  const target = path.resolve(dir);
  const state = stateOf(dir, target);
  const store = path.join(path.dirname(target), storeName(target));
  mkdirSync(store, { recursive: true });
  removeLeftovers(store, state.kind === 'link' ? state.version : undefined);
  opts.onStep?.('store-ready');
  const version = mkdtempSync(path.join(store, `v-${process.pid}-`));
  const link = path.join(store, `l-${path.basename(version).slice(2)}`);
  let count: number;
  try {
    chmodSync(version, 0o755); // mkdtemp makes it 0700; the output is an ordinary directory
    count = writeTree(version, files, opts);
    writeFileSync(path.join(version, MARKER), MARKER_TEXT);
    opts.onStep?.('version-written');
    symlinkSync(`${storeName(target)}/${path.basename(version)}`, link);
    opts.onStep?.('link-made');
    if (state.kind === 'empty') rmdirSync(target);
    if (state.kind === 'legacy') renameSync(target, path.join(store, `old-${path.basename(version).slice(2)}`));
    renameSync(link, target);
  } catch (e) {
    rmSync(link, { force: true });
    rmSync(version, { recursive: true, force: true });
    throw e;
  }
  opts.onStep?.('swapped');
  // The old output, then whatever killed builds left (including a version whose removal was cut short).
  if (state.kind === 'link') rmSync(path.join(store, state.version), { recursive: true, force: true });
  removeLeftovers(store, path.basename(version));
  opts.onStep?.('done');
  return count;
}

/**
 * `check --update`: writes `files` as the new content of the plain directory `dir` (created when
 * absent): a temporary directory beside it, then two renames. Not atomic (for a golden directory, which
 * is reviewed and committed, it need not be); a failure while writing leaves `dir` as it was.
 */
export function replaceDirectory(dir: string, files: Iterable<readonly [string, WriteContent]>): number {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(path.join(parent, `.${path.basename(target)}.netform-`));
  try {
    chmodSync(tmp, 0o755);
    const count = writeTree(tmp, files);
    writeFileSync(path.join(tmp, MARKER), MARKER_TEXT);
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
