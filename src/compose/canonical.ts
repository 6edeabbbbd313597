// The canonical form compose-go gives a merged model after each file (transform/canonical.go, then
// loader/omitEmpty.go), for the fields netform reads: a service's `networks` list becomes a mapping, its
// `ports` become one long-syntax entry per container port (types.ParsePortConfig), `dns` a list without
// empty entries, `depends_on` a mapping with its defaults, and a network's legacy `external: {name}` the
// `name` + `external: true` pair. Other fields stay as written (netform ignores them).
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { parsePortSpec } from './ports.ts';
import type { CMap, CNode, CScalar, Origin } from './tree.ts';
import { at } from './where.ts';

const scalar = (value: string | number | boolean | null, origin: Origin): CScalar => ({ kind: 'scalar', value, origin });
const map = (entries: [string, CNode][], origin: Origin): CMap => ({ kind: 'map', entries: new Map(entries), origin });

export function canonical(root: CNode, out: Diagnostic[]): CNode {
  if (root.kind !== 'map') return root;
  const entries = new Map(root.entries);
  const services = entries.get('services');
  if (services?.kind === 'map') {
    const s = new Map<string, CNode>();
    for (const [name, svc] of services.entries) s.set(name, service(svc, out));
    entries.set('services', { ...services, entries: s });
  }
  const networks = entries.get('networks');
  if (networks?.kind === 'map') {
    const n = new Map<string, CNode>();
    for (const [name, net] of networks.entries) n.set(name, externalName(net, out));
    entries.set('networks', { ...networks, entries: n });
  }
  return { ...root, entries };
}

function service(svc: CNode, out: Diagnostic[]): CNode {
  if (svc.kind !== 'map') return svc;
  const e = new Map(svc.entries);
  const nets = e.get('networks');
  if (nets?.kind === 'seq') e.set('networks', map(nets.items.map((i) => [String(i.kind === 'scalar' ? i.value : ''), scalar(null, i.origin)]), nets.origin));
  const ports = e.get('ports');
  if (ports?.kind === 'seq') e.set('ports', { ...ports, items: ports.items.flatMap((p) => port(p, out)) });
  const dns = e.get('dns');
  if (dns?.kind === 'scalar' && typeof dns.value === 'string') e.set('dns', { kind: 'seq', items: [dns], origin: dns.origin });
  const dnsNow = e.get('dns');
  if (dnsNow?.kind === 'seq') e.set('dns', { ...dnsNow, items: dnsNow.items.filter((d) => !(d.kind === 'scalar' && (d.value === null || d.value === ''))) });
  const deps = e.get('depends_on');
  if (deps) e.set('depends_on', dependsOn(deps));
  return { ...svc, entries: e };
}

/** transformPorts: a short entry (text or number) becomes its long-syntax entries. */
function port(p: CNode, out: Diagnostic[]): CNode[] {
  if (p.kind === 'map') return [p];
  if (p.kind !== 'scalar' || (typeof p.value !== 'string' && typeof p.value !== 'number')) return [p];
  const r = parsePortSpec(String(p.value));
  if (!r.ok) {
    out.push(error('BAD_PORT', p.origin.path, `${JSON.stringify(String(p.value))}: ${r.error}`, at(p)));
    return [];
  }
  return r.ports.map((c) =>
    map(
      [
        ['target', scalar(c.target, p.origin)],
        ...(c.published !== '' ? [['published', scalar(c.published, p.origin)] as [string, CNode]] : []),
        ...(c.hostIP !== '' ? [['host_ip', scalar(c.hostIP, p.origin)] as [string, CNode]] : []),
        ['protocol', scalar(c.protocol, p.origin)],
        ['mode', scalar('ingress', p.origin)],
      ],
      p.origin,
    ),
  );
}

/** transformDependsOn: a list of names, or a mapping whose entries get condition and required defaults. */
function dependsOn(d: CNode): CNode {
  const defaults = (origin: Origin, given?: CMap): CMap => {
    const e = new Map(given?.entries ?? []);
    if (!e.has('condition')) e.set('condition', scalar('service_started', origin));
    if (!e.has('required')) e.set('required', scalar(true, origin));
    return { kind: 'map', entries: e, origin: given?.origin ?? origin };
  };
  if (d.kind === 'seq') return map(d.items.map((i) => [String(i.kind === 'scalar' ? i.value : ''), defaults(i.origin)]), d.origin);
  if (d.kind === 'map') return { ...d, entries: new Map([...d.entries].map(([k, v]) => [k, v.kind === 'map' ? defaults(v.origin, v) : v])) };
  return d;
}

/** transformMaybeExternal: `external: {name: X}` (deprecated) is `name: X` + `external: true`. */
function externalName(net: CNode, out: Diagnostic[]): CNode {
  if (net.kind !== 'map') return net;
  const ext = net.entries.get('external');
  if (ext?.kind !== 'map') return net;
  const e = new Map(net.entries);
  e.set('external', scalar(true, ext.origin));
  const extName = ext.entries.get('name');
  if (extName) {
    out.push(warning('COMPOSE_SCHEMA', ext.origin.path, 'external.name is deprecated: set name and external: true', at(ext, { key: true })));
    const name = net.entries.get('name');
    if (name && !(name.kind === 'scalar' && extName.kind === 'scalar' && name.value === extName.value)) {
      out.push(error('COMPOSE_SCHEMA', ext.origin.path, 'name and external.name conflict; only use name', at(ext, { key: true })));
    }
    if (!name) e.set('name', extName);
  }
  return { ...net, entries: e };
}
