// npm run bench:fleet: does a build stay linear when one file describes a fleet?
//
//   npm run bench:fleet [-- --hosts 100,250,1000] [--containers 20] [--runs N] [--keep]
//
// For each fleet size H (bench/generate-fleet.ts: H hosts x 20 containers, a bridge per host, an
// attachable overlay per 10 hosts, a /16 ingress), the real command line (`node bin/netform.js build
// fleet.yaml -o DIR`, a fresh DIR each run) under /usr/bin/time: wall time, CPU time (user + system)
// and peak RSS, the median of --runs runs (default 3), the sizes interleaved. The machine is shared: CPU
// time is what the build costs, wall time also counts the time others held the cores. Every run must
// write the same bytes.
//
// Then the claims of a build that follows what each host holds:
// - time per container at the biggest fleet <= 1.2x that at the smallest (CPU time; wall time shown);
// - a host's folder (h0, the middle and the last host of the smallest fleet) is the same in every fleet
//   but for the ingress peers (bench/fleet-compare.ts), and what it gains per added host is shown.
// Outputs go to a tmpfs (/dev/shm) when there is one (BENCH_DIR overrides); the work directory is
// deleted on exit unless --keep.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { comparePeerGrowth, type HostFolder } from './fleet-compare.ts';
import { fleetHostName, fleetYaml } from './generate-fleet.ts';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const CLI = path.join(ROOT, 'bin', 'netform.js');
const TIME = '/usr/bin/time';
/** The ratio the per-container time at the biggest fleet may reach against the smallest. */
const MAX_RATIO = 1.2;

const argv = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
};
const SIZES = (value('--hosts') ?? '100,250,1000').split(',').map(Number).sort((a, b) => a - b);
const PER_HOST = Number(value('--containers') ?? 20);
const RUNS = Number(value('--runs') ?? 3);
const KEEP = argv.includes('--keep');
if (SIZES.some((h) => !Number.isInteger(h) || h < 1) || !Number.isInteger(RUNS) || RUNS < 1) throw new Error('bench/fleet.ts: --hosts wants whole numbers, --runs a whole number >= 1');

interface Run {
  readonly wallS: number;
  readonly cpuS: number;
  readonly rssKb: number;
}

interface Size {
  readonly hosts: number;
  readonly containers: number;
  readonly yamlBytes: number;
  readonly runs: readonly Run[];
  readonly out: string;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Every file under `dir`, relative, with its content. */
function readFolder(dir: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(path.join(dir, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(path.join(dir, rel)).isDirectory()) for (const [r, t] of readFolder(dir, rel)) files.set(r, t);
    else files.set(rel, readFileSync(path.join(dir, rel), 'utf8'));
  }
  return files;
}

/** A digest of every file under `dir` (names and bytes), to check that runs write the same output. */
function digestTree(dir: string): string {
  const hash = createHash('sha256');
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(path.join(dir, r)).isDirectory()) walk(r);
      else hash.update(`${r}\0`).update(readFileSync(path.join(dir, r))).update('\0');
    }
  };
  walk('');
  return hash.digest('hex');
}

/** One `netform build` under /usr/bin/time. */
function timedBuild(file: string, out: string): Run {
  const r = spawnSync(TIME, ['-f', 'TIME %e %U %S %M', process.execPath, CLI, 'build', file, '-o', out], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = /TIME (\S+) (\S+) (\S+) (\d+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !line) throw new Error(`netform build ${file} failed (exit ${r.status}):\n${r.stderr.slice(0, 4000)}`);
  return { wallS: Number(line[1]), cpuS: Number(line[2]) + Number(line[3]), rssKb: Number(line[4]) };
}

/** A fleet's input, written to `work/<hosts>/fleet.yaml` (the same base name at every size: same outputs). */
function prepare(work: string, hosts: number): Size & { readonly file: string; readonly runs: Run[]; digest?: string } {
  const dir = path.join(work, String(hosts));
  mkdirSync(dir);
  const file = path.join(dir, 'fleet.yaml');
  const yaml = fleetYaml({ hosts, containersPerHost: PER_HOST });
  writeFileSync(file, yaml);
  return { hosts, containers: hosts * PER_HOST, yamlBytes: Buffer.byteLength(yaml), runs: [], out: path.join(dir, 'out'), file };
}

/**
 * Every size, run after run, the sizes interleaved (run 1 of each size, then run 2, ...): the load of a
 * shared machine changes over minutes, and falls on every size alike. The first run's output is kept.
 */
function runSizes(work: string): Size[] {
  const sizes = SIZES.map((h) => prepare(work, h));
  for (let i = 0; i < RUNS; i++) {
    for (const s of sizes) {
      const out = i === 0 ? s.out : path.join(path.dirname(s.out), 'again');
      rmSync(out, { recursive: true, force: true });
      const run = timedBuild(s.file, out);
      s.runs.push(run);
      const digest = digestTree(out);
      if (s.digest !== undefined && digest !== s.digest) throw new Error(`${s.hosts} hosts: run ${i + 1} wrote different bytes from run 1`);
      s.digest ??= digest;
      if (i > 0) rmSync(out, { recursive: true, force: true });
      process.stderr.write(`  ${s.hosts} hosts, run ${i + 1}/${RUNS}: ${run.wallS.toFixed(2)} s wall, ${run.cpuS.toFixed(2)} s CPU, ${(run.rssKb / 1024).toFixed(0)} MB peak RSS\n`);
    }
  }
  return sizes;
}

const ms = (s: number) => (s * 1000).toFixed(3);

function timeTable(sizes: readonly Size[]): boolean {
  console.log(`\nBuild (median of ${RUNS}; per container = median / containers)`);
  console.log('hosts  containers  input      wall s   CPU s   wall ms/ctr  CPU ms/ctr  peak RSS');
  for (const s of sizes) {
    const wall = median(s.runs.map((r) => r.wallS));
    const cpu = median(s.runs.map((r) => r.cpuS));
    const rss = Math.max(...s.runs.map((r) => r.rssKb));
    console.log(`${String(s.hosts).padStart(5)}  ${String(s.containers).padStart(10)}  ${`${(s.yamlBytes / 1024).toFixed(0)} KB`.padStart(8)}  ${wall.toFixed(2).padStart(7)}  ${cpu.toFixed(2).padStart(6)}  ${ms(wall / s.containers).padStart(11)}  ${ms(cpu / s.containers).padStart(10)}  ${(rss / 1024).toFixed(0).padStart(5)} MB`);
  }
  const perCtr = (s: Size, k: keyof Run) => median(s.runs.map((r) => r[k])) / s.containers;
  const small = sizes[0]!;
  const big = sizes[sizes.length - 1]!;
  const cpuRatio = perCtr(big, 'cpuS') / perCtr(small, 'cpuS');
  const wallRatio = perCtr(big, 'wallS') / perCtr(small, 'wallS');
  const ok = cpuRatio <= MAX_RATIO;
  console.log(`time per container, ${big.hosts} hosts / ${small.hosts} hosts: CPU ${cpuRatio.toFixed(2)}x, wall ${wallRatio.toFixed(2)}x (limit ${MAX_RATIO}x on CPU): ${ok ? 'ok' : 'FAILED'}`);
  return ok;
}

/** The hosts of the smallest fleet whose folders are compared across sizes. */
const sampleHosts = (smallest: number): number[] => [...new Set([0, Math.floor(smallest / 2), smallest - 1])];

function folderTable(sizes: readonly Size[]): boolean {
  console.log(`\nA host's folder across fleets (ingress peers are what every node programs for every other node)`);
  let ok = true;
  const small = sizes[0]!;
  const smallHosts = new Set(Array.from({ length: small.hosts }, (_, h) => fleetHostName(h)));
  for (const h of sampleHosts(small.hosts)) {
    const name = fleetHostName(h);
    const base: HostFolder = readFolder(path.join(small.out, name));
    const parts = [`${name}: ${small.hosts} hosts ${base.size} files ${(sumBytes(base) / 1024).toFixed(1)} KB`];
    for (const big of sizes.slice(1)) {
      const g = comparePeerGrowth(base, readFolder(path.join(big.out, name)), smallHosts);
      const perHost = (g.bytes.big - g.bytes.small) / (big.hosts - small.hosts);
      parts.push(`${big.hosts} hosts ${(g.bytes.big / 1024).toFixed(1)} KB (+${g.extraPeers} ingress peers, ${perHost.toFixed(0)} B per added host${g.unexplained.length ? `; also differs: ${g.unexplained.join(', ')}` : ''})`);
      if (g.unexplained.length > 0 || g.extraPeers !== big.hosts - small.hosts) ok = false;
    }
    console.log(`  ${parts.join('; ')}`);
  }
  console.log(`a host's folder grows only by the ingress peers: ${ok ? 'ok' : 'FAILED'}`);
  return ok;
}

const sumBytes = (f: HostFolder): number => [...f.values()].reduce((n, s) => n + Buffer.byteLength(s), 0);

function main(): number {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);
  const base = process.env['BENCH_DIR'] ?? (existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());
  const work = mkdtempSync(path.join(base, 'netform-fleet-'));
  try {
    console.log(`netform fleet benchmark: ${SIZES.join(', ')} hosts x ${PER_HOST} containers, ${RUNS} runs each; node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const sizes = runSizes(work);
    const timeOk = timeTable(sizes);
    const foldersOk = sizes.length < 2 || folderTable(sizes);
    console.log(`\nload after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}${KEEP ? `; outputs kept in ${work}` : ''}`);
    return timeOk && foldersOk ? 0 : 1;
  } finally {
    if (!KEEP) rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main();
