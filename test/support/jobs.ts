// Which test files a run takes, and in what order its lanes get them (test/run.ts).
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Job } from './lane.ts';

export type Half = 'unit' | 'kernel' | 'all';

export interface TestFile {
  /** Relative to the repository root. */
  readonly file: string;
  /** *.kernel.test.ts: needs root, `ip`, the iptables tools and network namespaces. */
  readonly kernel: boolean;
}

/**
 * Files run in parts, each part in a job of its own (in parallel lanes): the part is given to the file
 * through an environment variable, "k/n" (k from 0), and the file keeps the share it is given.
 */
const SPLIT: Readonly<Record<string, string>> = {
  'test/e2e/examples.kernel.test.ts': 'NETFORM_E2E_PART',
};

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) {
      if (e !== 'fixtures' && e !== 'golden' && e !== 'scenarios') walk(p, out);
    } else if (e.endsWith('.test.ts')) out.push(p);
  }
}

export function selectFiles(repo: string, half: Half, filters: readonly RegExp[]): TestFile[] {
  const found: string[] = [];
  walk(path.join(repo, 'test'), found);
  return found
    .map((p) => path.relative(repo, p).split(path.sep).join('/'))
    .sort()
    .map((file) => ({ file, kernel: file.endsWith('.kernel.test.ts') }))
    .filter((f) => half === 'all' || (half === 'kernel') === f.kernel)
    .filter((f) => filters.every((r) => r.test(f.file)));
}

/** Where the last run's time per job is kept, to hand out the longest jobs first. */
const timesFile = (repo: string): string => path.join(repo, 'node_modules', '.cache', 'netform', 'test-times.json');

function lastTimes(repo: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(timesFile(repo), 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

export function recordTimes(repo: string, times: readonly (readonly [string, number])[]): void {
  const all = { ...lastTimes(repo), ...Object.fromEntries(times.map(([k, ms]) => [k, Math.round(ms)])) };
  try {
    mkdirSync(path.dirname(timesFile(repo)), { recursive: true });
    writeFileSync(timesFile(repo), `${JSON.stringify(all, null, 1)}\n`);
  } catch {
    // A read-only checkout: the next run orders its jobs without the hint.
  }
}

/**
 * One job per file, a split file cut into 2 parts per lane; longest first (by the last run's times;
 * without them, kernel files first, since they wait on the kernel and on timeouts).
 */
export function planJobs(repo: string, files: readonly TestFile[], lanes: number): Job[] {
  const jobs: Omit<Job, 'id'>[] = [];
  for (const f of files) {
    const variable = SPLIT[f.file];
    if (!variable) {
      jobs.push({ file: f.file, label: f.file, env: {} });
      continue;
    }
    const parts = Math.max(1, lanes * 2);
    for (let k = 0; k < parts; k++) jobs.push({ file: f.file, label: `${f.file} [part ${k + 1}/${parts}]`, env: { [variable]: `${k}/${parts}` } });
  }
  const times = lastTimes(repo);
  const guess = (j: Omit<Job, 'id'>): number => times[j.label] ?? (j.file.endsWith('.kernel.test.ts') ? 60_000 : 1_000);
  return jobs
    .map((j, i) => ({ j, i, t: guess(j) }))
    .sort((a, b) => b.t - a.t || a.i - b.i)
    .map(({ j }, id) => ({ ...j, id }));
}
