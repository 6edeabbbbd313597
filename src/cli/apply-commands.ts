// netform plan | apply | destroy | confirm: the GitOps commands, parsed here (node's util.parseArgs)
// and run through the library's plan/apply (src/apply). main.ts hands every argv starting with one of
// these commands to runApplyCommand.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compile, diagnosticSources } from '../compile.ts';
import { formatDiagnostics } from '../diagnostics/format.ts';
import { parseSecrets } from '../topology/overlay/secrets.ts';
import { VERSION } from '../version.ts';
import {
  apply,
  ApplyError,
  confirm,
  DEFAULT_STATE_ROOT,
  desiredFromBuild,
  plan,
  planJson,
  planText,
  TargetError,
  targetFromEnv,
  nodeSystem,
  type ApplyOutcome,
  type Part,
  type PlanOutcome,
} from '../apply/index.ts';

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const HELP: Record<string, string> = {
  plan: `Usage: netform plan FILE [--host NAME] [--state-dir DIR] [--only PART] [--deep] [--json]
                   [--detailed-exitcode] [-o PLANFILE] [--secrets KEYS]
Reads the live host (NETFORM_HOST_NETNS, or this namespace) and the last apply (DIR, default
${DEFAULT_STATE_ROOT}/<host>) and prints what apply would add, change and destroy. Changes nothing.
  --deep               also read inside every namespace netform made (drift there)
  --json               print the plan as JSON (format_version 1)
  --detailed-exitcode  exit 0 no changes, 2 changes, 1 any error (usage errors included)
  -o PLANFILE          save the plan, with a fingerprint of the live state; apply PLANFILE refuses it
                       once the host changed
`,
  apply: `Usage: netform apply FILE|PLANFILE [--host NAME] [--state-dir DIR] [--only PART] [--deep]
                    [--try SECONDS --probe CMD...] [--secrets KEYS]
Converges the host to the build: makes what is missing, changes what changed, removes what the file no
longer has, and leaves everything else alone. Any failure rolls every change back. Concurrent applies
to one host wait for each other.
  --only PART     firewall (only rules: for hosts where dockerd makes the links), network (links,
                  namespaces, addresses, routes, sysctls) or files (/etc/netns/<namespace>/)
  --try SECONDS   after applying, run every --probe (a shell command that must exit 0), then wait
                  SECONDS for \`netform confirm\`; roll back when a probe fails or no confirm comes
`,
  destroy: `Usage: netform destroy [--host NAME] [--state-dir DIR]
Removes what netform applied to the host (firewall rules included) and nothing else; sysctls and the
FORWARD policy netform changed go back to what they were.
`,
  confirm: `Usage: netform confirm [--host NAME] [--state-dir DIR]
Keeps the changes of the apply --try waiting on this host.
`,
};

class UsageError extends Error {}

const OPTIONS = {
  host: { type: 'string' },
  'state-dir': { type: 'string' },
  only: { type: 'string' },
  deep: { type: 'boolean' },
  json: { type: 'boolean' },
  'detailed-exitcode': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  try: { type: 'string' },
  probe: { type: 'string', multiple: true },
  secrets: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  color: { type: 'boolean' },
} as const;

const ALLOWED: Record<string, readonly string[]> = {
  plan: ['host', 'state-dir', 'only', 'deep', 'json', 'detailed-exitcode', 'output', 'secrets', 'help', 'color'],
  apply: ['host', 'state-dir', 'only', 'deep', 'try', 'probe', 'secrets', 'help', 'color'],
  destroy: ['host', 'state-dir', 'help'],
  confirm: ['host', 'state-dir', 'help'],
};

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean };

function parse(command: string, argv: readonly string[]): { values: Values; files: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const values = parsed.values as Values;
  const bad = Object.keys(values).filter((k) => !ALLOWED[command]!.includes(k));
  if (bad.length) throw new UsageError(`${command} does not take ${bad.map((b) => `--${b}`).join(', ')}`);
  if (values.only !== undefined && !['firewall', 'network', 'files'].includes(values.only)) throw new UsageError(`--only takes firewall, network or files (got ${values.only})`);
  if (values.try !== undefined && !/^\d+$/.test(values.try)) throw new UsageError(`--try takes a number of seconds (got ${values.try})`);
  if (values.probe && values.try === undefined) throw new UsageError('--probe needs --try');
  return { values, files: parsed.positionals };
}

/** The host of a command without an input file: --host, the state directory's, or the only one applied. */
function hostWithoutFile(values: Values): string {
  if (values.host) return values.host;
  const sys = nodeSystem();
  if (values['state-dir']) {
    const text = sys.readFile(path.join(values['state-dir'], 'state.json')) ?? sys.readFile(path.join(values['state-dir'], 'journal.json'));
    const host = text ? (JSON.parse(text) as { target?: { host?: string } }).target?.host : undefined;
    if (host) return host;
    throw new ApplyError(`netform: nothing was applied with state directory ${values['state-dir']}`);
  }
  const hosts = (sys.listDir(DEFAULT_STATE_ROOT) ?? []).filter((h) => sys.readFile(path.join(DEFAULT_STATE_ROOT, h, 'state.json')) !== undefined || sys.readFile(path.join(DEFAULT_STATE_ROOT, h, 'journal.json')) !== undefined);
  if (hosts.length === 1) return hosts[0]!;
  throw new UsageError(hosts.length ? `several hosts were applied here (${hosts.join(', ')}): name one with --host` : `nothing was applied here (${DEFAULT_STATE_ROOT} has no state)`);
}

/** Compiles FILE and prints its diagnostics; the result when it has no error. */
function build(file: string, values: Values, io: Io) {
  let secrets;
  if (values.secrets) {
    const parsed = parseSecrets(readFileSync(values.secrets, 'utf8'), values.secrets);
    if (parsed.diagnostics.length) io.err(formatDiagnostics(parsed.diagnostics, [parsed.source], { color: !!values.color }));
    if (parsed.diagnostics.some((d) => d.severity === 'error')) return undefined;
    secrets = parsed.keys;
  }
  const r = compile({ file, text: readFileSync(file, 'utf8') }, (ref) => {
    const resolved = path.join(path.dirname(file), ref);
    try {
      return { file: resolved, text: readFileSync(resolved, 'utf8') };
    } catch (e) {
      return { error: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message };
    }
  }, { files: false, ...(secrets ? { secrets } : {}) });
  if (r.diagnostics.length) io.err(formatDiagnostics(r.diagnostics, diagnosticSources(r, file), { color: !!values.color }));
  return r.diagnostics.some((d) => d.severity === 'error') ? undefined : r;
}

const PLAN_KIND = 'netform-plan';

function readPlanFile(file: string): PlanOutcome | undefined {
  const text = readFileSync(file, 'utf8');
  if (!text.trimStart().startsWith('{')) return undefined;
  let doc: { kind?: string; format_version?: number; plan?: PlanOutcome['plan']; interiors?: string[] };
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (doc.kind !== PLAN_KIND) return undefined;
  if (doc.format_version !== 1 || !doc.plan) throw new ApplyError(`netform: ${file} is a plan file of another format (format_version ${String(doc.format_version)})`);
  return { plan: doc.plan, interiors: doc.interiors ?? [] };
}

function targetOf(host: string) {
  return targetFromEnv(host, process.env, nodeSystem());
}

/** The desired state of FILE for the chosen host, or undefined (diagnostics printed). */
function desiredOf(file: string, values: Values, io: Io) {
  const r = build(file, values, io);
  if (!r) return undefined;
  const all = r.topologies ?? [];
  const host = values.host ?? (all.length === 1 ? all[0]!.host : undefined);
  if (host === undefined) throw new TargetError(`the file describes ${all.length} hosts (${all.map((t) => t.host).join(', ')}): name one with --host`);
  const target = targetOf(host);
  return desiredFromBuild(r, target);
}

async function cmdPlan(values: Values, files: string[], io: Io): Promise<number> {
  if (files.length !== 1) throw new UsageError(`plan takes exactly one input FILE (got ${files.length})`);
  const desired = desiredOf(files[0]!, values, io);
  if (!desired) return 1;
  const outcome = await plan({ desired, target: desired.target, ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}), ...(values.only ? { only: values.only as Part } : {}), ...(values.deep ? { deep: true } : {}) });
  if (values.output) writeFileSync(values.output, `${JSON.stringify({ kind: PLAN_KIND, format_version: 1, netform: VERSION, interiors: outcome.interiors, plan: outcome.plan })}\n`, { mode: 0o600 });
  io.out(values.json ? `${JSON.stringify(planJson(outcome.plan), null, 2)}\n` : planText(outcome.plan));
  if (values.output && !values.json) io.out(`Saved the plan to ${values.output}: netform apply ${values.output}\n`);
  const s = outcome.plan.summary;
  return values['detailed-exitcode'] && s.add + s.change + s.destroy > 0 ? 2 : 0;
}

function report(o: ApplyOutcome, io: Io, verb: string): number {
  if (o.recovered) io.err(`netform: rolled back an interrupted apply (process ${o.recovered.pid})${o.recovered.problems.length ? `:\n  ${o.recovered.problems.join('\n  ')}` : ''}\n`);
  io.out(planText(o.plan));
  if (o.error !== undefined) {
    io.err(`\nnetform: ${verb} failed, everything rolled back: ${o.error}\n`);
    for (const p of o.rollbackProblems ?? []) io.err(`netform: while rolling back: ${p}\n`);
    return 1;
  }
  if (o.tried && !o.tried.confirmed) {
    io.err(`\nnetform: rolled back: ${o.tried.reason}\n`);
    for (const p of o.rollbackProblems ?? []) io.err(`netform: while rolling back: ${p}\n`);
    return 1;
  }
  const s = o.plan.summary;
  io.out(s.add + s.change + s.destroy === 0 ? '' : `\n${verb === 'destroy' ? 'Destroy' : 'Apply'} complete: ${s.add} added, ${s.change} changed, ${s.destroy} destroyed.\n`);
  return 0;
}

async function cmdApply(values: Values, files: string[], io: Io): Promise<number> {
  if (files.length !== 1) throw new UsageError(`apply takes exactly one FILE or PLANFILE (got ${files.length})`);
  const log = (l: string) => io.err(`${l}\n`);
  const tryOpt = values.try !== undefined ? { try: { seconds: Number(values.try), probes: values.probe ?? [] } } : {};
  const saved = readPlanFile(files[0]!);
  if (saved) {
    if (values.only || values.deep) throw new UsageError('--only and --deep are decided when the plan is made (netform plan -o)');
    const target = targetOf(saved.plan.target.host);
    if ((target.hostNetns ?? '') !== (saved.plan.target.hostNetns ?? '') || target.prefix !== saved.plan.target.prefix) {
      throw new ApplyError(`netform: ${files[0]} was planned with NETFORM_HOST_NETNS=${saved.plan.target.hostNetns ?? ''} NETFORM_NETNS_PREFIX=${saved.plan.target.prefix}`);
    }
    const o = await apply({ target, saved, ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}), log, ...tryOpt });
    return report(o, io, 'apply');
  }
  const desired = desiredOf(files[0]!, values, io);
  if (!desired) return 1;
  const o = await apply({ desired, target: desired.target, ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}), ...(values.only ? { only: values.only as Part } : {}), ...(values.deep ? { deep: true } : {}), log, ...tryOpt });
  return report(o, io, 'apply');
}

async function cmdDestroy(values: Values, files: string[], io: Io): Promise<number> {
  if (files.length) throw new UsageError('destroy takes no FILE: it removes what the state directory says was applied');
  const target = targetOf(hostWithoutFile(values));
  const o = await apply({ target, ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}), log: (l) => io.err(`${l}\n`) });
  return report(o, io, 'destroy');
}

function cmdConfirm(values: Values, files: string[], io: Io): number {
  if (files.length) throw new UsageError('confirm takes no FILE');
  const pid = confirm({ target: targetOf(hostWithoutFile(values)), ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}) });
  io.out(`netform: confirmed the apply of process ${pid}\n`);
  return 0;
}

/** Runs `netform <command> ...` for a command of APPLY_COMMANDS; returns the exit code. */
export async function runApplyCommand(argv: readonly string[], io: Io): Promise<number> {
  const command = argv[0]!;
  const detailed = argv.includes('--detailed-exitcode');
  try {
    const { values, files } = parse(command, argv.slice(1));
    if (values.help) {
      io.out(HELP[command]!);
      return 0;
    }
    if (command === 'plan') return await cmdPlan(values, files, io);
    if (command === 'apply') return await cmdApply(values, files, io);
    if (command === 'destroy') return await cmdDestroy(values, files, io);
    return cmdConfirm(values, files, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`netform: ${e.message}\nRun netform ${command} --help for usage.\n`);
      // With --detailed-exitcode, 2 always means "changes" (as in Terraform): usage errors exit 1.
      return detailed ? 1 : 2;
    }
    if (e instanceof ApplyError || e instanceof TargetError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
      io.err(`${(e as Error).message.startsWith('netform:') ? '' : 'netform: '}${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
