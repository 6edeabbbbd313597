// Running a plan's steps in order, each written to the journal before it runs; on the first failure
// every step begun is undone, last first (ip batches run their undo with -force: a line whose work was
// never done fails harmlessly), so the host is back as it was before the apply: link for link, file
// for file, and each committed firewall table as it was saved (firewall/applier.ts rollback).
import type { FirewallApplier, LiveFirewall } from './firewall/applier.ts';
import type { Journal, JournalEntry, StateDir } from './journal.ts';
import type { IpBatch, Step, SysctlWrite } from './plan-types.ts';
import { safeWord } from './read.ts';
import type { System } from './system.ts';
import type { Target } from './types.ts';

/** The program and options that run an ip batch where it belongs. */
function ipArgs(where: IpBatch['where'], force: boolean): { argv: string[]; options: { where: 'host' | 'current' } } {
  const f = force ? ['-force'] : [];
  if (where === 'current') return { argv: ['ip', ...f, '-batch', '-'], options: { where: 'current' } };
  if (where === 'host') return { argv: ['ip', ...f, '-batch', '-'], options: { where: 'host' } };
  return { argv: ['ip', '-n', safeWord(where.netns), ...f, '-batch', '-'], options: { where: 'current' } };
}

const whereText = (w: IpBatch['where']) => (w === 'current' ? 'this namespace' : w === 'host' ? 'the host namespace' : w.netns);

function runBatch(system: System, b: IpBatch): string | undefined {
  if (!b.lines.length) return undefined;
  const { argv, options } = ipArgs(b.where, false);
  const r = system.run(argv, { ...options, input: `${b.lines.join('\n')}\n` });
  return r.status === 0 ? undefined : `ip -batch in ${whereText(b.where)} failed: ${r.stderr.trim()}`;
}

async function runUndo(system: System, batches: readonly IpBatch[]): Promise<void> {
  for (const b of batches) {
    if (!b.lines.length) continue;
    const { argv, options } = ipArgs(b.where, true);
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

async function waitGone(system: System, links: readonly string[]): Promise<string | undefined> {
  const deadline = system.now() + 10_000;
  for (;;) {
    const r = system.run(['ip', '-o', 'link', 'show'], { where: 'host' });
    const present = new Set(r.stdout.split('\n').map((l) => l.split(': ')[1]?.replace(/@.*$/, '')));
    const left = links.filter((l) => present.has(l));
    if (!left.length) return undefined;
    if (system.now() > deadline) return `links still there 10 s after their namespaces went: ${left.join(' ')}`;
    await system.sleep(50);
  }
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
    case 'parallel': {
      const results = await system.runAll(
        s.steps.map((x) => {
          const { argv, options } = ipArgs(x.batch.where, false);
          return { argv, options: { ...options, input: `${x.batch.lines.join('\n')}\n` } };
        }),
        lanes,
      );
      const bad = results.map((r, k) => (r.status === 0 ? undefined : `ip -batch in ${whereText(s.steps[k]!.batch.where)} failed: ${r.stderr.trim()}`)).filter((x) => x);
      return bad.length ? bad.join('\n') : undefined;
    }
    case 'sysctl':
      return writeSysctls(system, s.set);
    case 'file':
      if (s.text !== undefined) system.writeFileAtomic(s.path, s.text, s.mode ?? 0o644);
      else system.removeFile(s.path);
      return undefined;
    case 'dir':
      entry.made = s.make ? system.makeDir(s.path) : system.removeDir(s.path);
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
    case 'file':
      if (s.before !== undefined) system.writeFileAtomic(s.path, s.before, s.mode ?? 0o644);
      else system.removeFile(s.path);
      return undefined;
    case 'dir':
      if (s.make && entry.made !== false) system.removeDir(s.path);
      if (!s.make && entry.made) system.makeDir(s.path);
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
export const LANES = 8;

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
