// One lane of test/run.ts: a process that runs the test files it is sent, one at a time, and answers
// each with what happened. Messages over the IPC channel: run.ts sends a Job, or 'stop'; the lane
// sends 'ready' once, then a JobResult per job. A job's file is imported under a URL of its own, so the
// same file can run again in the same lane as another part (the e2e suite is cut into parts by an
// environment variable the job sets).
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

export interface Job {
  readonly id: number;
  /** Path of the test file, relative to the repository root (also its label). */
  readonly file: string;
  /** Shown instead of the file name when the file runs in parts. */
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
}

type SuiteRun = () => Promise<[unknown, number, number, number]>;
type Queue = [string | null, ...SuiteRun[]][];
const g = globalThis as unknown as { UVU_DEFER?: number; UVU_QUEUE: Queue; UVU_INDEX?: number };

// uvu reads UVU_DEFER when it loads: test.run() then queues a file's tests instead of running them.
g.UVU_DEFER = 1;
const { exec } = await import('uvu');
const { skipState } = await import('./skip.ts');

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

async function runJob(job: Job): Promise<JobResult> {
  const started = performance.now();
  const skips = skipState();
  skips.file = job.label;
  const firstRecord = skips.records.length;
  const saved = Object.keys(job.env).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, job.env);
  const out = capture();
  const counts = { passed: 0, failed: 0, skipped: 0 };
  let importError: string | undefined;
  try {
    g.UVU_QUEUE = [[job.label]];
    g.UVU_INDEX = 0;
    await import(`${pathToFileURL(job.file).href}?job=${job.id}`);
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
    await exec();
  } catch (e) {
    importError = e instanceof Error ? (e.stack ?? e.message) : String(e);
    console.log(importError);
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const output = out.stop();
  const records = skips.records.slice(firstRecord);
  const checks = records.filter((r) => r.check).length;
  return {
    id: job.id,
    passed: counts.passed,
    failed: counts.failed + (importError ? 1 : 0),
    skipped: counts.skipped + checks,
    skips: records.map(({ name, reason, check }) => ({ name, reason, check })),
    ...(importError ? { importError } : {}),
    output,
    ms: performance.now() - started,
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
