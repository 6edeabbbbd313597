// Scratch network namespaces for tests that need a real kernel (iptables-restore, ip link ...).
// Everything runs through `ip netns exec <name>`, so the root namespace's firewall and links are
// never touched. Typical use (test/support/skip.ts counts the skip, with its reason):
//
//   const reason = netnsUnavailable(['iptables-restore', 'iptables-save']);
//   testOrSkip(reason, 'kernel: ...', () => withNetns((ns) => { ns.run('iptables-restore', [], text); ... }));
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { findExecutable } from './executables.ts';
import { runProgram } from './spawner.ts';

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Netns {
  readonly name: string;
  /** Runs `cmd args` inside the namespace, with `input` on stdin. Never throws on a non-zero exit. */
  run(cmd: string, args?: readonly string[], input?: string): RunResult;
  /** As run(), but throws with the command's stderr when it exits non-zero. Returns stdout. */
  check(cmd: string, args?: readonly string[], input?: string): string;
  /**
   * Runs the commands one after another in one shell in the namespace (one process start, not one
   * per command; `input` goes to the first) and returns each one's stdout. Throws with the stderr of
   * the first that fails; the rest do not run.
   */
  checkAll(commands: readonly (readonly string[])[], input?: string): string[];
}

export { findExecutable } from './executables.ts';

function spawn(cmd: string, args: readonly string[], input?: string): RunResult {
  const r = runProgram(cmd, args, { input: input ?? '', timeoutMs: 30_000 });
  if (r.error) return { status: -1, stdout: '', stderr: r.error };
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let probed: string | undefined | null = null;

/** What the kernel half of the suite needs besides root and namespaces. */
export const KERNEL_TOOLS = ['iptables', 'iptables-restore', 'iptables-save', 'ip6tables', 'ip6tables-restore', 'ip6tables-save'] as const;

/** Every reason the kernel half cannot run here, joined (undefined when it can). */
export function kernelUnavailable(tools: readonly string[]): string | undefined {
  const missing = ['ip', ...tools].filter((t) => !findExecutable(t)).map((t) => `no \`${t}\``);
  const notRoot = typeof process.getuid === 'function' && process.getuid() !== 0;
  const problems = [...(notRoot ? ['not root'] : []), ...missing];
  if (problems.length) return problems.join(', ');
  return netnsUnavailable(tools);
}

/**
 * Why scratch namespaces cannot be used here (not root, `ip` or one of `tools` missing, netns
 * creation refused), or undefined when they can.
 */
export function netnsUnavailable(tools: readonly string[] = []): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root';
  const ip = findExecutable('ip');
  if (!ip) return '`ip` (iproute2) not found';
  for (const t of tools) if (!findExecutable(t)) return `\`${t}\` not found`;
  if (probed === null) {
    // One real attempt, so that a container without CAP_SYS_ADMIN is reported rather than failing later.
    const name = scratchName('netform-probe');
    const add = spawn(ip, ['netns', 'add', name]);
    probed = add.status === 0 ? undefined : `cannot create a network namespace: ${add.stderr.trim()}`;
    if (add.status === 0) spawn(ip, ['netns', 'del', name]);
  }
  return probed;
}

const scratchName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

const shellQuote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/** A shell script running `commands` in order (set -e), each followed by a line holding `marker`. */
function script(commands: readonly (readonly string[])[], marker: string): string {
  const lines = commands.map(([cmd, ...args], i) => {
    const argv = [findExecutable(cmd!) ?? cmd!, ...args].map(shellQuote).join(' ');
    return `${argv}${i === 0 ? '' : ' </dev/null'}\nprintf '\\n%s\\n' '${marker}'`;
  });
  return `set -e\n${lines.join('\n')}\n`;
}

/** Creates a fresh namespace, runs fn in it, and always deletes the namespace afterwards. */
export async function withNetns<T>(fn: (ns: Netns) => T | Promise<T>, prefix = 'netform-t'): Promise<T> {
  const ip = findExecutable('ip');
  if (!ip) throw new Error('`ip` (iproute2) not found');
  const name = scratchName(prefix);
  const add = spawn(ip, ['netns', 'add', name]);
  if (add.status !== 0) throw new Error(`ip netns add ${name}: ${add.stderr.trim()}`);
  const run = (cmd: string, args: readonly string[] = [], input?: string): RunResult =>
    spawn(ip, ['netns', 'exec', name, findExecutable(cmd) ?? cmd, ...args], input);
  const check = (cmd: string, args: readonly string[] = [], input?: string): string => {
    const r = run(cmd, args, input);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (netns ${name}) exited ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const checkAll = (commands: readonly (readonly string[])[], input?: string): string[] => {
    const marker = `--netform-${randomBytes(8).toString('hex')}--`;
    const r = run('sh', ['-c', script(commands, marker)], input);
    const outputs = r.stdout.split(`\n${marker}\n`);
    if (r.status !== 0) {
      const failed = commands[outputs.length - 1] ?? [];
      throw new Error(`${failed.join(' ')} (netns ${name}) exited ${r.status}: ${r.stderr.trim()}`);
    }
    if (outputs.length !== commands.length + 1) throw new Error(`netns ${name}: ${commands.length} commands, ${outputs.length - 1} outputs`);
    return outputs.slice(0, -1);
  };
  const ns: Netns = { name, run, check, checkAll };
  try {
    return await fn(ns);
  } finally {
    const del = spawn(ip, ['netns', 'del', name]);
    if (del.status !== 0) console.error(`warning: ip netns del ${name}: ${del.stderr.trim()}`);
  }
}

/**
 * Runs `commands` (as Netns.checkAll) in a network namespace of their own, made for them and gone when
 * they end: with util-linux's `unshare --net`, one process start where withNetns takes three (ip netns
 * add, ip netns exec, ip netns del), and no waiting in this process meanwhile, so that several can run
 * at once. Without `unshare`, through withNetns. Rejects with the stderr of the first command that fails.
 */
export function checkAllInFreshNetns(commands: readonly (readonly string[])[], input?: string): Promise<string[]> {
  const unshare = findExecutable('unshare');
  if (!unshare) return withNetns((ns) => ns.checkAll(commands, input));
  const marker = `--netform-${randomBytes(8).toString('hex')}--`;
  return new Promise((resolve, reject) => {
    const child = execFile(unshare, ['--net', findExecutable('sh') ?? 'sh', '-c', script(commands, marker)], { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const outputs = stdout.split(`\n${marker}\n`);
      if (err) {
        const failed = commands[outputs.length - 1] ?? [];
        return reject(new Error(`${failed.join(' ')} (unshare --net) exited ${err.code ?? err.signal}: ${stderr.trim()}`));
      }
      if (outputs.length !== commands.length + 1) return reject(new Error(`unshare --net: ${commands.length} commands, ${outputs.length - 1} outputs`));
      resolve(outputs.slice(0, -1));
    });
    child.stdin?.end(input ?? '');
  });
}

/**
 * Starts `work` for every item at once, at most `limit` running at a time, and returns one promise per
 * item, in order. A test file gives each of its tests its item's promise: the kernel's work for the
 * later tests goes on while the earlier ones are judged. A rejection is kept for its test to see.
 */
export function startAll<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R>[] {
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = (): Promise<void> => (running < limit ? (running++, Promise.resolve()) : new Promise((r) => waiting.push(r)));
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return items.map((item) => {
    const p = slot().then(() => work(item).finally(release));
    p.catch(() => undefined);
    return p;
  });
}
