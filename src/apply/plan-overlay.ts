// Overlay namespaces and their veths: desired against the last apply and, where netform read it, the
// inside of the overlay namespace. A namespace made in this apply gets everything setup.sh gives it
// (the VXLAN device made in the host namespace and moved in, br0 with the gateway, the neighbour and
// FDB entries, its ports); an existing one gets only the entries that change: a peer that joined or
// left on another host is one neighbour and one FDB entry. The VXLAN device itself (VNI, underlay
// address, port) is not changed in place: that is refused with what to do instead.
import type { Change, IpBatch } from './plan-types.ts';
import type { HostNetwork, Live, LiveInterior, LiveOverlay, NamespaceVeth, OverlayNetns } from './types.ts';
import { bridgeAddr, fdbAdd, fdbDel, floodAdd, floodDel, namespaceVethCreate, neighAdd, neighDel, overlayFdb, overlayInside, portLines, vxlanCreate } from './overlay-lines.ts';
import { interfaceCreate, LO_UP, routeLine } from './network-lines.ts';
import { safeWord as w } from './read.ts';

type Batch = { readonly batch: IpBatch; readonly undo: IpBatch[] };

export interface OverlayPlan {
  readonly changes: Change[];
  readonly conflicts: string[];
  /** Host namespace lines (VXLAN devices, namespace veths), and what undoes them, one group per object. */
  readonly hostLines: string[];
  readonly hostUndo: IpBatch[][];
  /** Namespace veths that go while both their namespaces stay, deleted before the host links are made. */
  readonly pre: Batch[];
  /** Per overlay namespace: its `ip` lines, then its `bridge` lines. */
  readonly inside: Batch[];
  readonly forwarding: Batch[];
  /** Container ends (`netns/ifname`) of veths made in this apply, and of those that go. */
  readonly freshPeers: string[];
  readonly gonePeers: string[];
  /** Existing overlay namespaces that change (worth reading before planning again). */
  readonly touched: string[];
}

const peerKey = (v: NamespaceVeth) => `${v.peer.netns}/${v.peer.ifname}`;
const vethLabel = (v: NamespaceVeth) => `link ${v.name} (veth in ${v.netns} to ${v.peer.netns} ${v.peer.ifname}, mtu ${v.mtu})`;
const overlayLabel = (o: OverlayNetns) =>
  `overlay ${o.netns} (vxlan id ${o.vni}${o.local ? ` local ${o.local}` : ''} dstport ${o.port}, mtu ${o.mtu}, br0 ${o.bridgeAddresses.join(' ')}, ` +
  `${o.fdb.length} remote endpoint(s) on ${o.floods.length} other host(s))`;

function change(id: string, kind: string, label: string, action: Change['action'], details: string[] = [], drift = false, note?: string): Change {
  return { id, kind, label, action, details, drift, part: 'network', ...(note ? { note } : {}) };
}

/** The MAC a link inside a namespace had, where netform read it (a link made again gets it back). */
const macIn = (live: Live, ns: string, link: string): string | undefined => live.interiors[ns]?.links[link]?.mac;

/** The batches that make a namespace veth again as the last apply left it: both ends, the container end's settings, the port. */
export function recreateVeth(v: NamespaceVeth, last: HostNetwork, live: Live): IpBatch[] {
  const inside = last.interfaces.find((i) => i.netns === v.peer.netns && i.ifname === v.peer.ifname);
  const routes = last.routes.filter((r) => r.netns === v.peer.netns && r.device === v.peer.ifname);
  return [
    { where: 'host', lines: [namespaceVethCreate(v, macIn(live, v.netns, v.name))] },
    { where: { netns: v.peer.netns }, lines: [...(inside ? interfaceCreate(inside) : []), ...routes.map((r) => routeLine('add', r))] },
    { where: { netns: v.netns }, lines: portLines(v) },
  ];
}

/** What undoes deleting these namespaces, after they are made again: their overlays, namespace veths and rules. */
export function recreateGone(last: HostNetwork, gone: ReadonlySet<string>, live: Live): IpBatch[] {
  const out: IpBatch[] = [];
  for (const o of last.overlays ?? []) {
    if (!gone.has(o.netns)) continue;
    out.push({ where: 'host', lines: vxlanCreate(o, macIn(live, o.netns, 'vxlan0')) }, { where: { netns: o.netns }, lines: overlayInside(o).filter((l) => l !== LO_UP) });
    if (o.floods.length + o.fdb.length) out.push({ where: { netns: o.netns }, lines: overlayFdb(o), program: 'bridge' });
  }
  for (const v of last.namespaceVeths ?? []) if (gone.has(v.netns) || gone.has(v.peer.netns)) out.push(...recreateVeth(v, last, live));
  for (const r of last.netnsRules ?? []) if (gone.has(r.netns)) out.push({ where: { netns: r.netns }, lines: r.text.trimEnd().split('\n'), program: 'iptables-restore' });
  return out;
}

export function planOverlays(desired: HostNetwork, last: HostNetwork, live: Live, freshNs: ReadonlySet<string>, goneNs: ReadonlySet<string>): OverlayPlan {
  const p: OverlayPlan = { changes: [], conflicts: [], hostLines: [], hostUndo: [], pre: [], inside: [], forwarding: [], freshPeers: [], gonePeers: [], touched: [] };
  const ports = planVeths(p, desired, last, live, freshNs, goneNs);
  const lastOverlays = new Map((last.overlays ?? []).map((o) => [o.netns, o] as const));
  for (const o of desired.overlays ?? []) {
    const had = lastOverlays.get(o.netns);
    if (freshNs.has(o.netns)) createOverlay(p, o, had, live, ports.get(o.netns) ?? { lines: [], undo: [] });
    else if (!had) p.conflicts.push(`network namespace ${o.netns} exists and is not an overlay netform made`);
    else updateOverlay(p, o, had, live.interiors[o.netns], live.overlays?.[o.netns], ports.get(o.netns) ?? { lines: [], undo: [] });
  }
  const wanted = new Set((desired.overlays ?? []).map((o) => o.netns));
  for (const o of last.overlays ?? []) {
    if (!wanted.has(o.netns) && goneNs.has(o.netns)) {
      p.changes.push(change(`overlay/${o.netns}`, 'overlay', overlayLabel(o), 'delete'));
      p.touched.push(o.netns);
    }
  }
  return p;
}

function createOverlay(p: OverlayPlan, o: OverlayNetns, had: OverlayNetns | undefined, live: Live, ports: { lines: string[] }): void {
  if (live.links[o.vxlan]) {
    p.conflicts.push(`link ${o.vxlan} already exists in the host namespace and netform did not make it`);
    return;
  }
  p.hostLines.push(...vxlanCreate(o));
  // Once moved, the device goes with its namespace; this undoes a failure before the move.
  p.hostUndo.push([{ where: 'host', lines: [`link del ${w(o.vxlan)}`] }]);
  p.inside.push({ batch: { where: { netns: o.netns }, lines: [...overlayInside(o), ...ports.lines] }, undo: [] });
  const fdb = overlayFdb(o);
  if (fdb.length) p.forwarding.push({ batch: { where: { netns: o.netns }, lines: fdb, program: 'bridge' }, undo: [] });
  p.changes.push(change(`overlay/${o.netns}`, 'overlay', overlayLabel(o), 'create', [], had !== undefined, had ? 'made by netform, deleted since' : undefined));
}

/** Lines that take a set of keyed entries from `have` to `want`, with their undo (in the order to run it). */
function entryDiff<T>(have: readonly T[], want: readonly T[], key: (x: T) => string, add: (x: T) => string, del: (x: T) => string, show: (x: T) => string) {
  const h = new Map(have.map((x) => [key(x), x] as const));
  const wnt = new Map(want.map((x) => [key(x), x] as const));
  const lines: string[] = [];
  const undo: string[] = [];
  const details: string[] = [];
  for (const [k, x] of h) if (!wnt.has(k)) (lines.push(del(x)), undo.unshift(add(x)), details.push(`- ${show(x)}`));
  for (const [k, x] of wnt) if (!h.has(k)) (lines.push(add(x)), undo.unshift(del(x)), details.push(`+ ${show(x)}`));
  return { lines, undo, details };
}

/**
 * An overlay namespace that stays: br0 and the forwarding entries compared with what was read inside
 * it (`read`, `entries`) or, where netform did not look, with what the last apply left; what was read
 * and differs from the last apply although the file did not change it is drift.
 */
function updateOverlay(p: OverlayPlan, o: OverlayNetns, had: OverlayNetns, read: LiveInterior | undefined, entries: LiveOverlay | undefined, ports: { lines: string[]; undo: string[] }): void {
  if (had.vni !== o.vni || had.local !== o.local || had.port !== o.port || had.vxlan !== o.vxlan) {
    p.conflicts.push(`overlay ${o.netns}: its VXLAN device changes (VNI ${had.vni} -> ${o.vni}, local ${had.local ?? '-'} -> ${o.local ?? '-'}, dstport ${had.port} -> ${o.port}); apply does not remake it in place: run netform destroy, then apply`);
    return;
  }
  if (read && (!read.links['br0'] || !read.links['vxlan0'])) {
    p.conflicts.push(`overlay ${o.netns} has no ${read.links['br0'] ? 'vxlan0' : 'br0'} (changed outside netform): run netform destroy, then apply`);
    return;
  }
  const br = read?.links['br0'] ?? { mac: had.bridgeMac, mtu: had.mtu, up: true, addresses: had.bridgeAddresses };
  const lines: string[] = [];
  const undo: string[] = [];
  const details: string[] = [];
  if (br.mtu !== o.mtu) {
    lines.push(`link set dev br0 mtu ${o.mtu}`, `link set dev vxlan0 mtu ${o.mtu}`);
    undo.unshift(`link set dev vxlan0 mtu ${br.mtu}`, `link set dev br0 mtu ${br.mtu}`);
    details.push(`mtu ${br.mtu} -> ${o.mtu}`);
  }
  if (br.mac.toLowerCase() !== o.bridgeMac.toLowerCase()) {
    lines.push(`link set dev br0 address ${w(o.bridgeMac)}`);
    undo.unshift(`link set dev br0 address ${w(br.mac)}`);
    details.push(`br0 mac ${br.mac} -> ${o.bridgeMac}`);
  }
  const addr = entryDiff(br.addresses, o.bridgeAddresses, (a) => a, (a) => bridgeAddr('add', a), (a) => bridgeAddr('del', a), (a) => `br0 address ${a}`);
  const have = entries ?? had;
  const neigh = entryDiff(have.neighbours, o.neighbours, (n) => `${n.ip} ${n.mac}`, neighAdd, neighDel, (n) => `neighbour ${n.ip} lladdr ${n.mac}`);
  lines.push(...addr.lines, ...neigh.lines, ...ports.lines);
  undo.unshift(...ports.undo, ...neigh.undo, ...addr.undo);
  details.push(...addr.details, ...neigh.details);
  const floods = entryDiff(have.floods, o.floods, (d) => d, floodAdd, floodDel, (d) => `fdb 00:00:00:00:00:00 dst ${d} (flood)`);
  const fdb = entryDiff(have.fdb, o.fdb, (f) => `${f.mac} ${f.dst}`, fdbAdd, fdbDel, (f) => `fdb ${f.mac} dst ${f.dst}`);
  details.push(...floods.details, ...fdb.details);
  if (lines.length) p.inside.push({ batch: { where: { netns: o.netns }, lines }, undo: undo.length ? [{ where: { netns: o.netns }, lines: undo }] : [] });
  const fdbLines = [...floods.lines, ...fdb.lines];
  if (fdbLines.length) p.forwarding.push({ batch: { where: { netns: o.netns }, lines: fdbLines, program: 'bridge' }, undo: [{ where: { netns: o.netns }, lines: [...fdb.undo, ...floods.undo], program: 'bridge' }] });
  if (lines.length || fdbLines.length) p.touched.push(o.netns);
  const sameSpec = JSON.stringify(had) === JSON.stringify(o);
  if (details.length) p.changes.push(change(`overlay/${o.netns}`, 'overlay', overlayLabel(o), 'update', details, sameSpec && (read !== undefined || entries !== undefined)));
}

/**
 * Namespace veths: made (both namespaces new, or the veth gone or moved), changed in place (MTU),
 * deleted (gone from the file while both namespaces stay). Returns each overlay namespace's port lines.
 */
function planVeths(p: OverlayPlan, desired: HostNetwork, last: HostNetwork, live: Live, freshNs: ReadonlySet<string>, goneNs: ReadonlySet<string>) {
  const ports = new Map<string, { lines: string[]; undo: string[] }>();
  const portsOf = (ns: string) => ports.get(ns) ?? (ports.set(ns, { lines: [], undo: [] }), ports.get(ns)!);
  const lastVeths = new Map((last.namespaceVeths ?? []).map((v) => [v.name, v] as const));
  const liveNs = new Set(live.namespaces);
  const stands = (ns: string) => !freshNs.has(ns) && !goneNs.has(ns) && liveNs.has(ns);
  const standing = (v: NamespaceVeth) => stands(v.netns) && stands(v.peer.netns);
  for (const v of desired.namespaceVeths ?? []) {
    const had = lastVeths.get(v.name);
    const read = live.interiors[v.netns];
    const moved = had !== undefined && (had.netns !== v.netns || peerKey(had) !== peerKey(v));
    const present = had !== undefined && standing(had) && (read && had.netns === v.netns ? read.links[v.name] !== undefined : true);
    if (present && !moved) {
      if (had.mtu !== v.mtu) {
        portsOf(v.netns).lines.push(`link set dev ${w(v.name)} mtu ${v.mtu}`);
        portsOf(v.netns).undo.push(`link set dev ${w(v.name)} mtu ${had.mtu}`);
        p.changes.push(change(`nsveth/${v.name}`, 'link', vethLabel(v), 'update', [`mtu ${had.mtu} -> ${v.mtu}`]));
      }
      continue;
    }
    if (present && moved) {
      p.touched.push(had.netns);
      p.pre.push({ batch: { where: { netns: had.netns }, lines: [`link del ${w(had.name)}`] }, undo: recreateVeth(had, last, live) });
      if (peerKey(had) !== peerKey(v)) p.gonePeers.push(peerKey(had));
    }
    p.hostLines.push(namespaceVethCreate(v));
    p.hostUndo.push([{ where: { netns: v.netns }, lines: [`link del ${w(v.name)}`] }]);
    p.freshPeers.push(peerKey(v));
    portsOf(v.netns).lines.push(...portLines(v));
    const drift = had !== undefined && !moved && standing(had);
    p.changes.push(change(`nsveth/${v.name}`, 'link', vethLabel(v), moved ? 'replace' : 'create', [], drift, drift ? 'made by netform, deleted since' : moved ? 'its namespace end changes' : undefined));
  }
  const wanted = new Set((desired.namespaceVeths ?? []).map((v) => v.name));
  for (const had of last.namespaceVeths ?? []) {
    if (wanted.has(had.name)) continue;
    const implicit = goneNs.has(had.netns) || goneNs.has(had.peer.netns);
    if (!implicit && !standing(had)) continue;
    p.changes.push(change(`nsveth/${had.name}`, 'link', vethLabel(had), 'delete'));
    p.gonePeers.push(peerKey(had));
    if (!implicit) p.pre.push({ batch: { where: { netns: had.netns }, lines: [`link del ${w(had.name)}`] }, undo: recreateVeth(had, last, live) });
    // Read the overlay namespace first: undoing this makes the veth again with the MAC it had.
    if (liveNs.has(had.netns)) p.touched.push(had.netns);
  }
  return ports;
}
