// Macvlan links of containers: made from the host namespace on their parent with their final name in
// the container's namespace (setup.sh's links_N), deleted inside it when the container leaves the
// network while its namespace stays, made again when their parent or mode changes. Their addresses,
// MAC and routes are the container's Interface and routes (plan-inside.ts). A parent that is not a
// link of the host is refused: Docker's macvlan driver needs it (macvlan_network.go createNetwork).
import type { Change, IpBatch } from './plan-types.ts';
import type { HostNetwork, Live, MacvlanLink } from './types.ts';
import { interfaceCreate, routeLine } from './network-lines.ts';
import { safeWord as w } from './read.ts';

export interface MacvlanPlan {
  readonly changes: Change[];
  readonly conflicts: string[];
  readonly hostLines: string[];
  readonly hostUndo: IpBatch[][];
  /** Deletions inside namespaces that stay, before the host links are made. */
  readonly pre: { readonly batch: IpBatch; readonly undo: IpBatch[] }[];
  readonly freshPeers: string[];
  readonly gonePeers: string[];
}

const key = (m: MacvlanLink) => `${m.netns}/${m.ifname}`;
const label = (m: MacvlanLink) => `link ${m.netns} ${m.ifname} (macvlan on ${m.parent}, mode ${m.mode}, mtu ${m.mtu})`;

export const macvlanCreate = (m: MacvlanLink): string =>
  `link add link ${w(m.parent)} name ${w(m.ifname)} mtu ${m.mtu} netns ${w(m.netns)} type macvlan mode ${w(m.mode)}`;

/** The batches that make a macvlan link again as the last apply left it, with its settings. */
export function recreateMacvlan(m: MacvlanLink, last: HostNetwork): IpBatch[] {
  const inside = last.interfaces.find((i) => i.netns === m.netns && i.ifname === m.ifname);
  const routes = last.routes.filter((r) => r.netns === m.netns && r.device === m.ifname);
  return [
    { where: 'host', lines: [macvlanCreate(m)] },
    { where: { netns: m.netns }, lines: [...(inside ? interfaceCreate(inside) : []), ...routes.map((r) => routeLine('add', r))] },
  ];
}

const change = (m: MacvlanLink, action: Change['action'], drift = false, note?: string): Change => ({ id: `macvlan/${key(m)}`, kind: 'link', label: label(m), action, details: [], drift, part: 'network', ...(note ? { note } : {}) });

export function planMacvlans(desired: HostNetwork, last: HostNetwork, live: Live, freshNs: ReadonlySet<string>, goneNs: ReadonlySet<string>): MacvlanPlan {
  const p: MacvlanPlan = { changes: [], conflicts: [], hostLines: [], hostUndo: [], pre: [], freshPeers: [], gonePeers: [] };
  const lastBy = new Map((last.macvlans ?? []).map((m) => [key(m), m] as const));
  const liveNs = new Set(live.namespaces);
  const standing = (ns: string) => !freshNs.has(ns) && !goneNs.has(ns) && liveNs.has(ns);
  for (const m of desired.macvlans ?? []) {
    const had = lastBy.get(key(m));
    const read = live.interiors[m.netns];
    const present = had !== undefined && standing(m.netns) && (read ? read.links[m.ifname] !== undefined : true);
    const same = had !== undefined && had.parent === m.parent && had.mode === m.mode && had.mtu === m.mtu;
    if (present && same) continue;
    if (!live.links[m.parent]) {
      p.conflicts.push(`the macvlan parent ${m.parent} of ${m.netns} ${m.ifname} is not a link of the host`);
      continue;
    }
    if (present) p.pre.push({ batch: { where: { netns: m.netns }, lines: [`link del ${w(m.ifname)}`] }, undo: recreateMacvlan(had, last) });
    p.hostLines.push(macvlanCreate(m));
    p.hostUndo.push([{ where: { netns: m.netns }, lines: [`link del ${w(m.ifname)}`] }]);
    p.freshPeers.push(key(m));
    const drift = had !== undefined && !present && standing(m.netns);
    p.changes.push(change(m, present ? 'replace' : 'create', drift, present ? 'its parent, mode or MTU changes' : drift ? 'made by netform, deleted since' : undefined));
  }
  const wanted = new Set((desired.macvlans ?? []).map(key));
  for (const had of last.macvlans ?? []) {
    if (wanted.has(key(had))) continue;
    if (!goneNs.has(had.netns) && !standing(had.netns)) continue;
    p.changes.push(change(had, 'delete'));
    p.gonePeers.push(key(had));
    if (!goneNs.has(had.netns)) p.pre.push({ batch: { where: { netns: had.netns }, lines: [`link del ${w(had.ifname)}`] }, undo: recreateMacvlan(had, last) });
  }
  return p;
}

/** What undoes deleting these namespaces, after they are made again: their macvlan links. */
export const recreateMacvlansIn = (last: HostNetwork, gone: ReadonlySet<string>): IpBatch[] => (last.macvlans ?? []).filter((m) => gone.has(m.netns)).flatMap((m) => recreateMacvlan(m, last));
