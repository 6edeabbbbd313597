// The inside of each namespace netform made: its interfaces' settings and its default routes. A
// namespace made in this apply gets them all in one batch (as setup.sh's container_N); an existing one
// gets only the lines that change it, compared with what was read inside it or, where netform did not
// look, with what the last apply left.
import type { Change, IpBatch } from './plan-types.ts';
import type { DefaultRoute, HostNetwork, Interface, Live, LiveInterior } from './types.ts';
import { ifAddr, interfaceCreate, LO_UP, routeDel, routeLine } from './network-lines.ts';
import { safeWord as w } from './read.ts';

export interface InsidePlan {
  readonly changes: Change[];
  /** One batch per namespace, with its undo. */
  readonly batches: { readonly batch: IpBatch; readonly undo: IpBatch[] }[];
  /** Existing namespaces whose inside changes (worth reading before planning again). */
  readonly touched: string[];
}

const ifLabel = (i: Interface) => `interface ${i.netns} ${i.ifname} (${[...i.addresses, `mac ${i.mac}`].join(', ')})`;
const routeLabel = (r: DefaultRoute) => `route ${r.netns} ${r.family === 6 ? 'default6' : 'default'}${r.via ? ` via ${r.via}` : ''} dev ${r.device}`;

/** What the last apply left inside a namespace, standing in for a read. */
export function assumedInterior(ns: string, last: HostNetwork): LiveInterior {
  const links: Record<string, LiveInterior['links'][string]> = {};
  for (const i of last.interfaces) if (i.netns === ns) links[i.ifname] = { mac: i.mac, mtu: i.mtu, up: true, addresses: i.addresses };
  return { links, routes: last.routes.filter((r) => r.netns === ns) };
}

function interfaceDiff(want: Interface, have: LiveInterior['links'][string]) {
  const lines: string[] = [];
  const undo: string[] = [];
  const details: string[] = [];
  const n = w(want.ifname);
  if (have.mac.toLowerCase() !== want.mac.toLowerCase()) {
    lines.push(`link set dev ${n} address ${w(want.mac)}`);
    undo.push(`link set dev ${n} address ${w(have.mac)}`);
    details.push(`mac ${have.mac} -> ${want.mac}`);
  }
  if (have.mtu !== want.mtu) {
    lines.push(`link set dev ${n} mtu ${want.mtu}`);
    undo.push(`link set dev ${n} mtu ${have.mtu}`);
    details.push(`mtu ${have.mtu} -> ${want.mtu}`);
  }
  for (const a of have.addresses.filter((x) => !want.addresses.includes(x))) {
    lines.push(ifAddr('del', want, a));
    undo.push(ifAddr('add', want, a));
    details.push(`- address ${a}`);
  }
  for (const a of want.addresses.filter((x) => !have.addresses.includes(x))) {
    lines.push(ifAddr('add', want, a));
    undo.push(ifAddr('del', want, a));
    details.push(`+ address ${a}`);
  }
  if (!have.up) {
    lines.push(`link set dev ${n} up`);
    undo.push(`link set dev ${n} down`);
    details.push('down -> up');
  }
  return { lines, undo: undo.reverse(), details };
}

const sameRoute = (a: DefaultRoute | undefined, b: DefaultRoute | undefined) => a?.via === b?.via && a?.device === b?.device;

/** `skip`: namespaces planned elsewhere (overlay namespaces: plan-overlay.ts). */
export function planInside(desired: HostNetwork, last: HostNetwork, live: Live, freshNs: ReadonlySet<string>, freshPeers: ReadonlySet<string>, skip: ReadonlySet<string> = new Set()): InsidePlan {
  const out: InsidePlan = { changes: [], batches: [], touched: [] };
  for (const ns of desired.namespaces) {
    if (skip.has(ns)) continue;
    const fresh = freshNs.has(ns);
    const read = live.interiors[ns];
    const have = fresh ? { links: {}, routes: [] } : (read ?? assumedInterior(ns, last));
    const lastInside = assumedInterior(ns, last);
    const lines: string[] = fresh ? [LO_UP] : [];
    const undo: string[] = [];
    for (const want of desired.interfaces.filter((i) => i.netns === ns)) {
      const cur = have.links[want.ifname];
      if (fresh || freshPeers.has(`${ns}/${want.ifname}`) || !cur) {
        lines.push(...interfaceCreate(want));
        out.changes.push({ id: `if/${ns}/${want.ifname}`, kind: 'interface', label: ifLabel(want), action: 'create', details: [], drift: false, part: 'network' });
        continue;
      }
      const d = interfaceDiff(want, cur);
      if (!d.lines.length) continue;
      lines.push(...d.lines);
      undo.unshift(...d.undo);
      const was = lastInside.links[want.ifname];
      const drift = read !== undefined && was !== undefined && JSON.stringify(was) !== JSON.stringify(cur);
      out.changes.push({ id: `if/${ns}/${want.ifname}`, kind: 'interface', label: ifLabel(want), action: 'update', details: d.details, drift, part: 'network' });
    }
    for (const family of [4, 6] as const) {
      const want = desired.routes.find((r) => r.netns === ns && r.family === family);
      const cur = have.routes.find((r) => r.family === family);
      if (want && fresh) {
        lines.push(routeLine('add', want));
        out.changes.push({ id: `route/${ns}/${family}`, kind: 'route', label: routeLabel(want), action: 'create', details: [], drift: false, part: 'network' });
      } else if (want && (!cur || freshPeers.has(`${ns}/${want.device}`) && sameRoute(want, cur))) {
        // A route on a veth made again went with the old one: `replace` makes it whether or not it is there.
        lines.push(routeLine('replace', want));
        undo.unshift(cur && !freshPeers.has(`${ns}/${cur.device}`) ? routeLine('replace', cur) : routeDel(want));
        out.changes.push({ id: `route/${ns}/${family}`, kind: 'route', label: routeLabel(want), action: 'create', details: [], drift: false, part: 'network' });
      } else if (want && cur && !sameRoute(want, cur)) {
        lines.push(routeLine('replace', want));
        undo.unshift(freshPeers.has(`${ns}/${cur.device}`) ? routeDel(want) : routeLine('replace', cur));
        out.changes.push({ id: `route/${ns}/${family}`, kind: 'route', label: routeLabel(want), action: 'update', details: [`${cur.via ? `via ${cur.via} ` : ''}dev ${cur.device} -> ${want.via ? `via ${want.via} ` : ''}dev ${want.device}`], drift: false, part: 'network' });
      } else if (!want && cur) {
        lines.push(routeDel(cur));
        undo.unshift(routeLine('add', cur));
        out.changes.push({ id: `route/${ns}/${family}`, kind: 'route', label: routeLabel(cur), action: 'delete', details: [], drift: false, part: 'network' });
      }
    }
    if (lines.length) {
      out.batches.push({ batch: { where: { netns: ns }, lines }, undo: undo.length ? [{ where: { netns: ns }, lines: undo }] : [] });
      if (!fresh) out.touched.push(ns);
    }
  }
  return out;
}

/** The inside of namespaces and veths that go: listed as destroyed with them (no step of their own). */
export function goneInside(last: HostNetwork, goneNs: ReadonlySet<string>, gonePeers: ReadonlySet<string>): Change[] {
  const out: Change[] = [];
  for (const i of last.interfaces) {
    if (goneNs.has(i.netns) || gonePeers.has(`${i.netns}/${i.ifname}`)) out.push({ id: `if/${i.netns}/${i.ifname}`, kind: 'interface', label: ifLabel(i), action: 'delete', details: [], drift: false, part: 'network' });
  }
  for (const r of last.routes) {
    if (goneNs.has(r.netns) || gonePeers.has(`${r.netns}/${r.device}`)) out.push({ id: `route/${r.netns}/${r.family}`, kind: 'route', label: routeLabel(r), action: 'delete', details: [], drift: false, part: 'network' });
  }
  return out;
}
