// Property-based fuzzing of the whole compiler, shared by the suite (test/fuzz.test.ts: a fixed seed, a
// bounded budget) and the long run (bench/fuzz.ts). Two kinds of input, both from a seeded generator so
// that a failure is found again from its seed and index:
// - generated files: schema-shaped but semantically odd (overlapping and tiny subnets, odd pool sizes,
//   every engine, port ranges, IPv6, internal networks, links, network modes, hostile words);
// - mutations of the examples (examples/ and test/scenarios/): lines deleted, repeated or swapped,
//   numbers changed, characters inserted, values replaced, the text cut short.
// The property: compile never throws; every error is printed at file:line:col on one line; a file
// without errors yields output files whose structure holds (test/support/hostile.ts fileProblems).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { compile } from '../../src/compile.ts';
import { formatDiagnostics } from '../../src/diagnostics/format.ts';
import { testSecrets } from './examples.ts';
import { fileProblems, PAYLOADS } from './hostile.ts';

/** mulberry32: a small seeded generator, the same numbers on every machine. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const maybe = (r: Rng, p = 0.5): boolean => r() < p;

const ENGINES = ['29', '28', '27', '20.10'];
const BENIGN = ['a', 'web', 'db.local', 'x-y', 'svc.example', '.', 'ndots:2', 'ndots', 'ndots:x', 'timeout:1', 'host-gateway', 'A1', 'z'.repeat(70)];
const WORDS = [...BENIGN, ...PAYLOADS];
/** A word for a name or an option: hostile one time in six, so that most files get past validate. */
const word = (r: Rng): string => (maybe(r, 1 / 6) ? pick(r, PAYLOADS) : pick(r, BENIGN));

function subnet(r: Rng, v6: boolean): string {
  if (v6) return pick(r, ['fd00::/64', 'fd00:1::/48', 'fd00::/120', '2001:db8::/64', 'fe80::/64', 'ff05::/64', 'fd00::/127', '::/0', 'fd00:1::/64']);
  const len = pick(r, [8, 16, 24, 24, 28, 30, 31, 32]);
  return `10.${int(r, 0, 3)}.${int(r, 0, 3) * 64}.0/${len}`;
}

function address(r: Rng, v6: boolean): string {
  return v6 ? pick(r, ['fd00::5', 'fd00:1::2', '2001:db8::1', '::1', 'fd00::']) : `10.${int(r, 0, 3)}.${int(r, 0, 3) * 64}.${int(r, 0, 255)}`;
}

function port(r: Rng): string | number | Record<string, unknown> {
  const p = (): number => pick(r, [0, 1, 22, 53, 80, 8080, 65535, int(r, 1, 65535)]);
  switch (int(r, 0, 4)) {
    case 0: return p();
    case 1: return `${p()}:${p()}`;
    case 2: { const a = int(r, 1, 65000); const n = int(r, 0, 300); return `${pick(r, ['', '127.0.0.1:', '[::1]:', '0.0.0.0:'])}${a}-${a + n}:${a}-${a + n}/${pick(r, ['tcp', 'udp', 'sctp'])}`; }
    case 3: return { target: p(), published: String(p()), protocol: pick(r, ['tcp', 'udp']), ...(maybe(r) ? { host_ip: address(r, maybe(r, 0.3)) } : {}) };
    default: return `${pick(r, ['', '10.0.0.1:', '::1:'])}${p()}:${p()}`;
  }
}

/** A generated file: shaped like the schema, odd in its meaning. */
export function generated(r: Rng): string {
  const nets: Record<string, unknown> = {};
  const netNames: string[] = [];
  for (let i = 0; i < int(r, 0, 4); i++) {
    const name = `n${i}`;
    netNames.push(name);
    const v6 = maybe(r, 0.3);
    nets[name] = {
      ...(maybe(r, 0.2) ? { driver: pick(r, ['bridge', 'macvlan', 'ipvlan', 'overlay']) } : {}),
      ...(maybe(r, 0.3) ? { internal: true } : {}),
      ...(v6 ? { enable_ipv6: true } : {}),
      ...(maybe(r, 0.6) ? { ipam: { config: Array.from({ length: int(r, 1, 2) }, (_, k) => ({ subnet: subnet(r, v6 && k > 0), ...(maybe(r, 0.3) ? { gateway: address(r, v6 && k > 0) } : {}), ...(maybe(r, 0.2) ? { ip_range: subnet(r, v6 && k > 0) } : {}) })) } } : {}),
      ...(maybe(r, 0.2) ? { driver_opts: pick(r, [{ 'com.docker.network.bridge.enable_icc': 'false' }, { 'com.docker.network.bridge.enable_ip_masquerade': 'false' }, { 'com.docker.network.driver.mtu': String(pick(r, [0, 68, 1500, 9000, 70000])) }, { parent: 'eth0' }]) } : {}),
    };
  }
  const containers: Record<string, unknown> = {};
  const names = Array.from({ length: int(r, 0, 5) }, (_, i) => `c${i}${maybe(r, 0.1) ? '.x' : ''}`);
  for (const name of names) {
    const joined = netNames.filter(() => maybe(r, 0.4));
    containers[name] = {
      ...(joined.length && maybe(r, 0.7) ? { networks: maybe(r) ? joined : Object.fromEntries(joined.map((n) => [n, maybe(r) ? null : { ...(maybe(r) ? { ipv4_address: address(r, false) } : {}), ...(maybe(r, 0.3) ? { aliases: [word(r)] } : {}), ...(maybe(r, 0.2) ? { ipv6_address: address(r, true) } : {}) }])) } : {}),
      ...(maybe(r, 0.1) ? { network_mode: pick(r, ['host', 'none', `container:${pick(r, names)}`, 'bridge']) } : {}),
      ...(maybe(r, 0.4) ? { ports: Array.from({ length: int(r, 1, 3) }, () => port(r)) } : {}),
      ...(maybe(r, 0.2) ? { dns_search: [word(r)] } : {}),
      ...(maybe(r, 0.2) ? { dns_opt: [word(r)] } : {}),
      ...(maybe(r, 0.2) ? { extra_hosts: [`${word(r)}:${pick(r, ['host-gateway', '1.2.3.4', '::1'])}`] } : {}),
      ...(maybe(r, 0.05) ? { links: [`${pick(r, names)}:${pick(r, ['alias', 'db'])}`] } : {}),
      ...(maybe(r, 0.1) ? { hostname: pick(r, ['h', 'a.b', 'x'.repeat(64)]) } : {}),
    };
  }
  const doc = {
    version: 1,
    ...(maybe(r, 0.5) ? { engine: pick(r, ENGINES) } : {}),
    ...(maybe(r, 0.2) ? { name_resolution: 'hosts' } : {}),
    host: { resolv_conf: pick(r, ['nameserver 10.0.0.1\n', '', 'nameserver 127.0.0.53\nsearch x\n', 'options ndots:3 edns0\nnameserver ::1\n']) },
    ...(maybe(r, 0.5) ? { daemon: {
      ...(maybe(r, 0.3) ? { 'default-address-pools': [{ base: subnet(r, maybe(r, 0.3)), size: pick(r, [0, 8, 24, 30, 32, 33, 64, 120, 128]) }] } : {}),
      ...(maybe(r, 0.2) ? { bip: `${address(r, false)}/${pick(r, [8, 16, 24, 30])}` } : {}),
      ...(maybe(r, 0.2) ? { ipv6: true, 'fixed-cidr-v6': subnet(r, true) } : {}),
      ...(maybe(r, 0.2) ? { iptables: false, icc: maybe(r) } : {}),
      ...(maybe(r, 0.2) ? { 'userland-proxy': false } : {}),
      ...(maybe(r, 0.2) ? { 'dns-search': [word(r)], 'dns-opts': [word(r)] } : {}),
    } } : {}),
    ...(netNames.length ? { networks: nets } : {}),
    ...(names.length ? { containers } : {}),
  };
  return stringify(doc, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });
}

/** An input and the folder the files it names (daemon.json, compose projects) are read from. */
export interface Input {
  readonly text: string;
  readonly dir?: string;
}

/** The example inputs, read once. */
let exampleInputs: Input[] | undefined;
export function examples(repo: string): Input[] {
  if (exampleInputs) return exampleInputs;
  const dirs = [path.join(repo, 'examples'), path.join(repo, 'test', 'scenarios')];
  exampleInputs = dirs.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => ({ text: readFileSync(path.join(dir, f), 'utf8'), dir })));
  return exampleInputs;
}

const INSERTS = ['\n', '\r', '\u0000', '#', ' ', '\t', ':', '-', '[', '{', '"', "'", '&a ', '*a', '!!binary ', '99999999999', '-1', '::', '/', '\u2028'];

/** One to three edits of an example's text. */
export function mutated(r: Rng, inputs: readonly Input[]): Input {
  const chosen = pick(r, inputs);
  return { text: mutatedText(r, chosen.text), ...(chosen.dir ? { dir: chosen.dir } : {}) };
}

function mutatedText(r: Rng, original: string): string {
  let text = original;
  for (let n = int(r, 1, 3); n > 0; n--) {
    const lines = text.split('\n');
    const i = int(r, 0, lines.length - 1);
    switch (int(r, 0, 6)) {
      case 0: lines.splice(i, 1); break;
      case 1: lines.splice(i, 0, lines[i]!); break;
      case 2: { const j = int(r, 0, lines.length - 1); [lines[i], lines[j]] = [lines[j]!, lines[i]!]; break; }
      case 3: lines[i] = lines[i]!.replace(/\d+/, () => String(pick(r, [0, 1, 8, 31, 32, 33, 64, 127, 128, 129, 255, 256, 65535, 65536, 4294967296]))); break;
      case 4: { const l = lines[i]!; const at = int(r, 0, l.length); lines[i] = l.slice(0, at) + pick(r, INSERTS) + l.slice(at); break; }
      case 5: lines[i] = lines[i]!.replace(/: .*$/, `: ${JSON.stringify(pick(r, WORDS))}`); break;
      default: return lines.slice(0, i).join('\n');
    }
    text = lines.join('\n');
  }
  return text;
}

/** The lines of the hosts' own files (resolv_conf, etc_hosts): the host's to write, copied as Docker copies them. */
function hostFileLines(text: string): Set<string> {
  const out = new Set<string>();
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: false });
  } catch {
    return out;
  }
  const d = (doc ?? {}) as Record<string, any>;
  const hosts = [d.host, ...Object.values((d.hosts ?? {}) as Record<string, unknown>)];
  for (const h of hosts) {
    for (const key of ['resolv_conf', 'etc_hosts']) {
      const v = h && typeof h === 'object' ? (h as Record<string, unknown>)[key] : undefined;
      if (typeof v === 'string') for (const l of v.split('\n')) out.add(l.trim());
    }
  }
  return out;
}

export interface Finding {
  readonly kind: 'crash' | 'hang' | 'bad-output' | 'bad-diagnostic';
  readonly detail: string;
  readonly input: string;
}

/** Compiles `text` and checks the property; `hangMs`: a compile slower than this counts as a hang. */
export function check(input: Input | string, hangMs: number): Finding[] {
  const { text, dir } = typeof input === 'string' ? { text: input, dir: undefined } : input;
  const read = (ref: string) => {
    if (!dir) return { error: 'no folder to read from', missing: true };
    try {
      return { file: ref, text: readFileSync(path.join(dir, ref), 'utf8') };
    } catch (e) {
      return { error: (e as Error).message, missing: (e as NodeJS.ErrnoException).code === 'ENOENT' };
    }
  };
  const t0 = performance.now();
  let r;
  try {
    r = compile({ file: 'fuzz.yaml', text }, read, { secrets: testSecrets() });
  } catch (e) {
    return [{ kind: 'crash', detail: (e as Error).stack ?? String(e), input: text }];
  }
  const out: Finding[] = [];
  const ms = performance.now() - t0;
  if (ms > hangMs) out.push({ kind: 'hang', detail: `${Math.round(ms)} ms`, input: text });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    let printed: string;
    try {
      printed = formatDiagnostics(r.diagnostics, [...r.sources].map(([file, s]) => ({ file, text: s.text, doc: s.parsed?.doc, lineCounter: s.parsed?.lineCounter })));
    } catch (e) {
      return [...out, { kind: 'crash', detail: `printing: ${(e as Error).stack}`, input: text }];
    }
    for (const block of printed.split('\n\n')) {
      const lines = block.split('\n');
      // Another file's trouble (a compose file that cannot be read) is one plain line.
      const placed = /^.+:\d+:\d+: (error|warning): /.test(lines[0]!) || (!lines[0]!.startsWith('fuzz.yaml:') && lines.length === 1);
      if (!placed) out.push({ kind: 'bad-diagnostic', detail: `no position: ${lines[0]}`, input: text });
      if (lines.length > 3 || lines.slice(1).some((l) => !/^ {3}[ \d]+ \| /.test(l))) out.push({ kind: 'bad-diagnostic', detail: `layout: ${JSON.stringify(block)}`, input: text });
    }
    return out;
  }
  if (!r.files) return [...out, { kind: 'bad-output', detail: 'no error and no files', input: text }];
  const ownLines = hostFileLines(text);
  for (const [name, content] of r.files) {
    for (const p of fileProblems(name, content, undefined, '\u0000none', ownLines)) out.push({ kind: 'bad-output', detail: p, input: text });
  }
  return out;
}
