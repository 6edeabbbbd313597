// Running programs for the end-to-end harness. Setup steps run synchronously and throw with the
// program's stderr; anything that could hang (a lookup in a namespace) runs asynchronously under a
// hard timeout. `ip netns exec <ns> <cmd>` is the only way a command enters a namespace.
import { execFile } from 'node:child_process';
import { findExecutable } from '../../support/executables.ts';
import { runProgram } from '../../support/spawner.ts';

export interface Ran {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Absolute path of a program (PATH plus the sbin directories); throws when it is missing. */
export function tool(name: string): string {
  const p = findExecutable(name);
  if (!p) throw new Error(`\`${name}\` not found`);
  return p;
}

export interface RunOptions {
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Runs a program to completion (20 s at most). Never throws on a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Ran {
  const r = runProgram(cmd, args, { input: opts.input ?? '', env: opts.env ?? process.env, ...(opts.cwd ? { cwd: opts.cwd } : {}), timeoutMs: 20_000 });
  if (r.error) return { status: -1, stdout: r.stdout, stderr: r.error };
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** As run(), but throws with the command line and its stderr on a non-zero exit. Returns stdout. */
export function check(cmd: string, args: readonly string[], opts: RunOptions = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${[cmd, ...args].join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Runs a program asynchronously; it is killed after timeoutMs (status -1, stderr "timed out"). */
export function runAsync(cmd: string, args: readonly string[], timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      // When the timer fires as the program ends (an event loop held up on a busy machine), execFile
      // discards the output it has not read yet and still reports exit status 0: a timeout all the same.
      if (child.killed) return resolve({ status: -1, stdout, stderr: `timed out after ${timeoutMs} ms` });
      if (!err) return resolve({ status: 0, stdout, stderr });
      const status = typeof err.code === 'number' ? err.code : -1;
      resolve({ status, stdout, stderr: stderr || err.message });
    });
  });
}

/** The argument vector that runs `cmd args` inside network namespace `ns`. */
export function inNetns(ns: string, cmd: string, args: readonly string[] = []): [string, string[]] {
  return [tool('ip'), ['netns', 'exec', ns, findExecutable(cmd) ?? cmd, ...args]];
}

/** check() inside a namespace. */
export const checkIn = (ns: string, cmd: string, args: readonly string[] = [], input?: string): string => {
  const [ip, argv] = inNetns(ns, cmd, args);
  return check(ip, argv, input === undefined ? {} : { input });
};
