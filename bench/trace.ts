// npm run bench:trace: how fast the packet tracer answers on the 1,000-network / 10,000-container case,
// and what 1,000 `expect:` entries add to a build of it.
//
//   npm run bench:trace [-- --runs N] [--queries N] [--keep]
//
// Traces: the case is compiled in this process (as `netform trace` and the build do before tracing); then
// each query of a mix (a published port from outside, container to container on one network and across
// networks, egress, the host to a container) is traced once cold (the first trace of the build makes the
// tracer's fabric and reads what it walks: the namespaces it reaches, the chains it meets) and RUNS times
// warm (a chain walked often is indexed then). Time is
// reported as CPU time of this process (user + system) and as wall time: on a shared machine the wall
// time says as much about the neighbours as about the tracer.
//
// expect: 1,000 entries over the generated names, each written with the verdict the tracer gives (so the
// build passes), appended to the same file; both files are built with the real command line (`node
// bin/netform.js build FILE -o DIR`, a fresh DIR each run), interleaved, RUNS times each; the report is
// the medians and their ratio, in CPU time of the build process (user + system, read from the kernel's
// account of this process's waited-for children) and in wall time. Outputs go to a tmpfs when there is one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../src/compile.ts';
import { trace, type TraceQuery } from '../src/trace/index.ts';
import { traceExpectation } from '../src/trace/expect.ts';
import { readExpectations } from '../src/model/expectations.ts';
import { generate, portSpec, toYaml } from './generate.ts';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const argv = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const RUNS = Number(value('--runs') ?? 5);
const EXPECTATIONS = Number(value('--queries') ?? 1000);
const SIZE = { networks: 1000, containers: 10_000, ports: 20_000 };

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(1)} ms`;

function timed<T>(fn: () => T): { value: T; cpu: number; wall: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = fn();
  const d = process.cpuUsage(c);
  return { value, cpu: (d.user + d.system) / 1000, wall: performance.now() - t };
}

/** Clock ticks per second of /proc's CPU times (getconf CLK_TCK; 100 on Linux when it cannot be asked). */
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU time (ms) of this process's children that have been waited for: /proc/self/stat cutime + cstime. */
function childrenCpu(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name in parentheses, from field 3 (state): cutime is field 16, cstime 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) / TICKS) * 1000;
}

/** The published port k's host address and port (bench/generate.ts portSpec: HOST_IP:PORT:CPORT[/udp]). */
function published(k: number): { address: string; port: number; proto: 'tcp' | 'udp' } {
  const spec = portSpec(k);
  const udp = spec.endsWith('/udp');
  const parts = spec.replace(/\/udp$/, '').split(':');
  return parts.length === 3 ? { address: parts[0]!, port: Number(parts[1]), proto: udp ? 'udp' : 'tcp' } : { address: 'host', port: Number(parts[0]), proto: udp ? 'udp' : 'tcp' };
}

/** The i-th query of the mix, as an expect: line without its verdict. */
function query(i: number): string {
  const c = (n: number) => `c-${n % SIZE.containers}`;
  switch (i % 5) {
    case 0: {
      const p = published((i * 7919) % SIZE.ports);
      return `outside -> ${p.address === 'host' ? 'host' : p.address}:${p.port}/${p.proto}`;
    }
    case 1:
      return `${c(i)} -> ${c(i + SIZE.networks)}:80`; // the same network (containers i and i + N share net-(i mod N))
    case 2:
      return `${c(i)} -> ${c(i + 1)}:80`; // the next network
    case 3:
      return `${c(i)} -> outside:443`;
    default:
      return `host -> ${c(i)}:8080`;
  }
}

function main(): void {
  const yaml = toYaml(generate(SIZE));
  console.log(`case: ${SIZE.networks} networks / ${SIZE.containers} containers / ${SIZE.ports} ports`);
  const built = timed(() => compile({ file: 'bench.yaml', text: yaml }, undefined, { files: false }));
  const topologies = built.value.topologies!;
  console.log(`compile (in process): ${ms(built.wall)} wall`);

  // Traces.
  const lines = Array.from({ length: 10 }, (_, i) => query(i * 101));
  const { expectations } = readExpectations(lines.map((l) => `${l} reach`));
  const queries = expectations.map((e): { text: string; q: TraceQuery } => {
    const from = e.from === 'outside' ? { kind: 'outside' as const } : e.from === 'host' ? { kind: 'host' as const } : { kind: 'container' as const, name: e.from };
    const to = e.to === 'outside' ? { kind: 'outside' as const } : e.to === 'host' ? { kind: 'host' as const } : /^\d/.test(e.to) ? { kind: 'address' as const, address: e.to } : { kind: 'container' as const, name: e.to };
    return { text: `${e.from} -> ${e.to}:${e.port}/${e.proto}`, q: { from, to, port: e.port, proto: e.proto } };
  });
  const cold = timed(() => trace(topologies, queries[0]!.q));
  console.log(`first trace (makes the fabric, reads what it walks): ${ms(cold.cpu)} CPU, ${ms(cold.wall)} wall (${queries[0]!.text}: ${cold.value.verdict}) [target < 50 ms]`);
  const warm: number[] = [];
  const warmWall: number[] = [];
  for (const { text, q } of queries) {
    const runs = Array.from({ length: RUNS }, () => timed(() => trace(topologies, q)));
    warm.push(median(runs.map((r) => r.cpu)));
    warmWall.push(median(runs.map((r) => r.wall)));
    console.log(`  ${text.padEnd(40)} ${runs[0]!.value.verdict.padEnd(8)} median ${ms(median(runs.map((r) => r.cpu)))} CPU, ${ms(median(runs.map((r) => r.wall)))} wall`);
  }
  console.log(`trace, after the first: median ${ms(median(warm))} CPU (max ${ms(Math.max(...warm))}), median ${ms(median(warmWall))} wall (max ${ms(Math.max(...warmWall))}) [target < 50 ms]`);

  // expect: entries, with the verdicts the tracer gives.
  const entries = readExpectations(Array.from({ length: EXPECTATIONS }, (_, i) => `${query(i)} reach`)).expectations;
  const checked = timed(() => entries.map((e) => traceExpectation(topologies, e)));
  const withVerdicts = entries.map((e, i) => {
    const o = checked.value[i]!;
    const v = 'trace' in o && o.verdict !== 'unknown' ? o.verdict : undefined;
    return v ? `  - ${query(i)} ${v}` : undefined;
  }).filter((x): x is string => !!x);
  console.log(`${EXPECTATIONS} expectations traced in process: ${ms(checked.cpu)} CPU, ${ms(checked.wall)} wall (${withVerdicts.length} with a verdict, the others unknown: left out)`);

  const shm = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const work = mkdtempSync(path.join(shm, 'netform-bench-trace-'));
  try {
    const plain = path.join(work, 'plain.yaml');
    const withExpect = path.join(work, 'expect.yaml');
    writeFileSync(plain, yaml);
    writeFileSync(withExpect, `${yaml}expect:\n${withVerdicts.join('\n')}\n`);
    const cli = path.join(ROOT, 'bin', 'netform.js');
    const buildOnce = (file: string, n: number): { cpu: number; wall: number } => {
      const out = path.join(work, `out-${n}`);
      const c = childrenCpu();
      const t = performance.now();
      const r = spawnSync(process.execPath, [cli, 'build', file, '-o', out], { encoding: 'utf8' });
      const wall = performance.now() - t;
      const cpu = c === undefined ? NaN : childrenCpu()! - c;
      if (r.status !== 0) throw new Error(`build ${file} failed: ${r.stderr.slice(0, 2000)}`);
      rmSync(out, { recursive: true, force: true });
      return { cpu, wall };
    };
    const a: { cpu: number; wall: number }[] = [];
    const b: { cpu: number; wall: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      a.push(buildOnce(plain, i * 2));
      b.push(buildOnce(withExpect, i * 2 + 1));
    }
    const added = (x: number, y: number): string => `+${(((y - x) / x) * 100).toFixed(1)}%`;
    for (const k of ['cpu', 'wall'] as const) {
      const [ma, mb] = [median(a.map((r) => r[k])), median(b.map((r) => r[k]))];
      console.log(`build (netform build, median of ${RUNS}, ${k === 'cpu' ? 'CPU' : 'wall'}): ${ms(ma)} without expect:, ${ms(mb)} with ${withVerdicts.length} entries: ${added(ma, mb)} [target < +20%]`);
    }
  } finally {
    if (!argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
  }
}

main();
