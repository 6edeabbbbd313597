// Running a plan's steps in order, each written to the journal before it runs; on the first failure
// every step begun is undone, last first (ip batches run their undo with -force: a line whose work was
// never done fails harmlessly), so the host is back as it was before the apply: link for link, file
// for file, and each committed firewall table as it was saved (firewall/applier.ts rollback).
import { availableParallelism } from 'node:os';
import type { FirewallApplier, LiveFirewall } from './firewall/applier.ts';
import type { Journal, JournalEntry, StateDir } from './journal.ts';
import type { IpBatch, Step, SysctlWrite } from './plan-types.ts';
import { safeWord } from './read.ts';
import type { System } from './system.ts';
import type { Target } from './types.ts';

/** The program and options that run a batch where it belongs. */
function ipArgs(b: IpBatch, force: boolean): { argv: string[]; options: { where: 'host' | 'current' } } {
  const where = b.where;
  if (b.program === 'iptables-restore') {
    if (typeof where !== 'object') throw new Error('iptables-restore batches run inside a namespace of netform\'s');
    return { argv: ['ip', 'netns', 'exec', safeWord(where.netns), 'iptables-restore'], options: { where: 'current' } };
  }
  const program = b.program ?? 'ip';
  const f = force ? ['-force'] : [];
  if (where === 'current') return { argv: [program, ...f, '-batch', '-'], options: { where: 'current' } };
  if (where === 'host') return { argv: [program, ...f, '-batch', '-'], options: { where: 'host' } };
  return { argv: [program, '-n', safeWord(where.netns), ...f, '-batch', '-'], options: { where: 'current' } };
}

const whereText = (w: IpBatch['where']) => (w === 'current' ? 'this namespace' : w === 'host' ? 'the host namespace' : w.netns);

function runBatch(system: System, b: IpBatch): string | undefined {
  if (!b.lines.length) return undefined;
  const { argv, options } = ipArgs(b, false);
  const r = system.run(argv, { ...options, input: `${b.lines.join('\n')}\n` });
  return r.status === 0 ? undefined : `${b.program ?? 'ip -batch'} in ${whereText(b.where)} failed: ${r.stderr.trim()}`;
}

async function runUndo(system: System, batches: readonly IpBatch[]): Promise<void> {
  for (const b of batches) {
    if (!b.lines.length) continue;
    const { argv, options } = ipArgs(b, true);
    system.run(argv, { ...options, input: `${b.lines.join('\n')}\n` });
  }
}

function writeSysctls(system: System, set: readonly SysctlWrite[]): string | undefined {
  if (!set.length) return undefined;
  const script = set
    .map((s) => {
      const file = `/proc/sys/${safeWord(s.path)}`;
      return s.optional ? `if [ -e ${file} ]; then echo ${safeWord(s.value)} > ${file}; fi` : `echo ${safeWord(s.value)} > ${file}`;
    })
    .join('\n');
  const r = system.run(['sh', '-ec', script], { where: 'host' });
  return r.status === 0 ? undefined : `setting sysctls failed: ${r.stderr.trim()}`;
}

/** The host's links of these names that are still there. */
function present(system: System, links: readonly string[]): string[] {
  const r = system.run(['ip', '-o', 'link', 'show'], { where: 'host' });
  const names = new Set(r.stdout.split('\n').map((l) => l.split(': ')[1]?.replace(/@.*$/, '')));
  return links.filter((l) => names.has(l));
}

/**
 * Waits for the veths of deleted namespaces to go (the kernel destroys a namespace in the background);
 * after 2 s, those left belong to a namespace a process still holds (a container not stopped): they
 * are deleted from the host side, and waited for again.
 */
async function waitGone(system: System, links: readonly string[]): Promise<string | undefined> {
  let left = [...links];
  for (const [limit, thenDelete] of [[2_000, true], [10_000, false]] as const) {
    const deadline = system.now() + limit;
    while ((left = present(system, left)).length && system.now() < deadline) await system.sleep(50);
    if (!left.length) return undefined;
    if (thenDelete) await runUndo(system, [{ where: 'host', lines: left.map((l) => `link del ${safeWord(l)}`) }]);
  }
  return `links still there after their namespaces went: ${left.join(' ')}`;
}

/**
 * Namespaces' batches side by side, as setup.sh's lanes: lane k runs batches k, k + lanes, ... one
 * after the other in one shell, so a namespace costs one `ip` start, not a start of this program's
 * child machinery. A lane stops at its first failure and names the namespace.
 */
async function runLanes(system: System, steps: readonly Extract<Step, { kind: 'ip' }>[], lanes: number): Promise<string | undefined> {
  if (steps.length === 1) return runBatch(system, steps[0]!.batch);
  const n = Math.max(1, Math.min(lanes, steps.length));
  const scripts: string[] = Array.from({ length: n }, () => 'set -u\n');
  steps.forEach((x, i) => {
    const ns = safeWord((x.batch.where as { netns: string }).netns);
    const { argv } = ipArgs(x.batch, false);
    const what = x.batch.program ?? 'ip -batch';
    scripts[i % n] += `${argv.join(' ')} <<'NETFORM_EOF' || { echo "${what} in ${ns} failed" >&2; exit 1; }\n${x.batch.lines.join('\n')}\nNETFORM_EOF\n`;
  });
  const results = await system.runAll(scripts.map((script) => ({ argv: ['sh', '-c', script], options: { where: 'current' as const } })), n);
  const bad = results.filter((r) => r.status !== 0).map((r) => r.stderr.trim());
  return bad.length ? bad.join('\n') : undefined;
}

/** Runs one step; the error text, or undefined. Records what a dir step did in the entry. */
async function runStep(system: System, applier: FirewallApplier, entry: JournalEntry, lanes: number): Promise<string | undefined> {
  const s = entry.step;
  switch (s.kind) {
    case 'ip':
      if (s.force) {
        await runUndo(system, [s.batch]);
        return undefined;
      }
      return runBatch(system, s.batch);
    case 'parallel':
      return runLanes(system, s.steps, lanes);
    case 'sysctl':
      return writeSysctls(system, s.set);
    case 'files':
      entry.dirs = [];
      for (const op of s.ops) {
        if (op.op === 'mkdir' ? system.makeDir(op.path) : op.op === 'rmdir' ? system.removeDir(op.path) : false) entry.dirs.push(op.path);
        if (op.op === 'write') system.writeFileAtomic(op.path, op.text, 0o644);
        if (op.op === 'remove') system.removeFile(op.path);
      }
      return undefined;
    case 'firewall':
      return applier.commit(system, s.transaction);
    case 'wait-gone':
      return waitGone(system, s.links);
  }
}

/** Undoes one begun step. Returns a problem worth reporting, if any. */
async function undoStep(system: System, applier: FirewallApplier, entry: JournalEntry, firewallBefore: LiveFirewall): Promise<string | undefined> {
  const s = entry.step;
  switch (s.kind) {
    case 'ip':
      await runUndo(system, s.undo);
      return undefined;
    case 'parallel':
      for (const x of [...s.steps].reverse()) await runUndo(system, x.undo);
      return undefined;
    case 'sysctl':
      return writeSysctls(system, s.undo);
    case 'files':
      for (const op of [...s.ops].reverse()) {
        // A killed apply recorded no directories: those it made come back out if they are empty.
        const did = entry.dirs === undefined || entry.dirs.includes(op.path);
        if (op.op === 'write' || op.op === 'remove') {
          if (op.before !== undefined) system.writeFileAtomic(op.path, op.before, 0o644);
          else system.removeFile(op.path);
        } else if (op.op === 'mkdir' && did) system.removeDir(op.path);
        else if (op.op === 'rmdir' && did && entry.dirs !== undefined) system.makeDir(op.path);
      }
      return undefined;
    case 'firewall':
      return applier.rollback(system, s.transaction, firewallBefore);
    case 'wait-gone':
      return undefined;
  }
}

export interface Execution {
  readonly journal: Journal;
  /** The first failure, when there was one (the steps begun were rolled back). */
  readonly error?: string;
  /** Problems met while rolling back. */
  readonly rollbackProblems: readonly string[];
}

/** Parallel lanes for the namespaces' own batches: one per CPU, at most 8 (as setup.sh). */
export const LANES = Math.max(1, Math.min(8, availableParallelism()));

/**
 * Runs the steps under a fresh journal. On failure rolls back and removes the journal; on success the
 * journal stays until the caller has written the state (or, with --try, until it is confirmed).
 */
export async function execute(system: System, state: StateDir, applier: FirewallApplier, target: Target, steps: readonly Step[], firewallBefore: LiveFirewall, tryWindow?: Journal['try'], lanes = LANES): Promise<Execution> {
  const journal: Journal = { format_version: 1, pid: system.pid, target, firewallBefore, entries: [], ...(tryWindow ? { try: tryWindow } : {}) };
  for (const step of steps) {
    const entry: JournalEntry = { step, state: 'started' };
    journal.entries.push(entry);
    state.writeJournal(journal);
    let error: string | undefined;
    try {
      error = await runStep(system, applier, entry, lanes);
    } catch (e) {
      error = (e as Error).message;
    }
    if (error !== undefined) {
      const rollbackProblems = await rollback(system, applier, journal);
      state.removeJournal();
      return { journal, error: `${step.label}: ${error}`, rollbackProblems };
    }
    entry.state = 'done';
  }
  state.writeJournal(journal);
  return { journal, rollbackProblems: [] };
}

/** Undoes every step of a journal, last first. */
export async function rollback(system: System, applier: FirewallApplier, journal: Journal): Promise<string[]> {
  const problems: string[] = [];
  for (const entry of [...journal.entries].reverse()) {
    try {
      const p = await undoStep(system, applier, entry, journal.firewallBefore);
      if (p) problems.push(`${entry.step.label}: ${p}`);
    } catch (e) {
      problems.push(`${entry.step.label}: ${(e as Error).message}`);
    }
  }
  return problems;
}
