// One example, end to end: build it, make its sandbox, apply the build, start the servers, run the
// probes, tear down, check that teardown and a ruleset restore give the host back, and remove
// everything, also when a step fails. The result lists every probe with its outcome.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildExample, EXAMPLES } from '../../support/examples.ts';
import { Agents } from './agent-process.ts';
import { etcFiles, installEtc, loadRules, removeEtc, restoreRules, runScript, writeBuild } from './deploy.ts';
import { check, tool } from './exec.ts';
import { parseMatrix, type Matrix } from './matrix.ts';
import { delNetns, netnsWithPrefix } from './namespaces.ts';
import { checkEtc, detectFeatures, runProbe, type ProbeResult } from './probes.ts';
import { downSandbox, planSandbox, routeFromOutside, upSandbox, type Sandbox } from './sandbox.ts';
import { baselineRuleset, hostState, savedRules, stateDiff, type HostState } from './snapshot.ts';
import { checkMatrix, linkNames, namespaceOf, subnetsInUse, subnetsOf, type World } from './world.ts';

export interface ExampleRun {
  readonly results: readonly ProbeResult[];
  /** Why the run stopped before its probes were all judged (setup.sh failed, ...). */
  readonly error?: string;
  /** Messages from the run: setup.sh warnings, cleanup problems (a leftover is a failure). */
  readonly notes: readonly string[];
  readonly cleanupFailed: boolean;
  readonly ms: number;
}

export const matrixPath = (name: string): string => path.join(EXAMPLES, `${name}.e2e.yaml`);

/** Builds the example and reads its matrix; throws with every problem found. Creates nothing. */
export function prepareExample(name: string, prefix: string): { world: World; matrix: Matrix; files: ReadonlyMap<string, string> } {
  const built = buildExample(name);
  const errors = built.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || !built.topology || !built.files) throw new Error(`examples/${name}.yaml does not build: ${errors.map((d) => d.message).join('; ')}`);
  const t = built.topology;
  const matrix = parseMatrix(readFileSync(matrixPath(name), 'utf8'), `examples/${name}.e2e.yaml`);
  const world: World = { topology: t, sandbox: planSandbox(prefix, subnetsInUse(t), linkNames(t)) };
  const problems = checkMatrix(matrix, world);
  if (problems.length) throw new Error(`examples/${name}.e2e.yaml:\n  ${problems.join('\n  ')}`);
  return { world, matrix, files: built.files };
}

/**
 * Waits (4 s at most) until no IPv6 address in the example's namespaces is tentative: bridge addresses
 * and link-local addresses run duplicate address detection for a second or so after setup.sh, and a
 * neighbour solicitation sent meanwhile can go unanswered. Returns a note when it gave up.
 */
async function settleDad(namespaces: readonly string[]): Promise<string | undefined> {
  let pending = [...namespaces];
  for (let waited = 0; waited < 4000; waited += 50) {
    pending = pending.filter((ns) => check(tool('ip'), ['-n', ns, '-6', 'addr', 'show', 'tentative']).trim() !== '');
    if (!pending.length) return undefined;
    await sleep(50);
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

/** Teardown gave back the host's links, addresses and routes and removed its namespaces; the saved rulesets restore. */
function restoredChecks(before: HostState, s: Sandbox, saved: ReadonlyMap<4 | 6, string>): ProbeResult[] {
  const diff = stateDiff(before, hostState(s.hostNs));
  const left = netnsWithPrefix(s.containerPrefix);
  const out: ProbeResult[] = [
    {
      text: 'teardown.sh: host links, addresses and routes as before setup.sh',
      outcome: diff.length ? 'failed' : 'held',
      detail: diff.length ? diff.slice(0, 12).join('\n        ') : 'identical',
    },
    {
      text: 'teardown.sh: no container namespace left',
      outcome: left.length ? 'failed' : 'held',
      detail: left.length ? `left: ${left.join(' ')}` : 'none left',
    },
  ];
  for (const [family, text] of saved) {
    restoreRules(s, family, text);
    const again = savedRules(s.hostNs, family);
    out.push({
      text: `${family === 4 ? 'iptables' : 'ip6tables'}-restore of the saved ruleset gives it back`,
      outcome: again === text ? 'held' : 'failed',
      detail: again === text ? 'identical' : `after restore:\n${again}`,
    });
  }
  return out;
}

export async function runExample(name: string, prefix: string): Promise<ExampleRun> {
  const started = Date.now();
  const { world, matrix, files } = prepareExample(name, prefix);
  const s = world.sandbox;
  const work = mkdtempSync(path.join(tmpdir(), 'nfe2e-build-'));
  const agents = new Agents();
  const results: ProbeResult[] = [];
  const notes: string[] = [];
  let etcDirs: string[] = [];
  let setUp = false;
  let cleanupFailed = false;
  let error: string | undefined;
  try {
    const hostDir = writeBuild(work, files, world.topology.host);
    upSandbox(s);
    for (const net of matrix.outsideRoutes) for (const cidr of subnetsOf(world.topology, net)) routeFromOutside(s, cidr);

    // The host as it was: a firewall of its own, saved, and its links, addresses and routes.
    for (const family of [4, 6] as const) restoreRules(s, family, baselineRuleset());
    const saved = new Map(([4, 6] as const).map((f) => [f, savedRules(s.hostNs, f)] as const));
    const before = hostState(s.hostNs);

    setUp = true;
    const warnings = runScript(hostDir, 'setup.sh', s);
    if (warnings) notes.push(`setup.sh: ${warnings}`);
    loadRules(hostDir, s);
    const etc = etcFiles(world, files);
    etcDirs = installEtc(etc);
    const features = detectFeatures(s.hostNs);
    if (matrix.probes.some((p) => p.kind === 'conn' && p.family === 6)) {
      const late = await settleDad([s.hostNs, s.outsideNs, ...etc.map((e) => e.ns)]);
      if (late) notes.push(late);
    }
    await startServers(matrix, world, agents);

    const ctx = { world, agents, features };
    results.push(...(await Promise.all(matrix.probes.map((p) => runProbe(p, ctx)))));
    results.push(...(await Promise.all(etc.map(checkEtc))));

    await agents.close();
    runScript(hostDir, 'teardown.sh', s);
    setUp = false;
    results.push(...restoredChecks(before, s, saved));
  } catch (e) {
    error = (e as Error).message;
  } finally {
    await agents.close();
    if (setUp) {
      try {
        runScript(path.join(work, world.topology.host), 'teardown.sh', s);
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
  return { results, ...(error === undefined ? {} : { error }), notes, cleanupFailed, ms: Date.now() - started };
}
