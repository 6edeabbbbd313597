// setup.sh / teardown.sh from the topology. The view below is the only thing the templates see; every
// word that reaches a script passes the safe-alphabet check (batchWord) or shell quoting.
import { batchWord } from '../template/handlebars.ts';
import { template } from '../template/handlebars.ts';
import type { Topology } from '../../topology/types.ts';
import { SETUP, TEARDOWN } from './templates.ts';

interface ScriptView {
  host: string;
  engine: string;
  source: string;
  namespaces: string[];
  bridges: { name: string; mac: string; mtu: number; addresses: { address: string; v4: boolean }[] }[];
  endpoints: { hostIfname: string; ifname: string; mtu: number; netns: string; bridge: string; hairpin: boolean }[];
  hostBatch: boolean;
  sysctls: { path: string; value: string; key: string; reason: string; optional: boolean }[];
  containers: {
    name: string;
    interfaces: { ifname: string; mac: string; addresses: { address: string; v4: boolean }[] }[];
    routes: { v6: boolean; via: string; device: string }[];
  }[];
}

function view(t: Topology, source: string): ScriptView {
  const own = t.containers.filter((c) => c.networking.kind === 'netns');
  const bridges = t.bridges.map((b) => ({
    name: b.name,
    mac: b.mac,
    mtu: b.mtu,
    addresses: b.addresses.map((a) => ({ address: a, v4: !a.includes(':') })),
  }));
  const endpoints = t.endpoints.map((e) => ({ hostIfname: e.hostIfname, ifname: e.ifname, mtu: e.mtu, netns: e.container, bridge: e.bridge, hairpin: e.hairpin }));
  const sysctls = [...t.hostSysctls, ...t.bridges.flatMap((b) => b.sysctls)].map((s) => ({
    path: `/proc/sys/${s.key.map(batchWord).join('/')}`,
    value: batchWord(s.value),
    key: s.key.join('.'),
    reason: s.reason.replace(/[^A-Za-z0-9 _.,:/()+-]/g, ''),
    optional: !!s.optional,
  }));
  return {
    host: t.host,
    engine: t.engine,
    source,
    namespaces: own.map((c) => c.name),
    bridges,
    endpoints,
    hostBatch: bridges.length + endpoints.length > 0,
    sysctls,
    containers: own.map((c) => ({
      name: c.name,
      interfaces: t.endpoints
        .filter((e) => e.container === c.name)
        .map((e) => ({
          ifname: e.ifname,
          mac: e.mac,
          addresses: [
            ...(e.ipv4 ? [{ address: `${e.ipv4}/${e.ipv4PrefixLength}`, v4: true }] : []),
            ...(e.ipv6 ? [{ address: `${e.ipv6}/${e.ipv6PrefixLength}`, v4: false }] : []),
          ],
        })),
      routes: c.routes.map((r) => ({ v6: r.family === 6, via: r.via, device: r.device })),
    })),
  };
}

export function renderSetup(t: Topology, source: string): string {
  return template<ScriptView>('setup.sh', SETUP)(view(t, source));
}

export function renderTeardown(t: Topology, source: string): string {
  return template<ScriptView>('teardown.sh', TEARDOWN)(view(t, source));
}
