// npm run bench: how fast netform builds and how fast its output applies, next to floors measured in the
// same run (machines are noisy: only ratios measured side by side mean something).
//
//   npm run bench [-- --quick] [--runs N] [--cases seed,1k,10k,100k] [--no-kernel] [--no-apply] [--keep]
//                 [--slow-s S] [--settle-ms MS]
//
// --quick: no 100k case; --runs: runs per case after the warm-up (default 5; 100k at most 3); --keep:
// leave the work directory; --slow-s: a case whose warm-up build takes longer than S seconds (default
// 180) counts that one run; --settle-ms: pause after deleting namespaces (default 2000), which the
// kernel destroys in the background.
//
// Build: the real command line (`node bin/netform.js build FILE -o DIR`, a fresh DIR each run) on the
// seed example and on generated topologies (bench/generate.ts), next to `node -e 0` and to a script that
// only reads the file and runs YAML.parse on it (bench/floor-yaml.mjs; also without yaml's quadratic
// duplicate-key check, the floor a linear parser can reach), and to `netform validate` of the same file
// (the compile alone: what rendering and writing add is the difference). Wall time is the median of the
// runs after one warm-up, interleaved with the floors; peak RSS comes from /usr/bin/time. Outputs go to a
// tmpfs (/dev/shm) when there is one, so that the disk's write-back does not drown the compiler's time
// (BENCH_DIR overrides). Every run of a case must write the same bytes, and a case that is a prefix of
// another (same networks, first containers and ports) must give the same files for what they share.
//
// Kernel: iptables-restore of the largest iptables.rules in a scratch network namespace; then setup.sh
// plus iptables-restore for 20 networks / 100 containers / 100 ports in scratch namespaces, next to the
// kernel floor (the same namespaces and links made by a minimal `ip -batch` each, plus the same rules), and
// teardown.sh. Every namespace made here carries the prefix nfb<pid>- and is deleted on exit, failure
// included. Nothing is contacted.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, toJson, toYaml, type GenerateOptions } from './generate.ts';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const CLI = path.join(ROOT, 'bin', 'netform.js');
const FLOOR_YAML = path.join(ROOT, 'bench', 'floor-yaml.mjs');
const NODE = process.execPath;
const TIME = '/usr/bin/time';

// ------------------------------------------------------------------------------------------- options

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
};
const RUNS = Number(value('--runs') ?? 5);
/** A case whose warm-up build takes longer than this is not run again: its warm-up is its one run. */
const SLOW_MS = Number(value('--slow-s') ?? 180) * 1000;
const QUICK = flag('--quick');
const KEEP = flag('--keep');

interface Case {
  readonly key: string;
  readonly label: string;
  readonly gen?: GenerateOptions;
  /** Runs at this size (the 100k case takes minutes per run). */
  readonly runs: number;
  /** Runs of the default YAML.parse floor, which is quadratic in the size of a mapping. */
  readonly quadraticFloorRuns: number;
}

const CASES: readonly Case[] = [
  { key: 'seed', label: 'seed (examples/my-net.yaml)', runs: Math.max(RUNS, 10), quadraticFloorRuns: Math.max(RUNS, 10) },
  { key: '1k', label: '100 nets / 1,000 ctrs / 2,000 ports', gen: { networks: 100, containers: 1000, ports: 2000 }, runs: RUNS, quadraticFloorRuns: RUNS },
  { key: '10k', label: '1,000 / 10,000 / 20,000', gen: { networks: 1000, containers: 10_000, ports: 20_000 }, runs: RUNS, quadraticFloorRuns: RUNS },
  { key: '100k', label: '1,000 / 100,000 / 200,000', gen: { networks: 1000, containers: 100_000, ports: 200_000 }, runs: Math.min(RUNS, 3), quadraticFloorRuns: 1 },
];
/** A case that is a prefix of 1k (same 100 networks, its first 500 containers and 1,000 ports). */
const PREFIX_OF_1K: GenerateOptions = { networks: 100, containers: 500, ports: 1000 };
const APPLY: GenerateOptions = { networks: 20, containers: 100, ports: 100 };
/** Pause after deleting namespaces: the kernel destroys them in the background, and would slow the next step. */
const SETTLE_MS = Number(value('--settle-ms') ?? 2000);
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const wanted = value('--cases')?.split(',') ?? (QUICK ? ['seed', '1k', '10k'] : CASES.map((c) => c.key));
const cases = CASES.filter((c) => wanted.includes(c.key));

// ------------------------------------------------------------------------------------------- helpers

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmtMs = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 100 ? 1 : 0)} ms`);
const fmtMB = (kb: number): string => (kb >= 1024 * 1024 ? `${(kb / 1024 / 1024).toFixed(2)} GiB` : `${(kb / 1024).toFixed(0)} MiB`);
const fmtBytes = (b: number): string => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`);
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
const log = (s: string) => process.stderr.write(`${s}\n`);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

interface Timed {
  readonly ms: number;
  /** Peak RSS in KiB (0 when /usr/bin/time is missing). */
  readonly rssKB: number;
}

const haveTime = existsSync(TIME);

/** Runs a command to completion; wall time measured here, peak RSS by /usr/bin/time. Fails loudly. */
function timed(cmd: readonly string[], options: SpawnSyncOptions = {}): Timed {
  const rssFile = path.join(WORK, 'rss');
  const full = haveTime ? [TIME, '-f', '%M', '-o', rssFile, ...cmd] : [...cmd];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0]!, full.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20, ...options });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: exit ${r.status ?? r.signal}\n${String(r.stderr ?? '').slice(-2000)}`);
  const rssKB = haveTime ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : 0;
  return { ms, rssKB };
}

function run(cmd: readonly string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', maxBuffer: 256 << 20, ...options });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: exit ${r.status ?? r.signal}\n${String(r.stderr ?? '').slice(-2000)}`);
  return String(r.stdout ?? '');
}

/** Every file under dir, by relative path, sorted. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out.sort();
}

/** A hash of a whole output tree (paths and contents), read in blocks: topology.json can exceed a string. */
function treeHash(dir: string): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const rel of listFiles(dir)) {
    h.update(`${rel}\0`);
    const fd = openSync(path.join(dir, rel), 'r');
    try {
      for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) h.update(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }
  return h.digest('hex');
}

// ------------------------------------------------------------------------------------------- work dir

function workDir(): string {
  const base = process.env['BENCH_DIR'] ?? (existsSync('/dev/shm') && statSync('/dev/shm').isDirectory() ? '/dev/shm' : os.tmpdir());
  mkdirSync(base, { recursive: true });
  return mkdtempSync(path.join(base, 'netform-bench-'));
}
const WORK = workDir();

// ------------------------------------------------------------------------------------------- namespaces

const NS = `nfb${process.pid}-`;
const madeNamespaces = new Set<string>();

function addNamespace(name: string): void {
  run(['ip', 'netns', 'add', name]);
  madeNamespaces.add(name);
}

/** Deletes every namespace this process made (those carrying its prefix): one batch, failures tolerated. */
function deleteNamespaces(prefix = NS): void {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  const ours = String(listed.stdout ?? '')
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(prefix));
  if (ours.length > 0) spawnSync('ip', ['-force', '-batch', '-'], { input: ours.map((n) => `netns del ${n}\n`).join(''), stdio: ['pipe', 'ignore', 'ignore'] });
  for (const n of [...madeNamespaces]) if (n.startsWith(prefix)) madeNamespaces.delete(n);
}

function cleanup(): void {
  if (madeNamespaces.size > 0 || process.getuid?.() === 0) {
    try {
      deleteNamespaces();
    } catch {
      // best effort: we are exiting
    }
  }
  if (!KEEP) rmSync(WORK, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    log(`bench: ${sig}, cleaning up`);
    process.exit(130);
  });
}

/** Why the kernel sections cannot run here, or undefined when they can. */
function kernelUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  for (const tool of ['ip', 'iptables-restore', 'ip6tables-restore']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not found`;
  }
  const probe = `${NS}probe`;
  try {
    addNamespace(probe);
    run(['ip', 'netns', 'exec', probe, 'iptables-restore', '--test'], { input: '*filter\nCOMMIT\n' });
  } catch (e) {
    return `cannot use a scratch network namespace (${(e as Error).message.split('\n')[0]})`;
  } finally {
    deleteNamespaces(probe);
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------- inputs

interface Input {
  readonly file: string;
  readonly bytes: number;
  readonly containers: number;
}

function writeGenerated(name: string, o: GenerateOptions): Input {
  const g = generate(o);
  const file = path.join(WORK, `${name}.yaml`);
  writeFileSync(file, toYaml(g));
  writeFileSync(path.join(WORK, `${name}.json`), toJson(g));
  return { file, bytes: statSync(file).size, containers: o.containers };
}

function inputOf(c: Case): Input {
  if (!c.gen) {
    const file = path.join(ROOT, 'examples', 'my-net.yaml');
    return { file, bytes: statSync(file).size, containers: 1 };
  }
  return writeGenerated(c.key, c.gen);
}

// ------------------------------------------------------------------------------------------- build

interface BuildResult {
  readonly c: Case;
  readonly input: Input;
  readonly node: number;
  readonly yaml: number;
  readonly yamlRuns: number;
  readonly yamlLinear: number;
  /** `netform validate` of the same file: the whole compile, no output rendered or written. */
  readonly validate: number;
  readonly build: number;
  readonly rss: number;
  readonly yamlRss: number;
  /** How many builds the median is of (1 when the warm-up was too slow to repeat). */
  readonly buildRuns: number;
  /** A kept output directory of this case (for the prefix checks and the kernel section). */
  readonly out: string;
}

let buildSeq = 0;
const buildCmd = (file: string, out: string) => [NODE, CLI, 'build', file, '-o', out];

function benchCase(c: Case): BuildResult {
  const input = inputOf(c);
  log(`bench: ${c.label}: ${fmtBytes(input.bytes)} of YAML, ${c.runs} runs after a warm-up`);
  const node: number[] = [];
  const yaml: number[] = [];
  const yamlRss: number[] = [];
  const linear: number[] = [];
  const validate: number[] = [];
  const build: number[] = [];
  const rss: number[] = [];
  const hashes = new Set<string>();
  let kept = '';
  for (let i = 0; i <= c.runs; i++) {
    const warm = i === 0;
    const n = timed([NODE, '-e', '0']);
    // The default YAML.parse is minutes long at 100k: there it is measured apart, after the loop.
    const quadratic = c.quadraticFloorRuns >= c.runs ? timed([NODE, FLOOR_YAML, input.file]) : undefined;
    const lin = timed([NODE, FLOOR_YAML, input.file, '--no-unique-keys']);
    const v = timed([NODE, CLI, 'validate', input.file]);
    const out = path.join(WORK, `out-${c.key}-${buildSeq++}`);
    const b = timed(buildCmd(input.file, out));
    hashes.add(treeHash(out));
    if (!kept) kept = out;
    else {
      // `-o out` is a link to the output in .out.netform/ (src/cli/output-dir.ts): remove both.
      rmSync(out, { recursive: true, force: true });
      rmSync(path.join(WORK, `.${path.basename(out)}.netform`), { recursive: true, force: true });
    }
    if (!warm) {
      node.push(n.ms);
      if (quadratic) {
        yaml.push(quadratic.ms);
        yamlRss.push(quadratic.rssKB);
      }
      linear.push(lin.ms);
      validate.push(v.ms);
      build.push(b.ms);
      rss.push(b.rssKB);
    }
    log(`  run ${warm ? 'warm-up' : i}: build ${fmtMs(b.ms)} (${fmtMB(b.rssKB)}), validate ${fmtMs(v.ms)}, YAML.parse ${quadratic ? fmtMs(quadratic.ms) : '-'}, linear ${fmtMs(lin.ms)}, node ${fmtMs(n.ms)}`);
    if (warm && b.ms > SLOW_MS) {
      log(`  the warm-up took more than ${SLOW_MS / 1000} s: it is this case's only run`);
      node.push(n.ms);
      if (quadratic) {
        yaml.push(quadratic.ms);
        yamlRss.push(quadratic.rssKB);
      }
      linear.push(lin.ms);
      validate.push(v.ms);
      build.push(b.ms);
      rss.push(b.rssKB);
      break;
    }
  }
  for (let i = yaml.length; i < c.quadraticFloorRuns && yaml.length < c.quadraticFloorRuns; i++) {
    const q = timed([NODE, FLOOR_YAML, input.file]);
    log(`  YAML.parse (default options): ${fmtMs(q.ms)}`);
    yaml.push(q.ms);
    yamlRss.push(q.rssKB);
  }
  if (hashes.size !== 1) throw new Error(`${c.label}: the runs wrote different bytes (${hashes.size} distinct trees)`);
  return {
    c,
    input,
    node: median(node),
    yaml: median(yaml),
    yamlRuns: yaml.length,
    yamlLinear: median(linear),
    validate: median(validate),
    build: median(build),
    rss: Math.max(...rss),
    yamlRss: Math.max(...yamlRss),
    buildRuns: build.length,
    out: kept,
  };
}

// ------------------------------------------------------------------------------------------- prefix checks

const hostDir = (out: string) => path.join(out, 'bench');

/** `small`'s lines appear in `big` in the same order (a subsequence); returns the first line that does not. */
function subsequenceMiss(small: string, big: string): string | undefined {
  const b = big.split('\n');
  let j = 0;
  for (const line of small.split('\n')) {
    while (j < b.length && b[j] !== line) j++;
    if (j === b.length) return line;
    j++;
  }
  return undefined;
}

/** Each container's part of setup.sh ("# Container NAME." to the closing brace of container_N), by name. */
function containerBlocks(setup: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of setup.matchAll(/^# Container (\S+)\.\n[\s\S]*?\ncontainer_\d+\(\) \{\n[\s\S]*?\n\}\n/gm)) out.set(m[1]!, m[0]);
  return out;
}

/**
 * The output for a prefix of an input must be the output for the whole input, restricted to what the
 * prefix has: the same per-container files, the same setup.sh blocks, its rules in the same order among
 * the bigger set's and, when `json`, the same topology entries (containers, endpoints, ports: a prefix
 * of the bigger lists; bridges equal).
 */
function checkPrefix(label: string, smallOut: string, bigOut: string, containers: number, json: boolean): string[] {
  const problems: string[] = [];
  const s = hostDir(smallOut);
  const b = hostDir(bigOut);
  for (let i = 0; i < containers; i++) {
    for (const f of ['hosts', 'resolv.conf']) {
      const rel = `containers/c-${i}/${f}`;
      if (readFileSync(path.join(s, rel), 'utf8') !== readFileSync(path.join(b, rel), 'utf8')) problems.push(`${rel} differs`);
    }
  }
  for (const f of ['iptables.rules', 'ip6tables.rules']) {
    const miss = subsequenceMiss(readFileSync(path.join(s, f), 'utf8'), readFileSync(path.join(b, f), 'utf8'));
    if (miss !== undefined) problems.push(`${f}: "${miss}" is not among the bigger build's rules in order`);
  }
  const bigBlocks = containerBlocks(readFileSync(path.join(b, 'setup.sh'), 'utf8'));
  const smallBlocks = containerBlocks(readFileSync(path.join(s, 'setup.sh'), 'utf8'));
  if (smallBlocks.size !== containers) problems.push(`setup.sh: ${smallBlocks.size} container blocks, expected ${containers}`);
  for (const [name, block] of smallBlocks) if (bigBlocks.get(name) !== block) problems.push(`setup.sh: the block of ${name} differs`);
  if (json) {
    type T = { containers: unknown[]; endpoints: unknown[]; ports: unknown[]; bridges: unknown[] };
    const st = JSON.parse(readFileSync(path.join(s, 'topology.json'), 'utf8')) as T;
    const bt = JSON.parse(readFileSync(path.join(b, 'topology.json'), 'utf8')) as T;
    for (const k of ['containers', 'endpoints', 'ports'] as const) {
      const a = st[k].map((x) => JSON.stringify(x));
      const c = bt[k].slice(0, a.length).map((x) => JSON.stringify(x));
      const i = a.findIndex((x, n) => x !== c[n]);
      if (i >= 0) problems.push(`topology.json: ${k}[${i}] differs`);
    }
    if (JSON.stringify(st.bridges) !== JSON.stringify(bt.bridges)) problems.push('topology.json: bridges differ');
  }
  log(`bench: prefix check ${label}: ${problems.length === 0 ? 'ok' : `${problems.length} problems`}`);
  return problems.slice(0, 10).map((p) => `${label}: ${p}`);
}

// ------------------------------------------------------------------------------------------- kernel

interface RestoreResult {
  readonly label: string;
  readonly rules: number;
  readonly ms: number;
  readonly build: number;
}

function countRules(file: string): number {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('-A ')).length;
}

/** iptables-restore of a build's rules in a fresh scratch namespace (median of `runs`). */
function restoreTime(r: BuildResult, runs: number): RestoreResult[] {
  const out: RestoreResult[] = [];
  for (const [tool, f] of [['iptables-restore', 'iptables.rules'], ['ip6tables-restore', 'ip6tables.rules']] as const) {
    const file = path.join(hostDir(r.out), f);
    if (!existsSync(file)) continue;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const ns = `${NS}restore${i}`;
      addNamespace(ns);
      try {
        const fd = openSync(file, 'r');
        try {
          times.push(timed(['ip', 'netns', 'exec', ns, tool], { stdio: [fd, 'ignore', 'pipe'] }).ms);
        } finally {
          closeSync(fd);
        }
      } finally {
        deleteNamespaces(ns);
      }
    }
    out.push({ label: `${f} of ${r.c.key}`, rules: countRules(file), ms: median(times), build: r.build });
  }
  return out;
}

interface ApplyResult {
  readonly floor: number;
  readonly apply: number;
  readonly setup: number;
  readonly teardown: number;
  readonly runs: number;
  readonly namespaces: number;
  readonly links: number;
}

interface TopologyForFloor {
  containers: { name: string; networking: { kind: string } }[];
  bridges: { name: string }[];
  endpoints: { hostIfname: string; ifname: string; container: string; bridge: string }[];
}

/**
 * setup.sh + iptables-restore against the kernel floor, interleaved, each round in fresh namespaces
 * (`nfb<pid>-a<round>-`): the host side in a scratch namespace, the containers' beside it.
 */
function applyBench(runs: number): ApplyResult {
  const input = writeGenerated('apply', APPLY);
  const out = path.join(WORK, 'out-apply');
  run(buildCmd(input.file, out));
  const dir = hostDir(out);
  const t = JSON.parse(readFileSync(path.join(dir, 'topology.json'), 'utf8')) as TopologyForFloor;
  const own = t.containers.filter((c) => c.networking.kind === 'netns');
  // The floor: the same namespaces, bridges and veth pairs (each peer made in its namespace, under its
  // final name), attached and up; nothing else. Namespaces are made by a plain `ip` (not under -n).
  const floorScripts = (prefix: string) => ({
    ns: own.map((c) => `netns add ${prefix}${c.name}\n`).join(''),
    links: [
      ...t.bridges.flatMap((b) => [`link add name ${b.name} type bridge`, `link set dev ${b.name} up`]),
      ...t.endpoints.flatMap((e) => [
        `link add name ${e.hostIfname} type veth peer name ${e.ifname} netns ${prefix}${e.container}`,
        `link set dev ${e.hostIfname} master ${e.bridge}`,
        `link set dev ${e.hostIfname} up`,
      ]),
    ].join('\n') + '\n',
  });
  const rules = [['iptables-restore', 'iptables.rules'], ['ip6tables-restore', 'ip6tables.rules']].filter(([, f]) => existsSync(path.join(dir, f!)));
  const restore = (host: string) => rules.map(([tool, f]) => `ip netns exec ${host} ${tool} < ${path.join(dir, f!)}`).join(' && ');
  const floor: number[] = [];
  const apply: number[] = [];
  const setup: number[] = [];
  const teardown: number[] = [];
  for (let i = 0; i <= runs; i++) {
    // Floor.
    {
      const prefix = `${NS}f${i}-`;
      const host = `${prefix}host`;
      addNamespace(host);
      const s = floorScripts(prefix);
      writeFileSync(path.join(WORK, 'floor-ns.batch'), s.ns);
      writeFileSync(path.join(WORK, 'floor-links.batch'), s.links);
      for (const c of own) madeNamespaces.add(`${prefix}${c.name}`);
      const ms = timed(['sh', '-ec', `ip -batch ${WORK}/floor-ns.batch && ip -n ${host} -batch ${WORK}/floor-links.batch && ${restore(host)}`]).ms;
      deleteNamespaces(prefix);
      sleep(SETTLE_MS);
      if (i > 0) floor.push(ms);
    }
    // setup.sh + rules, then teardown.sh.
    {
      const prefix = `${NS}a${i}-`;
      const host = `${prefix}host`;
      addNamespace(host);
      for (const c of own) madeNamespaces.add(`${prefix}${c.name}`);
      const env = { ...process.env, NETFORM_HOST_NETNS: host, NETFORM_NETNS_PREFIX: prefix };
      const t0 = process.hrtime.bigint();
      const s = timed(['sh', path.join(dir, 'setup.sh')], { env });
      const a = timed(['sh', '-ec', restore(host)]);
      const total = Number(process.hrtime.bigint() - t0) / 1e6;
      const td = timed(['sh', path.join(dir, 'teardown.sh')], { env });
      const left = String(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout)
        .split('\n')
        .filter((l) => l.startsWith(prefix) && !l.startsWith(host));
      if (left.length > 0) throw new Error(`teardown.sh left ${left.length} namespaces behind (${left[0]})`);
      deleteNamespaces(prefix);
      sleep(SETTLE_MS);
      if (i > 0) {
        apply.push(total);
        setup.push(s.ms);
        teardown.push(td.ms);
      }
      void a;
    }
    if (i > 0) log(`  apply round ${i}: floor ${fmtMs(floor.at(-1)!)}, setup.sh + rules ${fmtMs(apply.at(-1)!)}, teardown.sh ${fmtMs(teardown.at(-1)!)}`);
  }
  return {
    floor: median(floor),
    apply: median(apply),
    setup: median(setup),
    teardown: median(teardown),
    runs,
    namespaces: own.length,
    links: t.bridges.length + t.endpoints.length,
  };
}

// ------------------------------------------------------------------------------------------- main

function main(): number {
  log(`bench: work directory ${WORK} (outputs are written there), node ${process.version}, ${os.cpus().length} CPUs`);
  const results: BuildResult[] = [];
  for (const c of cases) results.push(benchCase(c));
  const by = new Map(results.map((r) => [r.c.key, r]));

  // Prefix checks: 500 containers against 1k (everything, topology.json included), 10k against 100k.
  const problems: string[] = [];
  if (by.has('1k')) {
    const input = writeGenerated('prefix-of-1k', PREFIX_OF_1K);
    const out = path.join(WORK, 'out-prefix-of-1k');
    run(buildCmd(input.file, out));
    problems.push(...checkPrefix('500 of 1k', out, by.get('1k')!.out, PREFIX_OF_1K.containers, true));
    // The same data as JSON gives the same files (setup.sh and teardown.sh name their source).
    const jsonOut = path.join(WORK, 'out-prefix-of-1k-json');
    run(buildCmd(input.file.replace(/\.yaml$/, '.json'), jsonOut));
    for (const rel of listFiles(hostDir(out))) {
      if (rel.endsWith('.sh')) continue;
      if (readFileSync(path.join(hostDir(out), rel), 'utf8') !== readFileSync(path.join(hostDir(jsonOut), rel), 'utf8')) problems.push(`JSON input: ${rel} differs from the YAML build`);
    }
  }
  if (by.has('10k') && by.has('100k')) problems.push(...checkPrefix('10k of 100k', by.get('10k')!.out, by.get('100k')!.out, 10_000, false));

  const rows = results.map((r) => {
    const perCtr = r.c.gen ? `${((r.build * 1000) / r.input.containers).toFixed(0)} µs` : '';
    return [
      r.c.label,
      fmtBytes(r.input.bytes),
      fmtMs(r.node),
      `${fmtMs(r.yaml)}${r.yamlRuns < r.c.runs ? ` (${r.yamlRuns} run)` : ''}`,
      fmtMs(r.yamlLinear),
      fmtMs(r.validate),
      `${fmtMs(r.build)}${r.buildRuns < r.c.runs ? ` (${r.buildRuns} run)` : ''}`,
      fmtMB(r.rss),
      r.c.gen ? ratio(r.build, r.yaml) : ratio(r.build, r.node),
      r.c.gen ? ratio(r.build, r.yamlLinear) : '',
      perCtr,
    ];
  });
  const out: string[] = [];
  out.push(`## netform build (median of ${RUNS} runs after a warm-up; 100k: ${Math.min(RUNS, 3)} runs; node ${process.version}, ${os.cpus().length} CPUs, outputs on ${WORK.startsWith('/dev/shm') ? 'tmpfs' : 'disk'})`);
  out.push('');
  out.push(table(['case', 'YAML', 'node -e 0', 'YAML.parse', 'YAML.parse, no dup-key check', 'validate', 'build', 'build peak RSS', 'build / floor', 'build / linear parse', 'per container'], rows));
  out.push('');
  out.push('floor: `node -e 0` for the seed example, `YAML.parse` (bench/floor-yaml.mjs) for generated ones. yaml\'s duplicate-key check is');
  out.push('quadratic in the size of one mapping; "no dup-key check" is the same parse without it (what netform\'s own linear check allows).');
  out.push('validate: `netform validate` of the same file, the whole compile (parse, schema, model, IPAM, topology) without rendering or');
  out.push('writing any output; build minus validate is what rendering and writing the files cost.');
  const targets: string[] = [];
  const seed = by.get('seed');
  if (seed) targets.push(`seed: build / node -e 0 = ${ratio(seed.build, seed.node)} (target <= 2x)`);
  const k10 = by.get('10k');
  if (k10) {
    targets.push(`10k: build / YAML.parse = ${ratio(k10.build, k10.yaml)} (target <= 1.3x), / linear parse = ${ratio(k10.build, k10.yamlLinear)}; peak RSS ${fmtMB(k10.rss)} (target <= 1 GiB)`);
    targets.push(`10k: validate (compile, no output) / YAML.parse = ${ratio(k10.validate, k10.yaml)}, / linear parse = ${ratio(k10.validate, k10.yamlLinear)}`);
  }
  const k100 = by.get('100k');
  if (k10 && k100) {
    const per10 = k10.build / 10_000;
    const per100 = k100.build / 100_000;
    targets.push(`linearity: time per container at 100k / at 10k = ${ratio(per100, per10)} (target <= 1.2x); YAML.parse alone: ${ratio(k100.yaml / 100_000, k10.yaml / 10_000)}, without the dup-key check: ${ratio(k100.yamlLinear / 100_000, k10.yamlLinear / 10_000)}`);
  }
  out.push('');
  for (const t of targets) out.push(`- ${t}`);
  out.push(`- determinism: every run of a case wrote the same bytes; prefix checks: ${problems.length === 0 ? 'ok' : 'FAILED'}`);
  for (const p of problems) out.push(`  - ${p}`);

  const why = flag('--no-kernel') ? 'skipped (--no-kernel)' : kernelUnavailable();
  out.push('');
  if (why) {
    out.push(`## kernel: ${why}`);
  } else {
    const largest = [...results].reverse().find((r) => r.c.gen);
    if (largest) {
      log(`bench: iptables-restore of the ${largest.c.key} rules in a scratch namespace`);
      const rs = restoreTime(largest, largest.c.key === '100k' ? 3 : Math.min(RUNS, 5));
      out.push('## iptables-restore of the largest build, in a scratch network namespace');
      out.push('');
      out.push(table(['file', 'rules', 'iptables-restore', 'netform build of the case', 'restore / build'], rs.map((r) => [r.label, String(r.rules), fmtMs(r.ms), fmtMs(r.build), ratio(r.ms, r.build)])));
      out.push('');
    }
    if (!flag('--no-apply')) {
      log('bench: applying 20 networks / 100 containers / 100 ports');
      const a = applyBench(RUNS);
      out.push(`## applying 20 networks / 100 containers / 100 ports (${a.namespaces} namespaces, ${a.links} links; median of ${a.runs} rounds)`);
      out.push('');
      out.push(
        table(
          ['step', 'time', 'vs kernel floor'],
          [
            ['kernel floor: ip -batch (namespaces), ip -batch (links), iptables-restore', fmtMs(a.floor), '1.00x'],
            ['setup.sh + iptables-restore (apply)', fmtMs(a.apply), ratio(a.apply, a.floor)],
            ['  of which setup.sh', fmtMs(a.setup), ratio(a.setup, a.floor)],
            ['teardown.sh', fmtMs(a.teardown), ratio(a.teardown, a.floor)],
          ],
        ),
      );
      out.push('');
      out.push(`- apply: setup.sh + rules / kernel floor = ${ratio(a.apply, a.floor)} (target <= 1.5x)`);
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return problems.length === 0 ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (e) {
  log(`bench: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
}
