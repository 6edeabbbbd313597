// One lane of test/run.ts: a process that runs the jobs it is sent (a test file, or a few files that
// share a set-up made once per process), one at a time, and answers each with what happened. Messages over the IPC channel: run.ts sends a Job, or 'stop'; the lane
// sends 'ready' once, then a JobResult per job. A job's file is imported under a URL of its own, so the
// same file can run again in the same lane as another part (the e2e suite is cut into parts by an
// environment variable the job sets).
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { cpuSoFar } from './cpu.ts';

export interface Job {
  readonly id: number;
  /** Paths of the test files, relative to the repository root, run in this order in this lane. */
  readonly files: readonly string[];
  /** The file name, with the part when the file runs in parts; the names, joined, for several files. */
  readonly label: string;
  /** Environment variables set while the job is loaded and run. */
  readonly env: Readonly<Record<string, string>>;
}

export interface JobSkip {
  readonly name: string;
  readonly reason: string;
  readonly check: boolean;
}

export interface JobResult {
  readonly id: number;
  readonly passed: number;
  readonly failed: number;
  /** Tests registered as skipped (uvu's count) plus checks skipped inside tests that ran. */
  readonly skipped: number;
  readonly skips: readonly JobSkip[];
  /** The file could not be loaded (it then counts as one failed test). */
  readonly importError?: string;
  readonly output: string;
  readonly ms: number;
  /** CPU time (user + system) of the lane and of the child processes it waited for, during the job. */
  readonly cpuMs: number;
}

type SuiteRun = () => Promise<[unknown, number, number, number]>;
type Queue = [string | null, ...SuiteRun[]][];
const g = globalThis as unknown as { UVU_DEFER?: number; UVU_QUEUE: Queue; UVU_INDEX?: number };

// uvu reads UVU_DEFER when it loads: test.run() then queues a file's tests instead of running them.
g.UVU_DEFER = 1;
const { exec } = await import('uvu');
const { skipState } = await import('./skip.ts');
const { stopSpawner } = await import('./spawner.ts');

/** Collects what the job writes to stdout and stderr (uvu's report, console.log) while it runs. */
function capture(): { stop: () => string } {
  let text = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const grab = (chunk: unknown): boolean => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    return true;
  };
  process.stdout.write = grab as typeof process.stdout.write;
  process.stderr.write = grab as typeof process.stderr.write;
  return {
    stop: () => {
      process.stdout.write = out;
      process.stderr.write = err;
      return text;
    },
  };
}

type Counts = { passed: number; failed: number; skipped: number };

/** Loads one test file and runs its suites, adding to counts; returns why it could not be loaded or run. */
async function runFile(file: string, job: Job, counts: Counts): Promise<string | undefined> {
  try {
    g.UVU_QUEUE = [[job.files.length > 1 ? file : job.label]];
    g.UVU_INDEX = 0;
    await import(`${pathToFileURL(file).href}?job=${job.id}`);
    const group = g.UVU_QUEUE[0]!;
    for (let i = 1; i < group.length; i++) {
      const run = group[i] as SuiteRun;
      group[i] = async () => {
        const r = await run();
        const [, passed, skipped, total] = r;
        counts.passed += passed;
        counts.failed += total - passed;
        counts.skipped += skipped;
        return r;
      };
    }
    const before = counts.passed + counts.failed + counts.skipped;
    await exec();
    // A job of one file that ran nothing is reported by test/run.ts; here, one file of several.
    if (job.files.length > 1 && counts.passed + counts.failed + counts.skipped === before) return `${file} ran no test (does it call test.run()?)`;
    return undefined;
  } catch (e) {
    const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    console.log(error);
    return error;
  }
}

async function runJob(job: Job): Promise<JobResult> {
  const started = performance.now();
  const cpuStart = cpuSoFar();
  const skips = skipState();
  skips.file = job.label;
  const firstRecord = skips.records.length;
  const saved = Object.keys(job.env).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, job.env);
  const out = capture();
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const importErrors: string[] = [];
  try {
    for (const file of job.files) {
      const error = await runFile(file, job, counts);
      if (error) importErrors.push(error);
    }
  } finally {
    // The job's programs were started by the spawner: it ends now, so its CPU is this job's.
    await stopSpawner();
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const importError = importErrors.length ? importErrors.join('\n') : undefined;
  const output = out.stop();
  const records = skips.records.slice(firstRecord);
  const checks = records.filter((r) => r.check).length;
  return {
    id: job.id,
    passed: counts.passed,
    failed: counts.failed + importErrors.length,
    skipped: counts.skipped + checks,
    skips: records.map(({ name, reason, check }) => ({ name, reason, check })),
    ...(importError ? { importError } : {}),
    output,
    ms: performance.now() - started,
    cpuMs: cpuSoFar() - cpuStart,
  };
}

if (!process.send) throw new Error('test/support/lane.ts is started by test/run.ts (it needs an IPC channel)');
const queue: Job[] = [];
let busy = false;
process.on('message', (msg: Job | 'stop') => {
  if (msg === 'stop') {
    process.disconnect();
    // Anything a test left running (a timer, a child) must not keep the run waiting.
    setTimeout(() => process.exit(0), 2000).unref();
    return;
  }
  queue.push(msg);
  void drain();
});
async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  for (let job = queue.shift(); job; job = queue.shift()) process.send!(await runJob(job));
  busy = false;
}
process.send('ready');
