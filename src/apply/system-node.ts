// The System of a real machine: programs run with spawn (host-side ones under `ip netns exec
// NETFORM_HOST_NETNS`, or `ip -n` for ip itself), files through node:fs. The lock is a kernel flock held
// by a child `flock` process until released or until this process dies: a SIGKILL of apply closes the
// child's input, its command ends, and so does the lock.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Ran, RunOptions, System } from './system.ts';

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];
const ENV = { ...process.env, PATH: [process.env['PATH'] ?? '/usr/bin:/bin', ...SBIN].join(':'), LC_ALL: 'C' };

/** `argv` as run in the host namespace `hostNetns` (ip enters it with -n, anything else with ip netns exec). */
function placed(argv: readonly string[], options: RunOptions, hostNetns: string | undefined): string[] {
  if (options.where === 'current' || !hostNetns) return [...argv];
  if (argv[0] === 'ip') return ['ip', '-n', hostNetns, ...argv.slice(1)];
  return ['ip', 'netns', 'exec', hostNetns, ...argv];
}

function runSync(argv: readonly string[], input: string | undefined): Ran {
  const r = spawnSync(argv[0]!, argv.slice(1), { input: input ?? '', env: ENV, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) return { status: 127, stdout: '', stderr: `${argv[0]}: ${r.error.message}` };
  return { status: r.status ?? 128 + 9, stdout: r.stdout, stderr: r.stderr };
}

function runAsync(argv: readonly string[], input: string | undefined): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => resolve({ status: 127, stdout, stderr: `${argv[0]}: ${e.message}` }));
    child.on('close', (code, signal) => resolve({ status: code ?? (signal ? 128 + 9 : 1), stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** A real machine's System; host-side programs run in `hostNetns` when it is given. */
export function nodeSystem(hostNetns?: string): System {
  return {
    pid: process.pid,
    run: (argv, options) => runSync(placed(argv, options, hostNetns), options.input),
    async runAll(jobs, parallel) {
      const results: Ran[] = new Array(jobs.length);
      let next = 0;
      const lane = async () => {
        while (next < jobs.length) {
          const i = next++;
          const j = jobs[i]!;
          results[i] = await runAsync(placed(j.argv, j.options, hostNetns), j.options.input);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, jobs.length)) }, lane));
      return results;
    },
    listNetns: () => (existsSync('/run/netns') ? readdirSync('/run/netns').sort() : []),
    readFile(file) {
      try {
        return readFileSync(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
        throw e;
      }
    },
    writeFileAtomic(file, text, mode = 0o644) {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = path.join(path.dirname(file), `.${path.basename(file)}.netform-${process.pid}`);
      writeFileSync(tmp, text, { mode });
      renameSync(tmp, file);
    },
    removeFile(file) {
      if (!existsSync(file)) return false;
      rmSync(file, { force: true });
      return true;
    },
    makeDir(dir) {
      try {
        mkdirSync(dir);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e;
      }
    },
    removeDir(dir) {
      try {
        rmdirSync(dir);
        return true;
      } catch {
        return false;
      }
    },
    makeDirs: (dir) => void mkdirSync(dir, { recursive: true }),
    listDir: (dir) => (existsSync(dir) ? readdirSync(dir).sort() : undefined),
    lock: (file, onWait) => flockHold(file, onWait),
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

/**
 * Holds `flock -x file` in a child whose standard input is this process: the child prints a line once it
 * has the lock and keeps it until its input closes (release, or this process dying). When the lock is
 * not free at once, `onWait` hears about it.
 */
function flockHold(file: string, onWait: (holder: string) => void): Promise<() => void> {
  mkdirSync(path.dirname(file), { recursive: true });
  return new Promise((resolve, reject) => {
    // Not locked within 200 ms: someone else holds it.
    const waiting = setTimeout(() => onWait(readHolder(file)), 200);
    // -o: the command does not keep the lock's descriptor, so killing flock alone releases the lock.
    const child = spawn('flock', ['-o', '-x', file, 'sh', '-c', `echo ${process.pid} > ${shellWord(file)}.holder; echo locked; exec cat >/dev/null`], {
      env: ENV,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let done = false;
    child.on('error', (e) => {
      clearTimeout(waiting);
      reject(new Error(`cannot take the lock ${file}: ${e.message}`));
    });
    child.on('exit', (code) => {
      if (!done) reject(new Error(`cannot take the lock ${file}: flock exited ${code}`));
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (done || !d.includes('locked')) return;
      done = true;
      clearTimeout(waiting);
      // Released at once, without waiting for the event loop (a caller may block in a synchronous
      // call right after): flock is killed, which closes the lock; its `cat` ends with our pipe.
      resolve(() => {
        rmSync(`${file}.holder`, { force: true });
        if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
        child.stdin.destroy();
      });
    });
  });
}

function readHolder(file: string): string {
  try {
    return `process ${readFileSync(`${file}.holder`, 'utf8').trim()}`;
  } catch {
    return 'another process';
  }
}

/** A file name as one shell word. */
const shellWord = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
