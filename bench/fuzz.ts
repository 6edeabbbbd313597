// The long fuzz run: the suite's property (test/support/fuzz.ts) over many more inputs, in parallel
// worker processes, plus the command line on a sample: `build -o` of an input that fails must leave
// nothing behind (no output folder, no temporary tree), one that succeeds must leave exactly the folder.
//
//   node --import tsx bench/fuzz.ts [--count N] [--seed S] [--workers W] [--cli-every K] [--hang-ms MS]
//
// --count: inputs in all (default 100000; half generated, half mutated examples); --seed: the first
// seed (each worker takes seed + its index); --cli-every: one input in K also goes through `build -o`
// in-process (default 50); --hang-ms: a compile slower than this is a hang (default 10000). Prints the
// figures (inputs, crashes, hangs, bad outputs, bad diagnostics, CLI builds, writes on failure) and the
// first findings with their inputs; exits 1 when anything was found.
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.ts';
import { check, examples, generated, mutated, random, type Finding, type Input } from '../test/support/fuzz.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Options {
  count: number;
  seed: number;
  workers: number;
  cliEvery: number;
  hangMs: number;
}

interface Tally {
  inputs: number;
  crashes: number;
  hangs: number;
  badOutputs: number;
  badDiagnostics: number;
  cliBuilds: number;
  cliFailed: number;
  writesOnFailure: number;
  slowestMs: number;
  findings: Finding[];
}

function options(argv: string[]): Options {
  const o: Options = { count: 100_000, seed: 1, workers: Math.max(1, Math.min(4, os.availableParallelism())), cliEvery: 50, hangMs: 10_000 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]!.replace(/^--/, '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as keyof Options;
    if (!(key in o) || !Number.isFinite(Number(argv[i + 1]))) throw new Error(`unknown option or bad value: ${argv[i]} ${argv[i + 1]}`);
    o[key] = Number(argv[i + 1]);
  }
  return o;
}

/** `build -o` in-process: on failure nothing may be left in its folder, on success only the output. */
async function cliBuild(input: Input, scratch: string, t: Tally): Promise<void> {
  const dir = mkdtempSync(path.join(scratch, 'b-'));
  try {
    // Written beside the output, never among the examples: the files an example names are then missing,
    // which is one more way for a build to fail.
    const file = path.join(scratch, `${path.basename(dir)}.yaml`);
    writeFileSync(file, input.text);
    try {
      const out = path.join(dir, 'out');
      const code = await main(['build', file, '-o', out, '--secrets', path.join(REPO, 'test', 'fixtures', 'secrets', 'test-keys.yaml')], { out: () => {}, err: () => {}, env: {}, stderrIsTTY: false });
      t.cliBuilds++;
      const left = readdirSync(dir);
      if (code !== 0) {
        t.cliFailed++;
        if (left.length > 0) {
          t.writesOnFailure++;
          t.findings.push({ kind: 'bad-output', detail: `build failed (exit ${code}) and left ${left.join(', ')}`, input: input.text });
        }
      } else if (left.some((f) => f !== 'out' && f !== '.out.netform')) {
        t.findings.push({ kind: 'bad-output', detail: `build left ${left.join(', ')}`, input: input.text });
      }
    } finally {
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function worker(o: Options, index: number, count: number): Promise<Tally> {
  const r = random(o.seed + index);
  const inputs = examples(REPO);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'netform-fuzz-'));
  const t: Tally = { inputs: 0, crashes: 0, hangs: 0, badOutputs: 0, badDiagnostics: 0, cliBuilds: 0, cliFailed: 0, writesOnFailure: 0, slowestMs: 0, findings: [] };
  try {
    for (let i = 0; i < count; i++) {
      const input: Input = i % 2 === 0 ? { text: generated(r) } : mutated(r, inputs);
      const t0 = performance.now();
      const found = check(input, o.hangMs);
      t.slowestMs = Math.max(t.slowestMs, performance.now() - t0);
      t.inputs++;
      for (const f of found) {
        if (f.kind === 'crash') t.crashes++;
        else if (f.kind === 'hang') t.hangs++;
        else if (f.kind === 'bad-output') t.badOutputs++;
        else t.badDiagnostics++;
        if (t.findings.length < 20) t.findings.push(f);
        process.send!({ finding: { ...f, detail: `input ${i} of worker ${index}: ${f.detail}` } });
      }
      if (t.inputs % 1000 === 0) process.send!({ progress: { ...t, findings: [] } });
      // Generated and mutated inputs in turn.
      if (i % o.cliEvery === Math.floor(i / o.cliEvery) % 2) await cliBuild(input, scratch, t);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return t;
}

const partial = new Map<number, Tally>();

/** The figures so far, on stderr: a long run that is stopped still says what it saw. */
function progress(worker: number, t: Tally): void {
  partial.set(worker, t);
  const all = [...partial.values()];
  const sum = (k: 'inputs' | 'crashes' | 'hangs' | 'badOutputs' | 'badDiagnostics' | 'cliBuilds' | 'writesOnFailure') => all.reduce((a, x) => a + x[k], 0);
  process.stderr.write(`progress: inputs ${sum('inputs')} crashes ${sum('crashes')} hangs ${sum('hangs')} bad-outputs ${sum('badOutputs')} bad-diagnostics ${sum('badDiagnostics')} cli-builds ${sum('cliBuilds')} writes-on-failure ${sum('writesOnFailure')}\n`);
}

async function parent(o: Options): Promise<number> {
  const started = performance.now();
  const per = Math.ceil(o.count / o.workers);
  const tallies = await Promise.all(
    Array.from({ length: o.workers }, (_, w) => new Promise<Tally>((resolve, reject) => {
      const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, FUZZ_WORKER: JSON.stringify({ o, index: w, count: Math.min(per, o.count - w * per) }) } });
      child.on('message', (m) => {
        const found = (m as { finding?: Finding }).finding;
        if (found) process.stderr.write(`finding: ${found.kind}: ${found.detail.split('\n')[0]}\n${JSON.stringify(found.input)}\n`);
        else if ((m as { progress?: Tally }).progress) progress(w, (m as { progress: Tally }).progress);
        else resolve(m as Tally);
      });
      child.on('exit', (code) => (code ? reject(new Error(`worker ${w} exited ${code}`)) : undefined));
    })),
  );
  const sum = (k: keyof Omit<Tally, 'findings' | 'slowestMs'>) => tallies.reduce((a, t) => a + t[k], 0);
  const figures = {
    seed: o.seed,
    workers: o.workers,
    inputs: sum('inputs'),
    crashes: sum('crashes'),
    hangs: sum('hangs'),
    badOutputs: sum('badOutputs'),
    badDiagnostics: sum('badDiagnostics'),
    cliBuilds: sum('cliBuilds'),
    cliBuildsFailed: sum('cliFailed'),
    writesOnFailure: sum('writesOnFailure'),
    slowestCompileMs: Math.round(Math.max(...tallies.map((t) => t.slowestMs))),
    seconds: Math.round((performance.now() - started) / 1000),
  };
  console.log(JSON.stringify(figures, null, 2));
  const findings = tallies.flatMap((t) => t.findings).slice(0, 10);
  for (const f of findings) console.log(`\n== ${f.kind}: ${f.detail}\n${f.input}`);
  return findings.length > 0 ? 1 : 0;
}

const job = process.env['FUZZ_WORKER'];
if (job) {
  const { o, index, count } = JSON.parse(job) as { o: Options; index: number; count: number };
  const t = await worker(o, index, count);
  process.send!(t, () => process.exit(0));
} else {
  process.exitCode = await parent(options(process.argv.slice(2)));
}
