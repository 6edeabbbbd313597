// What netform plan | apply | destroy | confirm do (their entries are in apply-commands.ts): the
// library's plan/apply (src/apply) with the command line's input, output and exit codes. Loaded only
// when one of them runs.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT, TroubleError, type Context } from './context.ts';
import { secretsOption } from './build.ts';
import { BUILD_ID, compileCache } from './compile-cache.ts';
import type { CompileReads } from './inputs.ts';
import { compileWithLock, type SavedLock } from './lock-file.ts';
import { VERSION } from '../version.ts';
import {
  apply,
  ApplyError,
  confirm,
  DEFAULT_STATE_ROOT,
  desiredFromBuild,
  nodeSystem,
  plan,
  planJson,
  planText,
  TargetError,
  targetFromEnv,
  topologyFor,
  type ApplyOutcome,
  type Desired,
  type Part,
  type PlanExpectations,
  type PlanOutcome,
} from '../apply/index.ts';
import { resultLocator } from '../compile.ts';
import type { ParsedArgs } from './args.ts';

const PLAN_KIND = 'netform-plan';

const opt = (args: ParsedArgs, name: string): string | undefined => args.options[name] as string | undefined;
const stateDir = (args: ParsedArgs) => (opt(args, 'state-dir') ? { stateDir: opt(args, 'state-dir')! } : {});

/** Runs a command body, turning plan/apply's own errors into one line and an exit code. */
async function guarded(ctx: Context, body: () => Promise<number> | number, onError: { apply: number; target: number } = { apply: EXIT.FAILED, target: EXIT.TROUBLE }): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof TargetError) {
      ctx.io.err(`netform: ${e.message.replace(/^netform: /, '')}\n`);
      return onError.target;
    }
    if (e instanceof ApplyError) {
      ctx.io.err(`netform: ${e.message.replace(/^netform: /, '')}\n`);
      return onError.apply;
    }
    throw e;
  }
}

/**
 * The desired state of FILE for the chosen host and its lock still to write (docs/lock.md), or the exit
 * code (its diagnostics printed). `remember` keeps the compile in the cache (compile-cache.ts): called
 * once the plan is made or the apply succeeded, so that a failed apply writes nothing in the state
 * directory. A build with `expect:` entries is not kept: its plan traces them (a cache hit has no build).
 */
function desiredOf(file: string, args: ParsedArgs, ctx: Context): { desired: Desired; expectations?: PlanExpectations; saveLock: () => SavedLock; remember: () => void } | number {
  const cache = compileCache(file, args, { ...stateDir(args), stateRoot: DEFAULT_STATE_ROOT, cwd: process.cwd(), env: ctx.env, buildId: BUILD_ID });
  const hit = cache?.lookup();
  if (hit) {
    // The environment is checked as for a compile (the host namespace must still exist).
    targetFromEnv(hit.target.host, ctx.env, nodeSystem());
    return { desired: hit, saveLock: () => ({ restore: () => undefined }), remember: () => undefined };
  }
  const secrets = secretsOption(args.options['secrets'], ctx, true);
  if ('exit' in secrets) return secrets.exit;
  const reads: CompileReads = { named: [] };
  const compiled = compileWithLock(file, args, ctx, { files: false, ...(secrets.keys ? { secrets: secrets.keys } : {}) }, true, reads);
  if (typeof compiled === 'number') return compiled;
  const { result } = compiled;
  const host = topologyFor(result, opt(args, 'host')).host;
  const desired = desiredFromBuild(result, targetFromEnv(host, ctx.env, nodeSystem()));
  // The file's expect: entries, for the plan to list those whose verdict it changes.
  const expectations: PlanExpectations = { expectations: result.model?.expectations ?? [], fleet: result.topologies ?? [], locate: resultLocator(result) };
  const cacheable = result.diagnostics.length === 0 && !compiled.lock?.changed && expectations.expectations.length === 0;
  return { desired, expectations, saveLock: compiled.saveLock, remember: () => (cacheable ? cache?.store(reads, desired) : undefined) };
}

/** Writes the lock when allocations changed; the line saying so goes to stderr (stdout may be JSON). */
function writeLock(saveLock: () => SavedLock, ctx: Context): SavedLock {
  const saved = saveLock();
  if (saved.message) ctx.io.err(saved.message);
  return saved;
}

function readPlanFile(file: string): PlanOutcome | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TroubleError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (!text.trimStart().startsWith('{')) return undefined;
  let doc: { kind?: string; format_version?: number; plan?: PlanOutcome['plan']; interiors?: string[] };
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (doc.kind !== PLAN_KIND) return undefined;
  if (doc.format_version !== 1 || !doc.plan) throw new ApplyError(`${file} is a plan file of another format (format_version ${String(doc.format_version)})`);
  return { plan: doc.plan, interiors: doc.interiors ?? [] };
}

/** The host of a command without an input file: --host, the state directory's, or the only one applied. */
function hostWithoutFile(args: ParsedArgs): string {
  const sys = nodeSystem();
  if (opt(args, 'host')) return opt(args, 'host')!;
  const dir = opt(args, 'state-dir');
  const hostIn = (d: string) => {
    const text = sys.readFile(path.join(d, 'state.json')) ?? sys.readFile(path.join(d, 'journal.json'));
    return text ? (JSON.parse(text) as { target?: { host?: string } }).target?.host : undefined;
  };
  if (dir) {
    const host = hostIn(dir);
    if (host) return host;
    throw new ApplyError(`nothing was applied with the state directory ${dir}`);
  }
  const hosts = (sys.listDir(DEFAULT_STATE_ROOT) ?? []).filter((h) => hostIn(path.join(DEFAULT_STATE_ROOT, h)) !== undefined);
  if (hosts.length === 1) return hosts[0]!;
  throw new ApplyError(hosts.length ? `several hosts were applied here (${hosts.join(', ')}): name one with --host` : `nothing was applied here (${DEFAULT_STATE_ROOT} has no state)`);
}

export async function runPlan(args: ParsedArgs, ctx: Context): Promise<number> {
  // With --detailed-exitcode, 2 means changes and nothing else: every failure is 1 (EXIT.TROUBLE is 2 too).
  const detailed = !!args.options['detailed-exitcode'];
  let changes = false;
  const code = await guarded(ctx, async () => {
    const compiled = desiredOf(args.operands[0]!, args, ctx);
    if (typeof compiled === 'number') return compiled;
    const { desired, expectations } = compiled;
    const only = opt(args, 'only') as Part | undefined;
    const outcome = await plan({ desired, expectations, target: desired.target, ...stateDir(args), ...(only ? { only } : {}), ...(args.options['deep'] ? { deep: true } : {}) });
    // Once the plan is made, so that apply PLANFILE applies allocations the lock holds.
    writeLock(compiled.saveLock, ctx);
    compiled.remember();
    const file = opt(args, 'output');
    if (file) writeFileSync(file, `${JSON.stringify({ kind: PLAN_KIND, format_version: 1, netform: VERSION, interiors: outcome.interiors, plan: outcome.plan })}\n`, { mode: 0o600 });
    ctx.io.out(args.options['json'] ? `${JSON.stringify(planJson(outcome.plan), null, 2)}\n` : planText(outcome.plan));
    if (file && !args.options['json']) ctx.io.out(`Saved the plan to ${file}: netform apply ${file}\n`);
    const s = outcome.plan.summary;
    changes = s.add + s.change + s.destroy > 0;
    return EXIT.OK;
  });
  if (!detailed) return code;
  return code !== EXIT.OK ? EXIT.FAILED : changes ? 2 : EXIT.OK;
}

function report(o: ApplyOutcome, ctx: Context, verb: 'apply' | 'destroy'): number {
  const { out, err } = ctx.io;
  if (o.recovered) err(`netform: rolled back an interrupted apply (process ${o.recovered.pid})${o.recovered.problems.length ? `:\n  ${o.recovered.problems.join('\n  ')}` : ''}\n`);
  out(planText(o.plan));
  const failed = o.error !== undefined ? `${verb} failed, everything rolled back: ${o.error}` : o.tried && !o.tried.confirmed ? `rolled back: ${o.tried.reason}` : undefined;
  if (failed) {
    err(`\nnetform: ${failed}\n`);
    for (const p of o.rollbackProblems ?? []) err(`netform: while rolling back: ${p}\n`);
    return EXIT.FAILED;
  }
  const s = o.plan.summary;
  if (s.add + s.change + s.destroy) out(`\n${verb === 'destroy' ? 'Destroy' : 'Apply'} complete: ${s.add} added, ${s.change} changed, ${s.destroy} destroyed.\n`);
  return EXIT.OK;
}

export async function runApply(args: ParsedArgs, ctx: Context): Promise<number> {
  return guarded(ctx, async () => {
    const log = (l: string) => ctx.io.err(`${l}\n`);
    const probes = args.lists?.['probe'];
    const tryOpt = args.options['try'] !== undefined ? { try: { seconds: Number(args.options['try']), probes: probes ?? [] } } : {};
    const saved = readPlanFile(args.operands[0]!);
    if (saved) {
      if (args.options['only'] || args.options['deep']) throw new ApplyError('--only and --deep are decided when the plan is made (netform plan -o)');
      const target = targetFromEnv(saved.plan.target.host, ctx.env, nodeSystem());
      if ((target.hostNetns ?? '') !== (saved.plan.target.hostNetns ?? '') || target.prefix !== saved.plan.target.prefix) {
        throw new ApplyError(`${args.operands[0]} was planned with NETFORM_HOST_NETNS=${saved.plan.target.hostNetns ?? ''} NETFORM_NETNS_PREFIX=${saved.plan.target.prefix}`);
      }
      return report(await apply({ target, saved, ...stateDir(args), log, ...tryOpt }), ctx, 'apply');
    }
    const compiled = desiredOf(args.operands[0]!, args, ctx);
    if (typeof compiled === 'number') return compiled;
    const { desired, expectations } = compiled;
    const only = opt(args, 'only') as Part | undefined;
    // The lock before the host changes; put back when the apply is rolled back.
    const lock = writeLock(compiled.saveLock, ctx);
    let code: number = EXIT.FAILED;
    try {
      code = report(await apply({ desired, expectations, target: desired.target, ...stateDir(args), ...(only ? { only } : {}), ...(args.options['deep'] ? { deep: true } : {}), log, ...tryOpt }), ctx, 'apply');
      return code;
    } finally {
      const problem = code === EXIT.OK ? undefined : lock.restore();
      if (problem) ctx.io.err(`netform: ${problem}\n`);
      if (code === EXIT.OK) compiled.remember();
    }
  });
}

export function runDestroy(args: ParsedArgs, ctx: Context): Promise<number> {
  return guarded(ctx, async () => {
    const target = targetFromEnv(hostWithoutFile(args), ctx.env, nodeSystem());
    return report(await apply({ target, ...stateDir(args), log: (l) => ctx.io.err(`${l}\n`) }), ctx, 'destroy');
  });
}

export function runConfirm(args: ParsedArgs, ctx: Context): Promise<number> {
  return guarded(ctx, () => {
    const pid = confirm({ target: targetFromEnv(hostWithoutFile(args), ctx.env, nodeSystem()), ...stateDir(args) });
    ctx.io.out(`netform: confirmed the apply --try of process ${pid}\n`);
    return EXIT.OK;
  });
}
