// npm run bench:apply: plan and apply of netform itself on a host
// of 20 networks / 100 containers / 100 ports, in scratch network namespaces, next to floors measured
// in the same run:
//   - plan of an unchanged host vs `iptables-save` + `ip -j link` of that host alone (target <= 2x);
//   - apply of a one-container change (one container more) vs a full apply from empty (target <= 10%);
//   - apply from empty vs the kernel floor as bench/run.ts measures it (the same namespaces and links
//     made by a minimal `ip -batch` each, plus iptables-restore of the same rules; target <= 1.5x).
//     Shown beside it, not in its place: what the floor leaves out and every apply does, the inside of
//     each namespace (one `ip -n NS -batch` each), and Node's own start-up (`node -e 0`).
// plan and apply keep their compile in the state directory (src/cli/compile-cache.ts): a round's first
// apply, in a fresh state directory, compiles; its plan of the unchanged file does not; the one-container
// change (another file) compiles.
// Every command is the real command line (`node bin/netform.js ...`) with NETFORM_HOST_NETNS and
// NETFORM_NETNS_PREFIX; each round runs in fresh namespaces `nfa<pid>-<round>-` that are deleted after
// it (and on exit, failure included). Nothing is contacted.
//
//   node --import tsx bench/apply.ts [--runs N] [--settle-ms MS]
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, toYaml } from './generate.ts';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const CLI = path.join(ROOT, 'bin', 'netform.js');
const argv = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const RUNS = Number(value('--runs') ?? 5);
const SETTLE_MS = Number(value('--settle-ms') ?? 2000);
const SIZE = { networks: 20, containers: 100, ports: 100 };
const NS = `nfa${process.pid}-`;
const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 100 ? 1 : 0)} ms`);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

const base = existsSync('/dev/shm') && statSync('/dev/shm').isDirectory() ? '/dev/shm' : os.tmpdir();
const WORK = mkdtempSync(path.join(base, 'netform-bench-apply-'));

function run(cmd: readonly string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', maxBuffer: 256 << 20, ...options });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: exit ${r.status ?? r.signal}\n${String(r.stderr ?? '').slice(-2000)}`);
  return String(r.stdout ?? '');
}

/**
 * CPU time (user + system, ms) of this process's finished children and all they waited for, from
 * /proc/self/stat (cutime, cstime; in clock ticks, 10 ms each on most kernels): on a loaded machine
 * wall time measures the load as much as the work.
 */
function childCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS;
}
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
/** The CPU time of the last command timed(). */
let lastCpu = 0;

/** Wall time of one command (ms); it must succeed (exit 0, or one of `ok`). Its CPU time is left in lastCpu. */
function timed(cmd: readonly string[], options: SpawnSyncOptions = {}, ok: readonly number[] = [0]): number {
  const c0 = childCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20, ...options });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  lastCpu = childCpuMs() - c0;
  if (!ok.includes(r.status ?? -1)) throw new Error(`${cmd.join(' ')}: exit ${r.status ?? r.signal}\n${String(r.stderr ?? '').slice(-2000)}`);
  return ms;
}

function deleteNamespaces(prefix: string): void {
  const ours = run(['ip', 'netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(prefix));
  if (ours.length) spawnSync('ip', ['-force', '-batch', '-'], { input: ours.map((n) => `netns del ${n}\n`).join('') });
  for (const n of ours) rmSync(path.join('/etc/netns', n), { recursive: true, force: true });
}

function cleanup(): void {
  try {
    deleteNamespaces(NS);
  } catch {
    // exiting anyway
  }
  rmSync(WORK, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => process.exit(130));

interface TopologyForFloor {
  containers: { name: string; networking: { kind: string }; routes: { family: 4 | 6; via?: string; device: string }[] }[];
  bridges: { name: string }[];
  endpoints: { hostIfname: string; ifname: string; container: string; bridge: string; mac: string; ipv4?: string; ipv4PrefixLength?: number; ipv6?: string; ipv6PrefixLength?: number }[];
}

/** The inputs: 20/100/100 as generated, and the same with one container more (no ports: nothing else moves). */
function inputs(): { file: string; plusOne: string; dir: string } {
  const g = generate(SIZE);
  const file = path.join(WORK, 'apply.yaml');
  writeFileSync(file, toYaml(g));
  const plusOne = path.join(WORK, 'apply-plus-one.yaml');
  writeFileSync(plusOne, toYaml({ ...g, containers: [...g.containers, { name: 'c-extra', networks: [g.networks[0]!.name], ports: [] }] }));
  const out = path.join(WORK, 'out');
  run([process.execPath, CLI, 'build', file, '-o', out]);
  return { file, plusOne, dir: path.join(out, 'bench') };
}

/** The kernel floor of bench/run.ts: namespaces, bridges and veths by a minimal `ip -batch` each, then the rules. */
function floorApply(dir: string, prefix: string): number {
  const t = JSON.parse(readFileSync(path.join(dir, 'topology.json'), 'utf8')) as TopologyForFloor;
  const own = t.containers.filter((c) => c.networking.kind === 'netns');
  const host = `${prefix}host`;
  run(['ip', 'netns', 'add', host]);
  writeFileSync(path.join(WORK, 'floor-ns.batch'), own.map((c) => `netns add ${prefix}${c.name}\n`).join(''));
  const links = [
    ...t.bridges.flatMap((b) => [`link add name ${b.name} type bridge`, `link set dev ${b.name} up`]),
    ...t.endpoints.flatMap((e) => [`link add name ${e.hostIfname} type veth peer name ${e.ifname} netns ${prefix}${e.container}`, `link set dev ${e.hostIfname} master ${e.bridge}`, `link set dev ${e.hostIfname} up`]),
  ];
  writeFileSync(path.join(WORK, 'floor-links.batch'), `${links.join('\n')}\n`);
  const restore = [['iptables-restore', 'iptables.rules'], ['ip6tables-restore', 'ip6tables.rules']]
    .filter(([, f]) => existsSync(path.join(dir, f!)))
    .map(([tool, f]) => `ip netns exec ${host} ${tool} < ${path.join(dir, f!)}`)
    .join(' && ');
  return timed(['sh', '-ec', `ip -batch ${WORK}/floor-ns.batch && ip -n ${host} -batch ${WORK}/floor-links.batch && ${restore}`]);
}

/**
 * Beside the kernel floor, not instead of it: the inside of each namespace, which the floor leaves out
 * and apply (and setup.sh) must do: one `ip -n NS -batch` per namespace (MAC, addresses, up, lo up,
 * default routes), in as many lanes as CPUs. Measured on the floor's namespaces once they exist.
 */
function floorInside(dir: string, prefix: string): number {
  const t = JSON.parse(readFileSync(path.join(dir, 'topology.json'), 'utf8')) as TopologyForFloor;
  const lanes = Array.from({ length: os.cpus().length }, () => [] as string[]);
  t.containers.filter((c) => c.networking.kind === 'netns').forEach((c, k) => {
    const lines = ['link set dev lo up'];
    for (const e of t.endpoints.filter((x) => x.container === c.name)) {
      lines.push(`link set dev ${e.ifname} address ${e.mac}`);
      if (e.ipv4) lines.push(`addr add ${e.ipv4}/${e.ipv4PrefixLength} dev ${e.ifname} brd +`);
      if (e.ipv6) lines.push(`addr add ${e.ipv6}/${e.ipv6PrefixLength} dev ${e.ifname} nodad`);
      lines.push(`link set dev ${e.ifname} up`);
    }
    for (const r of c.routes) lines.push(`route add ${r.family === 6 ? '::/0' : 'default'}${r.via ? ` via ${r.via}` : ''} dev ${r.device}`);
    const file = path.join(WORK, `floor-inside-${k}.batch`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    lanes[k % lanes.length]!.push(`ip -n ${prefix}${c.name} -batch ${file}`);
  });
  const used = lanes.filter((l) => l.length);
  const script = `${used.map((l, k) => `( ${l.join(' && ')} ) & p${k}=$!`).join('\n')}\n${used.map((_, k) => `wait $p${k}`).join(' && ')}\n`;
  return timed(['sh', '-ec', script]);
}

/** CPU time (ms) of the command line's steps, children included. */
type Cpu = Partial<Record<'floorApply' | 'floorInside' | 'nodeStart' | 'scripts' | 'validate' | 'apply' | 'floorRead' | 'plan' | 'oneMore', number>>;

interface Round {
  cpu: Cpu;
  libPlan: number;
  libOneLess: number;
  libOneMore: number;
  libDestroy: number;
  libApply: number;
  floorApply: number;
  floorInside: number;
  nodeStart: number;
  scripts: number;
  validate: number;
  apply: number;
  floorRead: number;
  plan: number;
  oneMore: number;
  destroy: number;
}

/** The same objects made by the build's own scripts: setup.sh, then iptables-restore of its rules. */
function scriptsApply(dir: string, prefix: string): number {
  const host = `${prefix}host`;
  run(['ip', 'netns', 'add', host]);
  const env = { ...process.env, NETFORM_HOST_NETNS: host, NETFORM_NETNS_PREFIX: prefix };
  const restore = [['iptables-restore', 'iptables.rules'], ['ip6tables-restore', 'ip6tables.rules']]
    .filter(([, f]) => existsSync(path.join(dir, f!)))
    .map(([tool, f]) => `ip netns exec ${host} ${tool} < ${path.join(dir, f!)}`)
    .join(' && ');
  return timed(['sh', '-ec', `sh ${path.join(dir, 'setup.sh')} && ${restore}`], { env });
}

type Lib = typeof import('../src/index.ts');

/**
 * The same operations through the library, in this process, the compile done beforehand: what plan and
 * apply cost beyond start-up and compile. On the host as the command line left it (one container more).
 */
async function library(files: { file: string; plusOne: string }, target: { host: string; hostNetns: string; prefix: string }, stateDir: string) {
  const lib = (await import(path.join(ROOT, 'dist', 'index.js'))) as Lib;
  const desired = (file: string) => lib.desiredFromBuild(lib.compile({ file, text: readFileSync(file, 'utf8') }, undefined, { files: false }), target);
  const base = desired(files.file);
  const more = desired(files.plusOne);
  const time = async (f: () => Promise<unknown>) => {
    const t0 = process.hrtime.bigint();
    const r = (await f()) as { error?: string };
    if (r && r.error) throw new Error(r.error);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const libPlan = await time(() => lib.plan({ desired: more, target, stateDir }));
  const libOneLess = await time(() => lib.apply({ desired: base, target, stateDir }));
  const libOneMore = await time(() => lib.apply({ desired: more, target, stateDir }));
  const libDestroy = await time(() => lib.apply({ target, stateDir }));
  sleep(SETTLE_MS);
  const libApply = await time(() => lib.apply({ desired: more, target, stateDir }));
  return { libPlan, libOneLess, libOneMore, libDestroy, libApply };
}

async function round(i: number, files: { file: string; plusOne: string; dir: string }): Promise<Round> {
  const cpu: Cpu = {};
  const f = floorApply(files.dir, `${NS}f${i}-`);
  cpu.floorApply = lastCpu;
  const inside = floorInside(files.dir, `${NS}f${i}-`);
  cpu.floorInside = lastCpu;
  deleteNamespaces(`${NS}f${i}-`);
  sleep(SETTLE_MS);
  const scripts = scriptsApply(files.dir, `${NS}s${i}-`);
  cpu.scripts = lastCpu;
  deleteNamespaces(`${NS}s${i}-`);
  sleep(SETTLE_MS);
  const nodeStart = timed([process.execPath, '-e', '0']);
  cpu.nodeStart = lastCpu;
  const validate = timed([process.execPath, CLI, 'validate', files.file]);
  cpu.validate = lastCpu;
  const prefix = `${NS}a${i}-`;
  const host = `${prefix}host`;
  run(['ip', 'netns', 'add', host]);
  const state = path.join(WORK, `state-${i}`);
  mkdirSync(state);
  const env = { ...process.env, NETFORM_HOST_NETNS: host, NETFORM_NETNS_PREFIX: prefix };
  const cli = (...args: string[]) => [process.execPath, CLI, ...args, '--state-dir', state];
  const apply = timed(cli('apply', files.file), { env });
  cpu.apply = lastCpu;
  const floorRead = timed(['sh', '-ec', `ip netns exec ${host} iptables-save > /dev/null && ip -n ${host} -j link > /dev/null`]);
  cpu.floorRead = lastCpu;
  const plan = timed(cli('plan', files.file, '--detailed-exitcode'), { env });
  cpu.plan = lastCpu;
  const oneMore = timed(cli('apply', files.plusOne), { env });
  cpu.oneMore = lastCpu;
  const lib = await library(files, { host: 'bench', hostNetns: host, prefix }, state);
  const destroy = timed(cli('destroy'), { env });
  deleteNamespaces(prefix);
  sleep(SETTLE_MS);
  return { ...lib, cpu, floorApply: f, floorInside: inside, nodeStart, scripts, validate, apply, floorRead, plan, oneMore, destroy };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/apply.ts needs root (network namespaces)');
  if (!existsSync(path.join(ROOT, 'dist', 'netform.cjs'))) throw new Error('build the command line first: npm run build');
  log(`bench apply: work directory ${WORK}, node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const files = inputs();
  const rounds: Round[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const r = await round(i, files);
    log(`  round ${i === 0 ? 'warm-up' : i}: floor ${fmt(r.floorApply)} (+ inside ${fmt(r.floorInside)}), node -e 0 ${fmt(r.nodeStart)}, scripts ${fmt(r.scripts)}, validate ${fmt(r.validate)}, apply ${fmt(r.apply)}, read floor ${fmt(r.floorRead)}, plan ${fmt(r.plan)}, one more ${fmt(r.oneMore)}, destroy ${fmt(r.destroy)}`);
    if (i > 0) rounds.push(r);
  }
  const m = (k: Exclude<keyof Round, 'cpu'>) => median(rounds.map((r) => r[k]));
  const c = (k: keyof Cpu) => median(rounds.map((r) => r.cpu[k] ?? 0));
  const both = (k: keyof Cpu & keyof Round) => [fmt(m(k)), fmt(c(k))];
  const rows = [
    ['kernel floor: ip -batch (namespaces), ip -batch (links), iptables-restore', ...both('floorApply')],
    ['  beside it: the inside of each namespace (one ip -n NS -batch each, in lanes), which the floor leaves out', ...both('floorInside')],
    ['setup.sh + iptables-restore (the same objects, by the build\'s scripts)', ...both('scripts')],
    ['node -e 0 (Node\'s own start-up, which every command pays)', ...both('nodeStart')],
    ['netform validate (start-up and compile, what every command pays first)', ...both('validate')],
    ['netform apply, from empty', ...both('apply')],
    ['iptables-save + ip -j link of the applied host', ...both('floorRead')],
    ['netform plan, unchanged host', ...both('plan')],
    ['netform apply, one container more', ...both('oneMore')],
    ['netform destroy', fmt(m('destroy')), ''],
    ['library (in one process, compiled beforehand): plan, unchanged host', fmt(m('libPlan')), ''],
    ['library: apply, one container less', fmt(m('libOneLess')), ''],
    ['library: apply, one container more', fmt(m('libOneMore')), ''],
    ['library: destroy', fmt(m('libDestroy')), ''],
    ['library: apply, from empty', fmt(m('libApply')), ''],
  ];
  const out = [
    `## netform plan / apply, ${SIZE.networks} networks / ${SIZE.containers} containers / ${SIZE.ports} ports (median of ${RUNS} rounds; ${os.cpus().length} CPUs)`,
    '',
    '| step | time | CPU time (children, 10 ms ticks) |',
    '|:--|--:|--:|',
    ...rows.map(([a, b, d]) => `| ${a} | ${b} | ${d} |`),
    '',
    `- plan of an unchanged host / (iptables-save + ip -j link) = ${ratio(m('plan'), m('floorRead'))} (target <= 2x); without Node's start-up (plan - node -e 0): ${ratio(m('plan') - m('nodeStart'), m('floorRead'))}; node -e 0 alone: ${ratio(m('nodeStart'), m('floorRead'))}`,
    `- apply of a one-container change / full apply from empty = ${((100 * m('oneMore')) / m('apply')).toFixed(1)}% (target <= 10%); both without start-up and compile: ${((100 * (m('oneMore') - m('validate'))) / (m('apply') - m('validate'))).toFixed(1)}%`,
    `- in one process: plan / (iptables-save + ip -j link) = ${ratio(m('libPlan'), m('floorRead'))}; one container more / apply from empty = ${((100 * m('libOneMore')) / m('libApply')).toFixed(1)}%, one container less: ${((100 * m('libOneLess')) / m('libApply')).toFixed(1)}%; apply from empty / kernel floor = ${ratio(m('libApply'), m('floorApply'))}`,
    `- apply from empty / kernel floor = ${ratio(m('apply'), m('floorApply'))} (target <= 1.5x); / setup.sh + iptables-restore = ${ratio(m('apply'), m('scripts'))}; / (kernel floor + the inside of each namespace) = ${ratio(m('apply'), m('floorApply') + m('floorInside'))}`,
    `- in CPU time: plan / read floor = ${ratio(c('plan'), c('floorRead'))}, node -e 0 / read floor = ${ratio(c('nodeStart'), c('floorRead'))}; one container more / apply from empty = ${((100 * c('oneMore')) / c('apply')).toFixed(1)}%; apply from empty / kernel floor = ${ratio(c('apply'), c('floorApply'))}, / (kernel floor + inside) = ${ratio(c('apply'), c('floorApply') + c('floorInside'))}`,
    `- load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((e: unknown) => {
  log(`bench apply: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
});
