// setup.sh / teardown.sh from the topology. The view below is the only thing the templates see; every
// word in it has passed the safe-alphabet check (batchWord, which throws on anything else) or shell
// quoting (the source file name) on its way in, so the templates place words without helpers.
import type { Topology } from '../../topology/types.ts';
import { batchWord as bw, shellQuote, template } from '../template/handlebars.ts';
import { SETUP, TEARDOWN } from './templates.ts';

export interface ScriptView {
  host: string;
  engine: string;
  /** The input file's name, shell-quoted (it appears in a comment). */
  source: string;
  namespaces: string[];
  bridges: { name: string; mac: string; mtu: number; addresses: { address: string; v4: boolean; nodad: boolean }[] }[];
  endpoints: { hostIfname: string; ifname: string; mtu: number; netns: string; bridge: string; hairpin: boolean }[];
  hostBatch: boolean;
  sysctls: { path: string; value: string; key: string; reason: string; optional: boolean }[];
  containers: {
    /** 1, 2, ...: the container's shell functions are netns_<n>, links_<n> and container_<n>. */
    n: number;
    name: string;
    /** Its veth pairs, host side. */
    links: { hostIfname: string; ifname: string; mtu: number; bridge: string; hairpin: boolean }[];
    interfaces: { ifname: string; mac: string; addresses: { address: string; v4: boolean }[] }[];
    routes: { via: string; device: string }[];
  }[];
}

/** The last view made: setup.sh and teardown.sh of one build share it. */
let lastView: { t: Topology; source: string; view: ScriptView } | undefined;

/** What the templates see of a topology. */
export function scriptView(t: Topology, source: string): ScriptView {
  if (lastView?.t === t && lastView.source === source) return lastView.view;
  const view = makeView(t, source);
  lastView = { t, source, view };
  return view;
}

function makeView(t: Topology, source: string): ScriptView {
  const own = t.containers.filter((c) => c.networking.kind === 'netns');
  // Endpoints by container, in join order (one pass: a filter per container would be quadratic).
  const endpointsOf = new Map<string, Topology['endpoints'][number][]>();
  for (const e of t.endpoints) {
    const list = endpointsOf.get(e.container);
    if (list) list.push(e);
    else endpointsOf.set(e.container, [e]);
  }
  const bridges = t.bridges.map((b) => ({
    name: bw(b.name),
    mac: bw(b.mac),
    mtu: b.mtu,
    // The bridge's IPv6 address skips duplicate address detection from Docker 27 on (interface_linux.go
    // AddrReplace with IFA_F_NODAD); 20.10 added it plainly (vendored libnetwork interface.go).
    addresses: b.addresses.map((a) => ({ address: bw(a), v4: !a.includes(':'), nodad: a.includes(':') && t.engine !== '20.10' })),
  }));
  const link = (e: Topology['endpoints'][number]) => ({ hostIfname: bw(e.hostIfname), ifname: bw(e.ifname), mtu: e.mtu, bridge: bw(e.bridge), hairpin: e.hairpin });
  const endpoints = t.endpoints.map((e) => ({ ...link(e), netns: bw(e.container) }));
  const sysctls = [...t.hostSysctls, ...t.bridges.flatMap((b) => b.sysctls)].map((s) => ({
    path: `/proc/sys/${s.key.map(bw).join('/')}`,
    value: bw(s.value),
    key: s.key.join('.'),
    reason: s.reason.replace(/[^A-Za-z0-9 _.,:/()+-]/g, ''),
    optional: !!s.optional,
  }));
  return {
    host: bw(t.host),
    engine: bw(t.engine),
    source: shellQuote(source),
    namespaces: own.map((c) => bw(c.name)),
    bridges,
    endpoints,
    hostBatch: bridges.length + endpoints.length > 0,
    sysctls,
    containers: own.map((c, i) => ({
      n: i + 1,
      name: bw(c.name),
      links: (endpointsOf.get(c.name) ?? []).map(link),
      interfaces: (endpointsOf.get(c.name) ?? []).map((e) => ({
        ifname: bw(e.ifname),
        mac: bw(e.mac),
        addresses: [
          ...(e.ipv4 ? [{ address: bw(`${e.ipv4}/${e.ipv4PrefixLength}`), v4: true }] : []),
          ...(e.ipv6 ? [{ address: bw(`${e.ipv6}/${e.ipv6PrefixLength}`), v4: false }] : []),
        ],
      })),
      routes: c.routes.map((r) => ({ via: bw(r.via), device: bw(r.device) })),
    })),
  };
}

export function renderSetup(t: Topology, source: string): string {
  return template<ScriptView>('setup.sh', SETUP)(scriptView(t, source));
}

export function renderTeardown(t: Topology, source: string): string {
  return template<ScriptView>('teardown.sh', TEARDOWN)(scriptView(t, source));
}
