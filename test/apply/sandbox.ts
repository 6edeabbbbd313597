// A host for the apply end-to-end tests: the e2e harness's sandbox (a namespace standing for the host,
// joined to an `outside` namespace by its uplink), other tools' state loaded into it, a state
// directory of its own, and what a test compares before and after: the host's firewall, links and
// addresses, netform's namespaces and what is inside them, the files under /etc/netns, sysctls and
// the state directory. Link indexes are left out (a link made again gets a new one); nothing else is.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { compile } from '../../src/compile.ts';
import type { Desired, Target } from '../../src/apply/index.ts';
import { Agents } from '../e2e/harness/agent-process.ts';
import { check, inNetns, run, tool } from '../e2e/harness/exec.ts';
import { parseMatrix } from '../e2e/harness/matrix.ts';
import { settleDad } from '../e2e/harness/run-example.ts';
import { delNetns, netnsWithPrefix, RUN_PREFIX } from '../e2e/harness/namespaces.ts';
import { detectFeatures, runProbe, type ProbeResult } from '../e2e/harness/probes.ts';
import { downSandbox, settleSandbox, upSandbox, type HostBox, type Sandbox } from '../e2e/harness/sandbox.ts';
import { planWorld, type World } from '../e2e/harness/world.ts';
import { desiredOf, FIXTURES, loadForeign, saved, type Runner } from './support.ts';

let seq = 0;

export interface ApplyHost {
  readonly sandbox: Sandbox;
  readonly box: HostBox;
  readonly target: Target;
  readonly stateDir: string;
  readonly runner: Runner;
  world(version: string): World;
  desired(version: string): Desired;
}

const topologyOf = (version: string) => {
  const file = path.join(FIXTURES, `${version}.yaml`);
  const r = compile({ file, text: readFileSync(file, 'utf8') }, undefined, { files: false });
  if (!r.topologies || !r.model) throw new Error(`${file} does not build`);
  return { topologies: r.topologies, hosts: r.model.hosts };
};

/**
 * Makes the sandbox and loads the foreign state (by default ufw, kube-proxy, fail2ban and a DOCKER-USER
 * rule; `load` loads another) and a foreign link with an address.
 */
export async function makeHost(versions: readonly string[], load: (r: Runner) => void = loadForeign): Promise<ApplyHost> {
  const prefix = `${RUN_PREFIX}ap${++seq}-`;
  const first = topologyOf(versions[0]!);
  const all = versions.map(topologyOf);
  const base = planWorld(prefix, all.flatMap((v) => v.topologies).slice(0, 1), first.hosts);
  const sandbox = base.sandbox;
  const box = sandbox.hosts[0]!;
  upSandbox(sandbox);
  await settleSandbox(sandbox);
  const runner: Runner = { check: (cmd, args = [], input) => check(...inNetns(box.ns, cmd, args), input === undefined ? {} : { input }) };
  load(runner);
  check(tool('ip'), ['-n', box.ns, '-batch', '-'], { input: 'link add fx0 type veth peer name fx1\naddr add 192.0.2.200/24 dev fx0\nlink set dev fx0 up\nlink set dev fx1 up\n' });
  const target: Target = { host: 'local', hostNetns: box.ns, prefix: box.containerPrefix };
  const stateDir = mkdtempSync(path.join(tmpdir(), 'nfapply-state-'));
  const worlds = new Map(versions.map((v, i) => [v, { topologies: all[i]!.topologies, sandbox } as World]));
  return {
    sandbox,
    box,
    target,
    stateDir,
    runner,
    world: (v) => worlds.get(v)!,
    desired: (v) => desiredOf(v, target),
  };
}

/** Removes everything the host's test made: its namespaces (container ones included), files, state. */
export function dropHost(h: ApplyHost): string[] {
  const problems = downSandbox(h.sandbox);
  for (const ns of netnsWithPrefix(h.box.containerPrefix)) {
    problems.push(`namespace ${ns} left behind`);
    delNetns(ns);
    rmSync(path.join('/etc/netns', ns), { recursive: true, force: true });
  }
  rmSync(h.stateDir, { recursive: true, force: true });
  return problems;
}

interface IpLink {
  ifname: string;
  mtu: number;
  address?: string;
  flags?: string[];
  master?: string;
  linkinfo?: { info_kind?: string; info_slave_data?: { hairpin?: boolean } };
  addr_info?: { local: string; prefixlen: number; scope: string }[];
}

/** Links and their addresses as lines without indexes: `name kind mtu mac master up hairpin addresses`. */
function linkLines(ipArgs: readonly string[]): string[] {
  const links = JSON.parse(check(tool('ip'), [...ipArgs, '-j', '-d', 'link', 'show']) || '[]') as IpLink[];
  const addrs = new Map((JSON.parse(check(tool('ip'), [...ipArgs, '-j', 'addr', 'show']) || '[]') as IpLink[]).map((a) => [a.ifname, a] as const));
  return links
    .map((l) => {
      const a = (addrs.get(l.ifname)?.addr_info ?? []).filter((x) => x.scope !== 'link').map((x) => `${x.local}/${x.prefixlen}`);
      return [l.ifname.replace(/@.*/, ''), l.linkinfo?.info_kind ?? '-', l.mtu, l.address ?? '-', l.master ?? '-', (l.flags ?? []).includes('UP') ? 'up' : 'down', l.linkinfo?.info_slave_data?.hairpin ? 'hairpin' : '-', ...a].join(' ');
    })
    .sort();
}

const routes = (ipArgs: readonly string[]) =>
  [check(tool('ip'), [...ipArgs, 'route', 'show']), check(tool('ip'), [...ipArgs, '-6', 'route', 'show'])].join('').split('\n').filter((l) => l && !l.startsWith('fe80') && !/ proto kernel /.test(l) || /^default/.test(l)).sort();

const SYSCTLS = ['net/ipv4/ip_forward', 'net/ipv6/conf/all/forwarding', 'net/ipv6/conf/default/forwarding', 'net/bridge/bridge-nf-call-iptables', 'net/bridge/bridge-nf-call-ip6tables'];

export interface Snapshot {
  readonly v4: string;
  readonly v6: string;
  readonly links: readonly string[];
  readonly namespaces: readonly string[];
  readonly inside: Readonly<Record<string, readonly string[]>>;
  readonly files: Readonly<Record<string, string>>;
  readonly sysctls: string;
  readonly state: string | undefined;
}

/** Everything an apply may change on the host, as comparable data. */
export function snapshot(h: ApplyHost): Snapshot {
  const namespaces = netnsWithPrefix(h.box.containerPrefix).sort();
  const inside: Record<string, string[]> = {};
  for (const ns of namespaces) inside[ns] = [...linkLines(['-n', ns]), ...routes(['-n', ns])];
  const files: Record<string, string> = {};
  for (const d of readdirSync('/etc/netns', { withFileTypes: true }).filter((e) => e.name.startsWith(h.box.containerPrefix))) {
    for (const f of readdirSync(path.join('/etc/netns', d.name))) files[`${d.name}/${f}`] = readFileSync(path.join('/etc/netns', d.name, f), 'utf8');
  }
  const sysctls = run(...inNetns(h.box.ns, 'sh', ['-c', SYSCTLS.map((s) => `echo ${s}=$(cat /proc/sys/${s} 2>/dev/null)`).join('; ')])).stdout;
  let state: string | undefined;
  try {
    state = readFileSync(path.join(h.stateDir, 'state.json'), 'utf8');
  } catch {
    state = undefined;
  }
  return { v4: saved(h.runner, 4), v6: saved(h.runner, 6), links: linkLines(['-n', h.box.ns]), namespaces, inside, files, sysctls, state };
}

/** Runs a version's matrix: servers started, every probe judged, agents stopped. Returns the probes that did not hold. */
export async function probe(h: ApplyHost, version: string): Promise<ProbeResult[]> {
  const world = h.world(version);
  const matrix = parseMatrix(readFileSync(path.join(FIXTURES, `${version}.e2e.yaml`), 'utf8'), `${version}.e2e.yaml`);
  const agents = new Agents();
  try {
    const { namespaceOf } = await import('../e2e/harness/world.ts');
    // IPv6 addresses added without nodad (Docker 20.10's bridges) are tentative for a second or so.
    const dad = await settleDad([h.box.ns, ...netnsWithPrefix(h.box.containerPrefix)]);
    if (dad) throw new Error(dad);
    await Promise.all(
      [...matrix.servers].flatMap(([who, list]) =>
        list.map(async (s) => {
          const r = await (await agents.get(namespaceOf(world, who))).request({ op: 'listen', label: who, proto: s.proto, port: s.port });
          if (!r.ok) throw new Error(`server ${who} ${s.proto}/${s.port}: ${r.error}`);
        }),
      ),
    );
    const features = detectFeatures([h.box.ns]);
    const results = await Promise.all(matrix.probes.map((p) => runProbe(p, { world, agents, features })));
    return results.filter((r) => r.outcome === 'failed');
  } finally {
    await agents.close();
  }
}

const HOLD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tcp-hold.mjs');

/** A TCP connection held open between two namespaces by tcp-hold.mjs. */
export class HeldConnection {
  private constructor(
    private readonly server: ChildProcessWithoutNullStreams,
    private readonly client: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
  ) {}

  static async open(serverNs: string, clientNs: string, address: string, port: number): Promise<HeldConnection> {
    const start = (ns: string, args: string[]) => spawn(...inNetns(ns, process.execPath, [HOLD, ...args]), { stdio: ['pipe', 'pipe', 'pipe'] });
    const server = start(serverNs, ['server', String(port)]);
    const serverLines = readline.createInterface({ input: server.stdout })[Symbol.asyncIterator]();
    if ((await serverLines.next()).value !== 'listening') throw new Error('tcp-hold server did not start');
    const client = start(clientNs, ['client', address, String(port)]);
    const lines = readline.createInterface({ input: client.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.value !== 'connected') throw new Error(`tcp-hold client did not connect: ${String(first.value)}`);
    return new HeldConnection(server, client, lines);
  }

  /** {ok, echoes, error}: ok while the one connection has echoed every line. */
  async status(): Promise<{ ok: boolean; echoes: number; error: string | null }> {
    this.client.stdin.write('status\n');
    const r = await this.lines.next();
    return JSON.parse(String(r.value)) as { ok: boolean; echoes: number; error: string | null };
  }

  close(): void {
    this.client.kill('SIGKILL');
    this.server.kill('SIGKILL');
  }
}
