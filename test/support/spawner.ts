// Running a program to completion, synchronously, for the tests that run thousands of them (ip,
// iptables-save, ... in namespaces). Node's spawnSync forks this whole process for every program, which
// costs several times the program itself; here a small Python process (spawner.py), started once per
// test process, starts them instead: requests and answers go through two FIFOs, the answer read
// synchronously. The program, its arguments, input, environment and exit status are the same; only
// the process that forks it differs. Without python3 (or if the helper dies), spawnSync does it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from './executables.ts';
import { scratchDir } from './scratch.ts';

export interface Ran {
  /** null when the program was killed by a signal or could not start. */
  readonly status: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why the program could not run or was stopped (spawnSync's error message), if so. */
  readonly error?: string;
}

export interface SpawnOptions {
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly timeoutMs: number;
}

const SCRIPT = fileURLToPath(new URL('./spawner.py', import.meta.url));

/**
 * The Python that runs the test helpers: the distribution's own before one found on PATH, where a
 * version manager's shim would add a shell and its own start-up to every start.
 */
export function python(): string | undefined {
  for (const p of ['/usr/bin/python3', '/usr/local/bin/python3']) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return findExecutable('python3');
}

interface Helper {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly request: number;
  readonly response: number;
}

/** undefined: not started yet; null: not available (spawnSync is used). */
let helper: Helper | null | undefined;

function startHelper(): Helper | null {
  const py = python();
  const mkfifo = findExecutable('mkfifo');
  if (!py || !mkfifo) return null;
  const dir = scratchDir('netform-spawner');
  try {
    const request = path.join(dir, 'request');
    const response = path.join(dir, 'response');
    if (spawnSync(mkfifo, [request, response]).status !== 0) return null;
    // Opened first so that the helper's opens do not wait: the request FIFO read-write, the response
    // FIFO without waiting for a writer.
    const early = { request: openSync(request, constants.O_RDWR), response: openSync(response, constants.O_RDONLY | constants.O_NONBLOCK) };
    const child = spawn(py, ['-I', '-S', SCRIPT, request, response], { stdio: 'ignore' });
    child.unref();
    const ready = awaitReady(early.response, child.pid!);
    // Once the helper holds both ends, each FIFO is opened again as one end only: a read then waits in
    // the kernel for the answer, and ends (0 bytes) if the helper is gone; a write to it fails.
    const h = ready ? { child, pid: child.pid!, request: openSync(request, constants.O_WRONLY), response: openSync(response, constants.O_RDONLY) } : null;
    closeSync(early.request);
    closeSync(early.response);
    if (!h) child.kill('SIGKILL');
    return h;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits (30 s at most) for the helper's "ready" line; false if it did not come. */
function awaitReady(fd: number, pid: number): boolean {
  const buf = Buffer.alloc(64);
  let got = '';
  for (let waited = 0; waited < 30_000; waited += 1) {
    try {
      const n = readSync(fd, buf);
      got += buf.toString('utf8', 0, n);
      if (got === 'ready\n') return true;
      if (got.length >= 6) return false;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
    if (waited % 100 === 0 && helperGone(pid)) return false;
    Atomics.wait(sleeper, 0, 0, 1);
  }
  return false;
}

/** Whether the helper process has ended (a zombie until this process's event loop reaps it). */
function helperGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The helper's answer line; undefined when the helper ended before answering. */
function readAnswer(h: Helper): string | undefined {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    const n = readSync(h.response, buf);
    if (n === 0) return undefined;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    if (buf[n - 1] === 0x0a) return Buffer.concat(chunks).toString('utf8');
  }
}

function viaHelper(h: Helper, argv: readonly string[], opts: SpawnOptions): Ran | undefined {
  const line = Buffer.from(`${JSON.stringify({ argv, input: opts.input ?? '', env: opts.env ?? process.env, cwd: opts.cwd ?? null, timeoutMs: opts.timeoutMs })}\n`);
  try {
    for (let off = 0; off < line.length; ) off += writeSync(h.request, line, off);
  } catch {
    return undefined;
  }
  // The helper stops the program at timeoutMs, and always answers.
  const answer = readAnswer(h);
  if (answer === undefined) return undefined;
  const r = JSON.parse(answer) as Ran & { error: string | null };
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ...(r.error ? { error: r.error } : {}) };
}

function viaNode(argv: readonly string[], opts: SpawnOptions): Ran {
  const r = spawnSync(argv[0]!, argv.slice(1), { input: opts.input ?? '', env: opts.env ?? process.env, cwd: opts.cwd, encoding: 'utf8', timeout: opts.timeoutMs });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ...(r.error ? { error: r.error.message } : {}) };
}

/** Runs `cmd args` to completion and returns what it printed; never throws on a non-zero exit. */
export function runProgram(cmd: string, args: readonly string[], opts: SpawnOptions): Ran {
  if (helper === undefined) helper = startHelper();
  if (!helper) return viaNode([cmd, ...args], opts);
  const r = viaHelper(helper, [cmd, ...args], opts);
  if (r) return r;
  // The program may have run: it is not run again, and later ones go through spawnSync.
  helper = null;
  return { status: null, signal: null, stdout: '', stderr: '', error: `the spawner helper ended while running ${cmd}` };
}

/**
 * Ends the helper and waits until it is gone, so that its CPU time and its programs' is counted with
 * this process's children (test/support/lane.ts stops it after each job, before reading the CPU used).
 */
export async function stopSpawner(): Promise<void> {
  const h = helper;
  helper = undefined;
  if (!h) return;
  const gone = h.child.exitCode !== null || h.child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => h.child.once('exit', () => resolve()));
  // Held by the event loop until it is gone (it was not, so as not to keep a finished process waiting).
  h.child.ref();
  closeSync(h.request);
  closeSync(h.response);
  await gone;
}
