// Namespaces and host links: desired against live and the last apply. An object netform wants that is
// live but was not netform's is a conflict (nothing is changed); one netform made that is gone is
// drift, made again; one no longer wanted is removed, after everything else (a veth goes with its
// namespace). Attributes are changed in place where ip can (MTU, MAC, addresses, master, hairpin); a
// veth whose namespace end moved is replaced.
import type { Change, IpBatch } from './plan-types.ts';
import type { BridgeLink, HostLink, HostNetwork, Live, LiveLink, VethLink } from './types.ts';
import { bridgeAddr, bridgeCreate, interfaceCreate, linkDel, routeLine, vethCreate } from './network-lines.ts';
import { safeWord as w } from './read.ts';

export interface LinkPlan {
  readonly changes: Change[];
  readonly conflicts: string[];
  /** Namespaces made in this apply (their inside starts empty). */
  readonly freshNs: Set<string>;
  readonly goneNs: string[];
  /**
   * Host batch lines: first the veths that go or are made again (a new veth may take the name its old
   * one had inside the namespace: eth0 moving to another network), then creates and changes.
   */
  readonly preLines: string[];
  readonly hostLines: string[];
  /** What undoes them, one group per object, in the order of the objects (run last group first). */
  readonly preUndo: IpBatch[][];
  readonly hostUndo: IpBatch[][];
  /** Veths made in this apply (their namespace end needs its settings). */
  readonly freshPeers: Set<string>;
  /** Veths that go while their namespace stays (deleted in preLines), and those that go with their namespace. */
  readonly deleteVeths: VethLink[];
  readonly implicitVeths: VethLink[];
  readonly deleteBridges: BridgeLink[];
  /** Links made in this apply (their sysctls appear with them). */
  readonly freshLinks: Set<string>;
}

const peerKey = (ns: string, ifname: string) => `${ns}/${ifname}`;

/** An IPv6 link-local address (fe80::/10) with its prefix length. */
const isLinkLocal = (cidr: string): boolean => /^fe[89ab][0-9a-f]:/i.test(cidr);

const describe = (l: HostLink): string =>
  l.kind === 'bridge'
    ? `link ${l.name} (bridge, mtu ${l.mtu}${l.addresses.length ? `, ${l.addresses.join(' ')}` : ''})`
    : `link ${l.name} (veth to ${l.peer.netns} ${l.peer.ifname}, master ${l.master}, mtu ${l.mtu})`;

function sameSpec(a: HostLink, b: HostLink): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What differs between a wanted link and the live one: lines to run, their undo, and what to print. */
function linkDiff(want: HostLink, live: LiveLink): { lines: string[]; undo: string[]; details: string[] } {
  const lines: string[] = [];
  const undo: string[] = [];
  const details: string[] = [];
  const n = w(want.name);
  if (live.mtu !== want.mtu) {
    lines.push(`link set dev ${n} mtu ${want.mtu}`);
    undo.push(`link set dev ${n} mtu ${live.mtu}`);
    details.push(`mtu ${live.mtu} -> ${want.mtu}`);
  }
  if (want.kind === 'bridge') {
    if (live.mac.toLowerCase() !== want.mac.toLowerCase()) {
      lines.push(`link set dev ${n} address ${w(want.mac)}`);
      undo.push(`link set dev ${n} address ${w(live.mac)}`);
      details.push(`mac ${live.mac} -> ${want.mac}`);
    }
    // The kernel gives every IPv6 link a link-local address of its own: that one stays (as dockerd 27+
    // leaves it and any fe80::1 an older dockerd added: interface_linux.go programIPv6Addresses).
    for (const a of live.addresses.filter((x) => !want.addresses.includes(x) && !isLinkLocal(x))) {
      lines.push(bridgeAddr('del', want, a));
      undo.push(bridgeAddr('add', want, a));
      details.push(`- address ${a}`);
    }
    for (const a of want.addresses.filter((x) => !live.addresses.includes(x))) {
      lines.push(bridgeAddr('add', want, a));
      undo.push(bridgeAddr('del', want, a));
      details.push(`+ address ${a}`);
    }
  } else {
    if (live.master !== want.master) {
      lines.push(`link set dev ${n} master ${w(want.master)}`);
      undo.push(live.master ? `link set dev ${n} master ${w(live.master)}` : `link set dev ${n} nomaster`);
      details.push(`master ${live.master ?? '(none)'} -> ${want.master}`);
    }
    if ((live.hairpin ?? false) !== want.hairpin) {
      lines.push(`link set dev ${n} type bridge_slave hairpin ${want.hairpin ? 'on' : 'off'}`);
      undo.push(`link set dev ${n} type bridge_slave hairpin ${want.hairpin ? 'off' : 'on'}`);
      details.push(`hairpin ${want.hairpin ? 'off -> on' : 'on -> off'}`);
    }
  }
  if (!live.up) {
    lines.push(`link set dev ${n} up`);
    undo.push(`link set dev ${n} down`);
    details.push('down -> up');
  }
  return { lines, undo, details };
}

/** The batches that make a link netform applied again as it was (a veth with its namespace end's settings). */
export function recreate(l: HostLink, last: HostNetwork, hostMac?: string): IpBatch[] {
  if (l.kind === 'bridge') return [{ where: 'host', lines: bridgeCreate(l) }];
  const inside = last.interfaces.find((i) => i.netns === l.peer.netns && i.ifname === l.peer.ifname);
  const routes = last.routes.filter((r) => r.netns === l.peer.netns && r.device === l.peer.ifname);
  return [
    { where: 'host', lines: vethCreate(l, hostMac) },
    { where: { netns: l.peer.netns }, lines: [...(inside ? interfaceCreate(inside) : []), ...routes.map((r) => routeLine('add', r))] },
  ];
}

export function planLinks(desired: HostNetwork, last: HostNetwork, live: Live): LinkPlan {
  const p: LinkPlan = {
    changes: [],
    conflicts: [],
    freshNs: new Set(),
    goneNs: [],
    preLines: [],
    hostLines: [],
    preUndo: [],
    hostUndo: [],
    freshPeers: new Set(),
    deleteVeths: [],
    implicitVeths: [],
    deleteBridges: [],
    freshLinks: new Set(),
  };
  planNamespaces(p, desired, last, live);
  planWantedLinks(p, desired, last, live);
  planGoneLinks(p, desired, last, live);
  return p;
}

/** Namespaces to make (or refuse: one of that name that netform did not make) and to delete. */
function planNamespaces(p: LinkPlan, desired: HostNetwork, last: HostNetwork, live: Live): void {
  const liveNs = new Set(live.namespaces);
  const lastNs = new Set(last.namespaces);
  const wantNs = new Set(desired.namespaces);
  for (const ns of desired.namespaces) {
    if (!liveNs.has(ns)) {
      p.freshNs.add(ns);
      p.changes.push({ id: `netns/${ns}`, kind: 'network namespace', label: `network namespace ${ns}`, action: 'create', details: [], drift: lastNs.has(ns), part: 'network', ...(lastNs.has(ns) ? { note: 'made by netform, deleted since' } : {}) });
    } else if (!lastNs.has(ns)) {
      p.conflicts.push(`network namespace ${ns} already exists and netform did not make it`);
    }
  }
  for (const ns of last.namespaces) {
    if (wantNs.has(ns) || !liveNs.has(ns)) continue;
    p.goneNs.push(ns);
    p.changes.push({ id: `netns/${ns}`, kind: 'network namespace', label: `network namespace ${ns}`, action: 'delete', details: [], drift: false, part: 'network' });
  }
}

/** The links the file wants: made, replaced (its kind or namespace end changed) or updated in place. */
function planWantedLinks(p: LinkPlan, desired: HostNetwork, last: HostNetwork, live: Live): void {
  const lastLinks = new Map(last.links.map((l) => [l.name, l] as const));
  // Bridges first: veths name them as their master.
  const ordered = [...desired.links.filter((l) => l.kind === 'bridge'), ...desired.links.filter((l) => l.kind === 'veth')];
  for (const want of ordered) {
    const lv = live.links[want.name];
    const had = lastLinks.get(want.name);
    const create = (action: 'create' | 'replace', drift: boolean, note?: string) => {
      p.freshLinks.add(want.name);
      if (want.kind === 'bridge') p.hostLines.push(...bridgeCreate(want));
      else {
        p.hostLines.push(...vethCreate(want));
        p.freshPeers.add(peerKey(want.peer.netns, want.peer.ifname));
      }
      p.hostUndo.push([{ where: 'host', lines: [linkDel(want.name)] }]);
      p.changes.push({ id: `link/${want.name}`, kind: 'link', label: describe(want), action, details: [], drift, part: 'network', ...(note ? { note } : {}) });
    };
    if (!lv) {
      create('create', had !== undefined && !(want.kind === 'veth' && p.freshNs.has(want.peer.netns)), had ? 'made by netform, deleted since' : undefined);
      continue;
    }
    if (!had) {
      p.conflicts.push(`link ${want.name} already exists in the host namespace and netform did not make it`);
      continue;
    }
    const moved = want.kind === 'veth' && (had.kind !== 'veth' || had.peer.netns !== want.peer.netns || had.peer.ifname !== want.peer.ifname || !lv.peerElsewhere);
    if (lv.kind !== want.kind || moved) {
      p.preLines.push(linkDel(want.name));
      p.preUndo.push(recreate(had, last, lv.mac));
      create('replace', lv.kind !== want.kind, moved ? 'its namespace end changes' : `it is a ${lv.kind ?? 'device'} now`);
      continue;
    }
    const d = linkDiff(want, lv);
    if (!d.lines.length) continue;
    p.hostLines.push(...d.lines);
    p.hostUndo.push([{ where: 'host', lines: d.undo.reverse() }]);
    // Live differs although the wanted link did not change since the last apply: changed by hand.
    p.changes.push({ id: `link/${want.name}`, kind: 'link', label: describe(want), action: 'update', details: d.details, drift: sameSpec(had, want), part: 'network' });
  }
}

/** Links of the last apply that the file no longer has: a veth whose namespace goes is deleted with it. */
function planGoneLinks(p: LinkPlan, desired: HostNetwork, last: HostNetwork, live: Live): void {
  const goneNs = new Set(p.goneNs);
  const wantLinks = new Set(desired.links.map((l) => l.name));
  for (const had of last.links) {
    if (wantLinks.has(had.name) || !live.links[had.name]) continue;
    p.changes.push({ id: `link/${had.name}`, kind: 'link', label: describe(had), action: 'delete', details: [], drift: false, part: 'network' });
    if (had.kind === 'bridge') p.deleteBridges.push(had);
    else if (goneNs.has(had.peer.netns)) p.implicitVeths.push(had);
    else {
      p.deleteVeths.push(had);
      p.preLines.push(linkDel(had.name));
      p.preUndo.push(recreate(had, last, live.links[had.name]?.mac));
    }
  }
}
