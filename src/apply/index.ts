// plan, apply and destroy as library calls: the command line's `netform plan|apply|destroy|confirm` are
// these with arguments parsed. Every call works on one host (its state directory, its lock) and goes
// to the machine only through a System (system-node.ts by default).
import { randomBytes } from 'node:crypto';
import { execute, rollback } from './execute.ts';
import type { LiveFirewall } from './firewall/applier.ts';
import { StateDir, stateDirFor } from './journal.ts';
import { expectationShifts, type PlanExpectations } from './plan-expect.ts';
import type { Part, Plan } from './plan-types.ts';
import { ApplyError, applierFor, readAndPlan, reread } from './session.ts';
import { nodeSystem } from './system-node.ts';
import type { System } from './system.ts';
import { runTry, type TryOptions } from './try.ts';
import type { Desired, Target } from './types.ts';

export { ApplyError } from './session.ts';
export { desiredFromBuild, targetFromEnv, topologyFor, TargetError } from './target.ts';
export { planJson, planText } from './plan-text.ts';
export { nodeSystem } from './system-node.ts';
export { DEFAULT_STATE_ROOT, stateDirFor } from './journal.ts';
export type { Change, Part, Plan, PlanSummary, Step } from './plan-types.ts';
export type { ExpectationShift, ExpectationSide, PlanExpectations } from './plan-expect.ts';
export type { Applied, Desired, Target } from './types.ts';
export type { Ran, RunOptions, System } from './system.ts';
export type { TryOptions } from './try.ts';

export interface HostOptions {
  readonly target: Target;
  /** The host's state directory (default /var/lib/netform/<host>). */
  readonly stateDir?: string;
  readonly system?: System;
  /** Messages while working (waiting for the lock, rolling back an interrupted apply). */
  readonly log?: (line: string) => void;
}

export interface PlanOptions extends HostOptions {
  /** What to apply; undefined plans a destroy. */
  readonly desired?: Desired;
  readonly only?: Part;
  readonly deep?: boolean;
  /** The file's `expect:` entries: the plan lists those whose verdict it changes (docs/trace.md). */
  readonly expectations?: PlanExpectations;
}

/** A plan and how it was read (a plan file keeps both). */
export interface PlanOutcome {
  readonly plan: Plan;
  readonly interiors: readonly string[];
}

const open = (o: HostOptions) => {
  const system = o.system ?? nodeSystem(o.target.hostNetns);
  return { system, state: new StateDir(system, stateDirFor(o.target.host, o.stateDir)) };
};

/**
 * The plan with the `expect:` entries whose verdict it changes, traced through the build the last apply
 * kept and the planned one; a note instead when the state directory kept no build to compare with.
 */
function withExpectations(p: Plan, state: StateDir, applied: boolean, o: PlanOptions): Plan {
  const input = o.expectations;
  if (!o.desired || !input || input.expectations.length === 0) return p;
  const shifts = expectationShifts(applied ? state.readTopology() : undefined, o.target.host, input);
  if (shifts) return { ...p, expectations: shifts };
  const why = applied ? 'the last apply kept no build in the state directory (a netform before this one)' : 'nothing was applied to this host yet';
  return { ...p, notes: [...p.notes, `expect: entries not compared: ${why}`] };
}

/** `netform plan`: reads the host and plans; changes nothing. */
export async function plan(o: PlanOptions): Promise<PlanOutcome> {
  const { system, state } = open(o);
  const j = state.readJournal();
  if (j) throw new ApplyError(`netform: an apply by process ${j.pid} was interrupted on host ${o.target.host}; run netform apply or destroy, which roll it back first`);
  const p = await readAndPlan(system, state, { ...(o.desired ? { desired: o.desired } : {}), target: o.target, ...(o.only ? { only: o.only } : {}), ...(o.deep ? { deep: true } : {}) });
  return { plan: withExpectations(p.plan, state, !!p.last, o), interiors: p.interiors };
}

export interface ApplyOptions extends PlanOptions {
  /** A saved plan to apply instead of planning now (refused when the host changed since). */
  readonly saved?: PlanOutcome;
  /** apply --try: probes, and a window for `netform confirm`, else roll back. */
  readonly try?: TryOptions;
}

export interface ApplyOutcome {
  readonly plan: Plan;
  /** The interrupted apply found and rolled back first, if any. */
  readonly recovered?: { readonly pid: number; readonly problems: readonly string[] };
  /** Set when the apply failed and was rolled back. */
  readonly error?: string;
  readonly rollbackProblems?: readonly string[];
  /** apply --try: confirmed, or why it was rolled back. */
  readonly tried?: { readonly confirmed: boolean; readonly reason?: string };
}

/** `netform apply` and `netform destroy` (desired undefined): under the host's lock, plan, run, record. */
export async function apply(o: ApplyOptions): Promise<ApplyOutcome> {
  const { system, state } = open(o);
  const log = o.log ?? (() => undefined);
  const release = await state.lock((holder) => log(`netform: waiting for ${holder}, which is applying to host ${o.target.host}`));
  try {
    let recovered: ApplyOutcome['recovered'];
    const j = state.readJournal();
    if (j) {
      log(`netform: rolling back an apply by process ${j.pid} that was interrupted`);
      const problems = await rollback(system, applierFor(j.firewallBefore.backend), j);
      state.removeJournal();
      recovered = { pid: j.pid, problems };
    }
    let p: Plan;
    let before: LiveFirewall;
    if (o.saved) {
      const again = await reread(system, state, o.saved.plan, o.saved.interiors);
      if (again.fingerprint !== o.saved.plan.fingerprint) throw new ApplyError('netform: the host changed since this plan was made (stale plan): run netform plan again');
      p = o.saved.plan;
      before = again.firewall;
    } else {
      const planned = await readAndPlan(system, state, { ...(o.desired ? { desired: o.desired } : {}), target: o.target, ...(o.only ? { only: o.only } : {}), ...(o.deep ? { deep: true } : {}) });
      p = withExpectations(planned.plan, state, !!planned.last, o);
      before = planned.live.firewall;
    }
    const applier = applierFor(p.desired?.firewall.backend ?? (p.after.firewall as { backend?: string } | null)?.backend ?? 'iptables');
    const base = { plan: p, ...(recovered ? { recovered } : {}) };
    if (!p.steps.length) {
      if (p.mode === 'destroy') state.removeState();
      else {
        if (JSON.stringify(state.readState() ?? null) !== JSON.stringify(p.after)) state.writeState(p.after);
        keepTopology(state, p);
      }
      return base;
    }
    const run = await execute(system, state, applier, p.target, p.steps, before, o.try ? { token: randomBytes(8).toString('hex') } : undefined);
    if (run.error !== undefined) return { ...base, error: run.error, rollbackProblems: run.rollbackProblems };
    if (o.try) {
      const t = await runTry(system, state, o.try, run.journal.try!.token, log);
      if (!t.confirmed) {
        const problems = await rollback(system, applier, run.journal);
        state.removeJournal();
        return { ...base, tried: t, rollbackProblems: problems };
      }
    }
    if (p.mode === 'destroy') state.removeState();
    else {
      state.writeState(p.after);
      keepTopology(state, p);
    }
    state.removeJournal();
    return { ...base, ...(o.try ? { tried: { confirmed: true } } : {}) };
  } finally {
    release();
  }
}

/** Keeps the applied build's topology for the next plan's `expect:` comparison (a plan of an older netform has none). */
function keepTopology(state: StateDir, p: Plan): void {
  if (p.desired?.topology) state.writeTopology(p.desired.topology);
}

/** `netform confirm`: keeps the changes of the `apply --try` running on this host. */
export function confirm(o: HostOptions): number {
  const { system, state } = open(o);
  const j = state.readJournal();
  if (!j?.try) throw new ApplyError(`netform: no apply --try is waiting on host ${o.target.host}`);
  system.writeFileAtomic(state.confirmFile(), `${j.try.token}\n`, 0o600);
  return j.pid;
}
