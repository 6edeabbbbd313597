// The test runner: `node --import tsx test/run.ts [unit|kernel|all] [--lanes N] [REGEX...]`.
// Runs test/**/*.test.ts in parallel lanes (test/support/lane.ts, one process each, files pulled one at
// a time, longest first) and ends with the line CI reads: "N passed, N failed, N skipped".
// - unit: every file but *.kernel.test.ts; kernel: only those (namespaces, iptables, the e2e suite);
//   all (the default): both. REGEX narrows the files (matched against their path).
// - A skip is counted as a skip, with its reason, never as a pass. When the kernel half is selected but
//   cannot run here (not root, no `ip`, no iptables tools, no namespaces), that is said loudly, on stderr
//   and in the summary.
// - Exits non-zero when a test failed, a file did not load, a lane died, or no test passed at all.
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpuSoFar } from './support/cpu.ts';
import type { Job, JobResult } from './support/lane.ts';
import { KERNEL_TOOLS, kernelUnavailable } from './support/netns.ts';
import { planJobs, recordTimes, selectFiles, type Half } from './support/jobs.ts';
import { tracerTallyLine } from './support/tracer-tally.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const LANE = path.join(REPO, 'test', 'support', 'lane.ts');
/** A job that runs longer than this is stopped and counted as failed (a hung probe, a lost child). */
const JOB_TIMEOUT_MS = 10 * 60_000;

interface Options {
  readonly half: Half;
  readonly lanes: number;
  readonly filters: readonly RegExp[];
}

function parseArgs(argv: readonly string[]): Options {
  let half: Half = 'all';
  // Two lanes per core: the kernel half waits on the kernel and on probe timeouts a good part of the
  // time. At most eight: every e2e part runs namespaces, links and agents side by side with the rest.
  let lanes = Math.min(8, Math.max(2, availableParallelism() * 2));
  const filters: RegExp[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === 'unit' || a === 'kernel' || a === 'all') half = a;
    else if (a === '--lanes') lanes = Number(argv[++i]);
    else filters.push(new RegExp(a));
  }
  if (!Number.isInteger(lanes) || lanes < 1) throw new Error('--lanes wants a whole number >= 1');
  return { half, lanes, filters };
}

interface Outcome {
  readonly job: Job;
  readonly result: JobResult;
}

/** Runs the jobs on `lanes` lane processes; a lane that dies fails its job and is replaced. */
function runJobs(jobs: readonly Job[], lanes: number, onDone: (o: Outcome) => void): Promise<void> {
  const pending = [...jobs];
  let running = 0;
  return new Promise((resolve) => {
    const start = (): void => {
      running++;
      const lane: ChildProcess = fork(LANE, [], { cwd: REPO, execArgv: ['--import', 'tsx'], env: { ...process.env, NETFORM_TEST_LANE: '1' } });
      let current: Job | undefined;
      let timer: NodeJS.Timeout | undefined;
      const next = (): void => {
        current = pending.shift();
        clearTimeout(timer);
        if (!current) {
          lane.send('stop');
          return;
        }
        timer = setTimeout(() => lane.kill('SIGKILL'), JOB_TIMEOUT_MS);
        lane.send(current);
      };
      lane.on('message', (msg: 'ready' | JobResult) => {
        if (msg !== 'ready' && current) onDone({ job: current, result: msg });
        next();
      });
      lane.on('exit', (code, signal) => {
        clearTimeout(timer);
        running--;
        if (current) {
          const why = signal === 'SIGKILL' ? `stopped after ${JOB_TIMEOUT_MS / 1000} s` : `its lane exited (${signal ?? `code ${code}`})`;
          onDone({ job: current, result: { id: current.id, passed: 0, failed: 1, skipped: 0, skips: [], importError: why, output: `${why}\n`, ms: 0, cpuMs: 0 } });
          current = undefined;
          if (pending.length) start();
        }
        if (running === 0) {
          // Every lane died before taking these: they did not run, which is a failure.
          for (const job of pending.splice(0)) onDone({ job, result: { id: job.id, passed: 0, failed: 1, skipped: 0, skips: [], importError: 'not run: no lane was left', output: '', ms: 0, cpuMs: 0 } });
          resolve();
        }
      });
    };
    for (let i = 0; i < Math.min(lanes, jobs.length); i++) start();
    if (jobs.length === 0) resolve();
  });
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** What the run cost and under what load (other work on the machine stretches the wall time). */
function costLine(outcomes: readonly Outcome[], wallMs: number, lanes: number, loadAtStart: number): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const jobsCpu = outcomes.reduce((n, o) => n + o.result.cpuMs, 0);
  const load = `load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end, on ${plural(availableParallelism(), 'core')}`;
  return `── summary: ${plural(outcomes.length, 'job')} on ${plural(Math.min(lanes, outcomes.length), 'lane')}, wall time ${s(wallMs)}; cpu ${s(cpuSoFar())} in all, ${s(jobsCpu)} in the jobs; ${load}`;
}

function summary(outcomes: readonly Outcome[], kernelNote: string, cost: string): string[] {
  const lines = [cost, kernelNote];
  const byReason = new Map<string, string[]>();
  for (const { job, result } of outcomes) {
    const reasons = result.skips.map((s) => [s.reason, `${s.check ? 'check ' : ''}${s.name}`] as const);
    const unexplained = result.skipped - result.skips.length;
    for (let i = 0; i < unexplained; i++) reasons.push(['(skipped with uvu test.skip, no reason given)', job.label]);
    for (const [reason, name] of reasons) byReason.set(reason, [...(byReason.get(reason) ?? []), name]);
  }
  for (const [reason, names] of byReason) {
    const shown = names.length > 4 ? `${names.slice(0, 3).join('; ')}; and ${names.length - 3} more` : names.join('; ');
    lines.push(`SKIPPED ${names.length}: ${reason}\n    ${shown}`);
  }
  for (const { job, result } of outcomes) {
    if (result.failed) lines.push(`FAILED ${job.label}: ${result.importError ? `did not run: ${result.importError.split('\n')[0]}` : plural(result.failed, 'test')}`);
    else if (result.passed + result.skipped === 0) lines.push(`FAILED ${job.label}: ran no test (does it call test.run()?)`);
  }
  const tally = tracerTallyLine(outcomes.map((o) => o.result.output));
  if (tally) lines.push(tally);
  return lines;
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  const opts = parseArgs(process.argv.slice(2));
  const files = selectFiles(REPO, opts.half, opts.filters);
  const hasKernel = files.some((f) => f.kernel);
  const why = hasKernel ? kernelUnavailable(KERNEL_TOOLS) : undefined;
  const kernelNote = !hasKernel
    ? `kernel half: not selected (npm run test:kernel runs it)`
    : why
      ? `KERNEL HALF DID NOT RUN: ${why}; every kernel and e2e test is counted as skipped`
      : 'kernel half: ran (root, ip and the iptables tools are here)';
  if (why) console.error(`\n*** ${kernelNote} ***\n`);
  const jobs = planJobs(REPO, files, opts.lanes);
  const outcomes: Outcome[] = [];
  await runJobs(jobs, opts.lanes, (o) => {
    outcomes.push(o);
    process.stdout.write(`\n── ${o.job.label} (${(o.result.ms / 1000).toFixed(1)} s, cpu ${(o.result.cpuMs / 1000).toFixed(1)} s)\n${o.result.output.replace(/\n*$/, '\n')}`);
  });
  recordTimes(REPO, outcomes.map((o) => [o.job.label, o.result.ms] as const));
  const total = (k: 'passed' | 'failed' | 'skipped'): number => outcomes.reduce((n, o) => n + o.result[k], 0);
  const failed = total('failed') + outcomes.filter((o) => o.result.passed + o.result.failed + o.result.skipped === 0).length;
  const passed = total('passed');
  console.log(`\n${summary(outcomes, kernelNote, costLine(outcomes, performance.now() - started, opts.lanes, loadAtStart)).join('\n')}`);
  if (why) console.error(`\n*** ${kernelNote} ***`);
  if (passed === 0) console.error('test/run.ts: no test passed');
  console.log(`\n${passed} passed, ${failed} failed, ${total('skipped')} skipped`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

await main();
