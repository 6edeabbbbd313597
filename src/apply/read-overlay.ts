// Reading what netform put inside its namespaces besides links: the static forwarding state of overlay
// namespaces (the permanent neighbour entries on vxlan0, its FDB entries with a remote VTEP, all-zero
// MAC: flood) and the rules inside namespaces (iptables-save there). Read where the inside of the
// namespace is read (plan --deep, or a namespace the plan changes), so that an entry or rule someone
// deleted or added by hand shows as drift, as the links do. Entries learned from traffic are not netform's.
import { ApplyError } from './errors.ts';
import { safeWord } from './read.ts';
import type { System } from './system.ts';
import type { Live, LiveOverlay } from './types.ts';

const FLOOD = '00:00:00:00:00:00';

function parse<T>(what: string, text: string): T {
  try {
    return JSON.parse(text.trim() || '[]') as T;
  } catch (e) {
    throw new ApplyError(`netform: cannot read the output of ${what}: ${(e as Error).message}`);
  }
}

/** The entries of each of these namespaces; a namespace without vxlan0 is left out. */
export async function readOverlays(system: System, namespaces: readonly string[]): Promise<Record<string, LiveOverlay>> {
  const out: Record<string, LiveOverlay> = {};
  if (!namespaces.length) return out;
  const jobs = namespaces.flatMap((ns) => [
    { argv: ['ip', '-n', safeWord(ns), '-j', 'neigh', 'show', 'dev', 'vxlan0', 'nud', 'permanent'], options: { where: 'current' as const } },
    { argv: ['bridge', '-n', safeWord(ns), '-j', 'fdb', 'show', 'dev', 'vxlan0'], options: { where: 'current' as const } },
  ]);
  const results = await system.runAll(jobs, 8);
  namespaces.forEach((ns, k) => {
    const [n, f] = [results[2 * k]!, results[2 * k + 1]!];
    if (n.status !== 0 || f.status !== 0) return;
    const neighbours = parse<{ dst: string; lladdr?: string }[]>(`ip -n ${ns} neigh`, n.stdout).flatMap((x) => (x.lladdr ? [{ ip: x.dst, mac: x.lladdr }] : []));
    const entries = parse<{ mac: string; dst?: string; flags?: string[]; state?: string }[]>(`bridge -n ${ns} fdb`, f.stdout).filter((x) => x.dst && x.state === 'permanent' && (x.flags ?? []).includes('self'));
    out[ns] = {
      neighbours,
      fdb: entries.filter((x) => x.mac !== FLOOD).map((x) => ({ mac: x.mac, dst: x.dst! })),
      floods: entries.filter((x) => x.mac === FLOOD).map((x) => x.dst!),
    };
  });
  return out;
}

/** iptables-save inside each of these namespaces; a namespace where it fails is left out. */
async function readRules(system: System, namespaces: readonly string[]): Promise<Record<string, string>> {
  const results = await system.runAll(namespaces.map((ns) => ({ argv: ['ip', 'netns', 'exec', safeWord(ns), 'iptables-save'], options: { where: 'current' as const } })), 8);
  const out: Record<string, string> = {};
  namespaces.forEach((ns, k) => {
    if (results[k]!.status === 0) out[ns] = results[k]!.stdout;
  });
  return out;
}

/**
 * `live` with the forwarding entries of the overlay namespaces and the rules of the namespaces with
 * rules, among `read` (those whose inside was read).
 */
export async function withNamespaceState(system: System, live: Live, read: readonly string[], overlays: ReadonlySet<string>, rules: ReadonlySet<string>): Promise<Live> {
  const here = new Set(live.namespaces);
  const entries = read.filter((ns) => overlays.has(ns) && here.has(ns) && !live.overlays?.[ns]);
  const saved = read.filter((ns) => rules.has(ns) && here.has(ns) && live.netnsRules?.[ns] === undefined);
  if (!entries.length && !saved.length) return live;
  const [o, r] = await Promise.all([entries.length ? readOverlays(system, entries) : {}, saved.length ? readRules(system, saved) : {}]);
  return { ...live, overlays: { ...live.overlays, ...o }, netnsRules: { ...live.netnsRules, ...r } };
}
