// Reading the static forwarding state inside overlay namespaces: the permanent neighbour entries on
// vxlan0 and its FDB entries with a remote VTEP (all-zero MAC: flood). Read where the inside of the
// namespace is read (plan --deep, or a namespace the plan changes), so that an entry someone deleted or
// added by hand shows as drift, as the links do. Entries learned from traffic are not netform's.
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

/** `live` with the entries of the overlay namespaces among `read` (those whose inside was read). */
export async function withOverlays(system: System, live: Live, read: readonly string[], overlays: ReadonlySet<string>): Promise<Live> {
  const wanted = read.filter((ns) => overlays.has(ns) && live.namespaces.includes(ns) && !live.overlays?.[ns]);
  if (!wanted.length) return live;
  return { ...live, overlays: { ...live.overlays, ...(await readOverlays(system, wanted)) } };
}
