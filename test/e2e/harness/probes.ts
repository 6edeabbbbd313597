// Running the probes of a matrix and judging them. A probe holds when the kernel does what the matrix
// says; a probe that needs a kernel feature this machine lacks is skipped with the reason, never
// passed; a probe marked known_bug must still fail (when it starts to hold, the marker must go).
import { randomBytes } from 'node:crypto';
import { canonicalAddr, familyOf } from '../../../src/net/index.ts';
import type { Agents } from './agent-process.ts';
import type { EtcFiles } from './deploy.ts';
import { inNetns, run, runAsync } from './exec.ts';
import type { ConnProbe, GetentProbe, HostsProbe, LinksProbe, NeedFeature, Probe } from './matrix.ts';
import { addressOf, namespaceOf, type World } from './world.ts';

export type Outcome = 'held' | 'failed' | 'skipped' | 'known-bug';

export interface ProbeResult {
  readonly text: string;
  readonly outcome: Outcome;
  readonly detail: string;
}

/** How long a connection probe waits for an answer: a blocked probe costs this much. */
export const PROBE_TIMEOUT_MS = 400;
/**
 * A probe that should reach (or arrive) and did not is tried once more, waiting this long: on a busy
 * machine an answer can take longer than PROBE_TIMEOUT_MS, and a slow answer is still an answer. A
 * blocked probe is never retried (waiting longer could only make it fail).
 */
const RETRY_TIMEOUT_MS = 3000;
/** getent, cat and ip in a namespace answer at once; the limit only catches one that hangs. */
const COMMAND_TIMEOUT_MS = 20_000;

export type Features = Record<NeedFeature, { readonly ok: boolean; readonly why: string }>;

/**
 * What the host namespaces' kernel offers, read after setup.sh ran: br_netfilter's
 * bridge-nf-call-iptables must exist (it is a module this machine may not have) and be on, in every
 * host namespace.
 */
export function detectFeatures(hostNamespaces: readonly string[]): Features {
  for (const ns of hostNamespaces) {
    const [ip, args] = inNetns(ns, 'cat', ['/proc/sys/net/bridge/bridge-nf-call-iptables']);
    const r = run(ip, args);
    const where = hostNamespaces.length > 1 ? ` in ${ns}` : ' in the host namespace';
    if (r.status !== 0) return { br_netfilter: { ok: false, why: `br_netfilter is not loaded (no /proc/sys/net/bridge${where}), and modules cannot be loaded here` } };
    if (r.stdout.trim() !== '1') return { br_netfilter: { ok: false, why: `net.bridge.bridge-nf-call-iptables is 0${where}` } };
  }
  return { br_netfilter: { ok: true, why: '' } };
}

export interface ProbeContext {
  readonly world: World;
  readonly agents: Agents;
  readonly features: Features;
}

interface Judgement {
  readonly held: boolean;
  readonly detail: string;
}

async function conn(p: ConnProbe, ctx: ProbeContext): Promise<Judgement> {
  const first = await connOnce(p, ctx, PROBE_TIMEOUT_MS);
  if (first.held || p.expect === 'blocked') return first;
  const second = await connOnce(p, ctx, RETRY_TIMEOUT_MS);
  return second.held ? { held: true, detail: `${second.detail} (on a second try, waiting ${RETRY_TIMEOUT_MS} ms)` } : first;
}

async function connOnce(p: ConnProbe, ctx: ProbeContext, timeoutMs: number): Promise<Judgement> {
  const w = ctx.world;
  const host = addressOf(w, p.to.addr, p.family);
  const token = randomBytes(6).toString('hex');
  const client = await ctx.agents.get(namespaceOf(w, p.from));
  const r = await client.request({ op: 'probe', proto: p.proto, host, port: p.to.port, token, timeoutMs });
  // Did the request reach the server named in the matrix (even if its answer was lost)?
  const server = await ctx.agents.get(namespaceOf(w, p.server.server));
  const s = await server.request({ op: 'seen', proto: p.proto, port: p.server.port, token });
  const seenFrom = s.ok ? (s.seenFrom ?? undefined) : undefined;

  const target = `${host.includes(':') ? `[${host}]` : host}:${p.to.port}`;
  const answer = r.ok ? r.answer! : undefined;
  const what = [
    answer ? `answered by ${answer.server}:${answer.port}, which saw ${answer.peer}` : `no answer (${r.ok ? 'empty' : r.error})`,
    seenFrom !== undefined && !answer ? `but ${p.server.server}:${p.server.port} received it from ${seenFrom}` : '',
  ].filter(Boolean);
  const detail = `${target}: ${what.join(', ')}`;
  const sourceOk = (peer: string): Judgement | undefined => {
    if (!p.source) return undefined;
    const want = addressOf(w, p.source, p.family);
    return canonicalAddr(peer) === want ? undefined : { held: false, detail: `${detail}; expected source ${want} (${p.source})` };
  };

  if (p.expect === 'blocked') return { held: !answer && seenFrom === undefined, detail };
  if (p.expect === 'arrives') {
    if (seenFrom === undefined) return { held: false, detail: `${detail}; ${p.server.server}:${p.server.port} never received it` };
    return sourceOk(seenFrom) ?? { held: true, detail };
  }
  if (!answer) return { held: false, detail };
  if (answer.server !== p.server.server || answer.port !== p.server.port) return { held: false, detail: `${detail}; expected ${p.server.server}:${p.server.port}` };
  return sourceOk(answer.peer) ?? { held: true, detail };
}

async function inNs(ns: string, cmd: string, args: readonly string[]) {
  const [ip, argv] = inNetns(ns, cmd, args);
  return runAsync(ip, argv, COMMAND_TIMEOUT_MS);
}

async function getent(p: GetentProbe, ctx: ProbeContext): Promise<Judgement> {
  const r = await inNs(namespaceOf(ctx.world, p.from), 'getent', ['hosts', p.name]);
  // getent exits 2 when the name is not found.
  if (r.status === 2) return { held: p.resolves === 'none', detail: `${p.name}: not found` };
  if (r.status !== 0) return { held: false, detail: `getent exited ${r.status}: ${r.stderr.trim()}` };
  const got = canonicalAddr(r.stdout.trim().split(/\s+/)[0] ?? '') ?? r.stdout.trim();
  if (p.resolves === 'none') return { held: false, detail: `${p.name} resolves to ${got}` };
  const want = addressOf(ctx.world, p.resolves, familyOf(got) ?? 4);
  return { held: got === want, detail: `${p.name} resolves to ${got}${got === want ? '' : `; expected ${want} (${p.resolves})`}` };
}

/** Names in a hosts file (every field after the address, comments aside). */
const hostsNames = (text: string): Set<string> =>
  new Set(text.split('\n').flatMap((l) => l.replace(/#.*/, '').trim().split(/\s+/).slice(1)));

async function hosts(p: HostsProbe, ctx: ProbeContext): Promise<Judgement> {
  const r = await inNs(namespaceOf(ctx.world, p.in), 'cat', ['/etc/hosts']);
  if (r.status !== 0) return { held: false, detail: `cat /etc/hosts: ${r.stderr.trim()}` };
  const names = hostsNames(r.stdout);
  const missing = p.has.filter((n) => !names.has(n));
  const extra = p.lacks.filter((n) => names.has(n));
  const held = !missing.length && !extra.length;
  return { held, detail: held ? `/etc/hosts names: ${[...names].join(' ')}` : `/etc/hosts ${missing.length ? `lacks ${missing.join(', ')}` : ''}${extra.length ? ` has ${extra.join(', ')}` : ''}` };
}

async function links(p: LinksProbe, ctx: ProbeContext): Promise<Judgement> {
  const r = await inNs(namespaceOf(ctx.world, p.in), 'ip', ['-o', 'link', 'show']);
  if (r.status !== 0) return { held: false, detail: `ip -o link: ${r.stderr.trim()}` };
  const names = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => (l.split(': ')[1] ?? '').replace(/@.*/, ''));
  const missing = p.has.filter((n) => !names.includes(n));
  const onlyOk = !p.only || (names.length === p.only.length && p.only.every((n) => names.includes(n)));
  return { held: !missing.length && onlyOk, detail: `links: ${names.join(' ')}${missing.length ? `; missing ${missing.join(', ')}` : ''}` };
}

function judge(text: string, knownBug: string | undefined, j: Judgement): ProbeResult {
  if (!knownBug) return { text, outcome: j.held ? 'held' : 'failed', detail: j.detail };
  if (j.held) return { text, outcome: 'failed', detail: `${j.detail} -- marked known_bug (${knownBug}) but it holds now: remove the marker` };
  return { text, outcome: 'known-bug', detail: `${j.detail} -- known bug: ${knownBug}` };
}

export async function runProbe(p: Probe, ctx: ProbeContext): Promise<ProbeResult> {
  if (p.needs && !ctx.features[p.needs].ok) return { text: p.text, outcome: 'skipped', detail: `needs ${p.needs}: ${ctx.features[p.needs].why}` };
  let j: Judgement;
  try {
    j = await (p.kind === 'conn' ? conn(p, ctx) : p.kind === 'getent' ? getent(p, ctx) : p.kind === 'hosts' ? hosts(p, ctx) : links(p, ctx));
  } catch (e) {
    j = { held: false, detail: `harness error: ${(e as Error).message}` };
  }
  return judge(p.text, p.knownBug, j);
}

/** Every file a container's namespace should see under /etc is the one installed (the bind mounts took). */
export async function checkEtc({ container, ns, files }: EtcFiles): Promise<ProbeResult> {
  const wrong: string[] = [];
  for (const [name, content] of files) {
    const r = await inNs(ns, 'cat', [`/etc/${name}`]);
    if (r.stdout !== content) wrong.push(`/etc/${name}`);
  }
  return {
    text: `files: ${container}`,
    outcome: wrong.length ? 'failed' : 'held',
    detail: wrong.length ? `${wrong.join(', ')} differ from the build` : `${[...files.keys()].join(', ')} as built`,
  };
}
