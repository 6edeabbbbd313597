// One example, end to end: build it, make its sandbox (one namespace per host, the outside, the
// underlay), apply each host's build, start the servers, run the probes, tear each host down, check
// that teardown and a ruleset restore give every host back, and remove everything, also when a step
// fails. The result lists every probe with its outcome.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CompileResult } from '../../../src/compile.ts';
import type { Topology } from '../../../src/topology/types.ts';
import { buildExample, example, MATRICES } from '../../support/examples.ts';
import { scratchDir } from '../../support/scratch.ts';
import { Agents } from './agent-process.ts';
import { withBackend, type Backend } from './backend.ts';
import { etcFiles, installEtc, loadRules, removeEtc, restoreRules, runScript, writeBuild } from './deploy.ts';
import { check, tool } from './exec.ts';
import { requiredFeatures, type KernelFeature } from './kernel.ts';
import { parseMatrix, type Matrix, type Probe } from './matrix.ts';
import { judgeWithTracer, traceWorld, type TracerJudgement } from './tracer.ts';
import { delNetns, netnsWithPrefix } from './namespaces.ts';
import { checkEtc, detectFeatures, runProbe, type ProbeResult } from './probes.ts';
import { downSandbox, routeFromOutside, sandboxNamespaces, SETTLE_POLL_MS, settleSandbox, upSandbox, type HostBox } from './sandbox.ts';
import { baselineRuleset, hostState, savedRules, stateDiff, type HostState } from './snapshot.ts';
import { checkMatrix, namespaceOf, outsideRoute, planWorld, type World } from './world.ts';

/** The packet tracer against the kernel, over one example's connection probes. */
export interface TracerTally {
  /** Probes whose kernel outcome is known (held, or failed as a known bug) and the tracer judged. */
  readonly compared: number;
  /** `probe: what the tracer said` where it says the opposite of the kernel. */
  readonly disagreements: readonly string[];
  /** `probe: why` where the tracer cannot tell. */
  readonly unknown: readonly string[];
}

export interface ExampleRun {
  readonly results: readonly ProbeResult[];
  readonly tracer: TracerTally;
  /** Why the run stopped before its probes were all judged (setup.sh failed, ...). */
  readonly error?: string;
  /** Messages from the run: setup.sh warnings, cleanup problems (a leftover is a failure). */
  readonly notes: readonly string[];
  readonly cleanupFailed: boolean;
  readonly ms: number;
}

export const matrixPath = (name: string): string => path.join(MATRICES, `${name}.e2e.yaml`);
const matrixName = (name: string): string => `test/e2e/matrices/${name}.e2e.yaml`;

const builds = new Map<string, CompileResult>();
/** buildExample on a firewall backend, once per example, backend and process (the suite asks several times). */
function built(name: string, backend: Backend): CompileResult {
  const key = `${backend} ${name}`;
  let b = builds.get(key);
  if (!b) {
    b = backend === 'iptables' ? buildExample(name) : buildExample(name, {}, (source, read) => withBackend(source, read, backend));
    builds.set(key, b);
  }
  return b;
}

export interface PreparedExample {
  readonly world: World;
  readonly matrix: Matrix;
  readonly files: ReadonlyMap<string, string>;
  /** Kernel features the example's setup needs. */
  readonly features: readonly KernelFeature[];
}

/**
 * Builds the example (as written, or with `firewall-backend: nftables` set) and reads its matrix; throws
 * with every problem found. Creates nothing.
 */
export function prepareExample(name: string, prefix: string, backend: Backend = 'iptables'): PreparedExample {
  const b = built(name, backend);
  const errors = b.diagnostics.filter((d) => d.severity === 'error');
  const topologies: readonly Topology[] | undefined = b.topologies ?? (b.topology ? [b.topology] : undefined);
  const as = backend === 'iptables' ? '' : ` with firewall-backend: ${backend}`;
  if (errors.length || !topologies || !b.files || !b.model) throw new Error(`${example(name).file} does not build${as}: ${errors.map((d) => d.message).join('; ')}`);
  const matrix = parseMatrix(readFileSync(matrixPath(name), 'utf8'), matrixName(name));
  let world: World;
  try {
    world = planWorld(prefix, topologies, b.model.hosts, matrix);
  } catch (e) {
    throw new Error(`${matrixName(name)}:\n  ${(e as Error).message}`);
  }
  const problems = checkMatrix(matrix, world);
  if (problems.length) throw new Error(`${matrixName(name)}:\n  ${problems.join('\n  ')}`);
  return { world, matrix, files: b.files, features: requiredFeatures(topologies) };
}

/**
 * Waits (4 s at most) until no IPv6 address in the example's namespaces is tentative: bridge addresses
 * and link-local addresses run duplicate address detection for a second or so after setup.sh, and a
 * neighbour solicitation sent meanwhile can go unanswered. Returns a note when it gave up. Looks every
 * SETTLE_POLL_MS: each look is an `ip` per namespace still pending.
 */
export async function settleDad(namespaces: readonly string[]): Promise<string | undefined> {
  let pending = [...namespaces];
  for (let waited = 0; waited < 4000; waited += SETTLE_POLL_MS) {
    pending = pending.filter((ns) => check(tool('ip'), ['-n', ns, '-6', 'addr', 'show', 'tentative']).trim() !== '');
    if (!pending.length) return undefined;
    await sleep(SETTLE_POLL_MS);
  }
  return `IPv6 addresses still tentative after 4 s in ${pending.join(', ')}`;
}

async function startServers(m: Matrix, w: World, agents: Agents): Promise<void> {
  const starts = [...m.servers].flatMap(([who, list]) =>
    list.map(async (s) => {
      const r = await (await agents.get(namespaceOf(w, who))).request({ op: 'listen', label: who, proto: s.proto, port: s.port });
      if (!r.ok) throw new Error(`server ${who} ${s.proto}/${s.port}: ${r.error}`);
    }),
  );
  await Promise.all(starts);
}

/** What one host of the sandbox was before setup.sh: its links, addresses and routes, and its saved rulesets. */
interface HostBefore {
  readonly state: HostState;
  readonly saved: ReadonlyMap<4 | 6, string>;
}

/** Teardown gave back each host's links, addresses and routes and removed its namespaces; the saved rulesets restore. */
function restoredChecks(w: World, before: ReadonlyMap<string, HostBefore>): ProbeResult[] {
  const out: ProbeResult[] = [];
  const several = w.sandbox.hosts.length > 1;
  for (const h of w.sandbox.hosts) {
    const b = before.get(h.name)!;
    const on = several ? ` (${h.name})` : '';
    const diff = stateDiff(b.state, hostState(h.ns));
    const left = netnsWithPrefix(h.containerPrefix);
    out.push(
      {
        text: `teardown.sh${on}: host links, addresses and routes as before setup.sh`,
        outcome: diff.length ? 'failed' : 'held',
        detail: diff.length ? diff.slice(0, 12).join('\n        ') : 'identical',
      },
      {
        text: `teardown.sh${on}: no container namespace left`,
        outcome: left.length ? 'failed' : 'held',
        detail: left.length ? `left: ${left.join(' ')}` : 'none left',
      },
    );
    for (const [family, text] of b.saved) {
      restoreRules(h.ns, family, text);
      const again = savedRules(h.ns, family);
      out.push({
        text: `${family === 4 ? 'iptables' : 'ip6tables'}-restore of the saved ruleset gives it back${on}`,
        outcome: again === text ? 'held' : 'failed',
        detail: again === text ? 'identical' : `after restore:\n${again}`,
      });
    }
  }
  return out;
}

/**
 * Where the tracer stands against the kernel: a probe that held means the kernel did what the matrix
 * expects, one that failed as a known bug that it did the opposite; a probe that failed otherwise (a
 * timeout on a loaded machine) or was skipped tells nothing about the kernel and is not compared.
 */
function tallyTracer(probes: readonly Probe[], results: readonly ProbeResult[], judged: readonly (TracerJudgement | undefined)[]): TracerTally {
  let compared = 0;
  const disagreements: string[] = [];
  const unknown: string[] = [];
  probes.forEach((p, i) => {
    const j = judged[i];
    const outcome = results[i]?.outcome;
    if (!j || (outcome !== 'held' && outcome !== 'known-bug')) return;
    if (j.agrees === 'unknown') return void unknown.push(`${p.text}: ${j.detail}`);
    compared++;
    if (j.agrees !== (outcome === 'held')) disagreements.push(`${p.text}: ${j.detail}`);
  });
  return { compared, disagreements, unknown };
}

/**
 * nft -f of nftables.rules changed no iptables table: each host's iptables-save is still its own
 * ruleset (for a host whose build also has iptables.rules, that file is loaded too: not checked).
 */
function untouchedIptables(w: World, before: ReadonlyMap<string, HostBefore>, files: ReadonlyMap<string, string>): ProbeResult[] {
  const out: ProbeResult[] = [];
  for (const h of w.sandbox.hosts) {
    if (files.has(`${h.name}/iptables.rules`) || files.has(`${h.name}/ip6tables.rules`)) continue;
    for (const [family, text] of before.get(h.name)!.saved) {
      const now = savedRules(h.ns, family);
      out.push({
        text: `nft -f nftables.rules left ${family === 4 ? 'iptables' : 'ip6tables'} as it was${w.sandbox.hosts.length > 1 ? ` (${h.name})` : ''}`,
        outcome: now === text ? 'held' : 'failed',
        detail: now === text ? 'identical' : `now:\n${now}`,
      });
    }
  }
  return out;
}

export async function runExample(name: string, prefix: string, backend: Backend = 'iptables'): Promise<ExampleRun> {
  const started = Date.now();
  const { world, matrix, files } = prepareExample(name, prefix, backend);
  const s = world.sandbox;
  const work = scratchDir('nfe2e-build');
  const hostDir = (h: HostBox) => path.join(work, h.name);
  const agents = new Agents();
  const results: ProbeResult[] = [];
  const notes: string[] = [];
  let etcDirs: string[] = [];
  /** Hosts whose setup.sh ran (or may have run): teardown.sh is owed to them. */
  const setUp = new Set<HostBox>();
  let cleanupFailed = false;
  let error: string | undefined;
  let tracer: TracerTally = { compared: 0, disagreements: [], unknown: [] };
  const several = s.hosts.length > 1;
  try {
    writeBuild(work, files);
    upSandbox(s);
    await settleSandbox(s);
    for (const entry of matrix.outsideRoutes) {
      const { host, cidrs } = outsideRoute(world, entry);
      for (const cidr of cidrs) routeFromOutside(s, cidr, host);
    }

    // Each host as it was: a firewall of its own, saved, and its links, addresses and routes.
    const before = new Map<string, HostBefore>();
    for (const h of s.hosts) {
      for (const family of [4, 6] as const) restoreRules(h.ns, family, baselineRuleset());
      before.set(h.name, { saved: new Map(([4, 6] as const).map((f) => [f, savedRules(h.ns, f)] as const)), state: hostState(h.ns) });
    }

    for (const h of s.hosts) {
      setUp.add(h);
      const warnings = runScript(hostDir(h), 'setup.sh', h);
      if (warnings) notes.push(`setup.sh${several ? ` (${h.name})` : ''}: ${warnings}`);
    }
    for (const h of s.hosts) loadRules(hostDir(h), h.ns);
    if (backend === 'nftables') results.push(...untouchedIptables(world, before, files));
    const etc = etcFiles(world, files);
    etcDirs = installEtc(etc);
    const features = detectFeatures(s.hosts.map((h) => h.ns));
    if (matrix.probes.some((p) => p.kind === 'conn' && p.family === 6)) {
      const late = await settleDad([...sandboxNamespaces(s), ...etc.map((e) => e.ns)]);
      if (late) notes.push(late);
    }
    await startServers(matrix, world, agents);

    // The tracer's verdict on every connection probe, asked before any packet is sent.
    const tw = traceWorld(world, matrix.outsideRoutes, { brNetfilter: features.br_netfilter.ok });
    const judged = matrix.probes.map((p) => (p.kind === 'conn' ? judgeWithTracer(p, world, tw) : undefined));
    const ctx = { world, agents, features };
    results.push(...(await Promise.all(matrix.probes.map((p) => runProbe(p, ctx)))));
    tracer = tallyTracer(matrix.probes, results, judged);
    results.push(...(await Promise.all(etc.map(checkEtc))));

    await agents.close();
    for (const h of s.hosts) {
      runScript(hostDir(h), 'teardown.sh', h);
      setUp.delete(h);
    }
    results.push(...restoredChecks(world, before));
  } catch (e) {
    error = (e as Error).message;
  } finally {
    await agents.close();
    for (const h of setUp) {
      try {
        runScript(hostDir(h), 'teardown.sh', h);
      } catch (e) {
        notes.push(`cleanup: ${(e as Error).message}`);
      }
    }
    removeEtc(etcDirs);
    for (const p of downSandbox(s)) {
      notes.push(`cleanup: ${p}`);
      cleanupFailed = true;
    }
    // Whatever is still there with this example's prefix is a leak: report it, then remove it.
    for (const ns of netnsWithPrefix(s.prefix)) {
      cleanupFailed = true;
      notes.push(`cleanup: namespace ${ns} was left behind${delNetns(ns) ? ' and could not be deleted' : ''}`);
    }
    rmSync(work, { recursive: true, force: true });
  }
  return { results, tracer, ...(error === undefined ? {} : { error }), notes, cleanupFailed, ms: Date.now() - started };
}
