// The world the command line assumes around the hosts, when nothing else is known: each host has an
// uplink (eth0, or uplink0 when eth0 is a macvlan parent) on one segment with the outside, in a
// documentation subnet the topology does not use; the outside is the router and the internet beyond
// (the hosts' default route, every address the fleet lacks) and routes every bridge subnet to its host
// (so that direct routing to a container is a question with an answer); a macvlan/ipvlan parent is a
// LAN whose router is the network's gateway. Host settings the topology leaves alone are unknown.
import { overlaps, parseAddr, type Prefix } from '../net/index.ts';
import { lanEndpoints } from './list-index.ts';
import { addr, cidrTest, v4Value, type CidrTest } from './packet.ts';
import type { Topology } from '../topology/types.ts';
import type { HostWorld, TraceWorld } from './types.ts';

const V4 = ['203.0.113', '198.51.100', '192.0.2'];
const V6 = ['2001:db8:203::', '2001:db8:198::', 'fd0e:2e::'];

/** Subnets the topologies use (the uplink must stay clear of them): bridges', overlays', and macvlan/ipvlan endpoints'. */
function subnetsInUse(topologies: readonly Topology[]): string[] {
  const out: string[] = [];
  for (const t of topologies) {
    for (const b of t.bridges) out.push(...b.addresses);
    for (const o of t.overlays ?? []) out.push(...o.bridgeAddresses);
    for (const e of lanEndpoints(t)) {
      if (e.ipv4) out.push(`${e.ipv4}/${e.ipv4PrefixLength ?? 32}`);
      if (e.ipv6) out.push(`${e.ipv6}/${e.ipv6PrefixLength ?? 128}`);
    }
  }
  return out;
}

/** The parsed prefix of a test (a host prefix keeps only its text there). */
const prefixOf = (t: CidrTest): Prefix => (t.host !== undefined ? { family: t.family, address: addr(t.host)!.value, length: t.family === 4 ? 32 : 128 } : t.prefix);

/** Whether two prefixes of one family share an address; IPv4 ones compared as numbers (a host of 1,000 bridges has as many). */
function overlap(a: CidrTest, b: CidrTest): boolean {
  if (a.family === 6) return overlaps(prefixOf(a), prefixOf(b));
  const [an, am] = a.net4 !== undefined ? [a.net4, a.mask4!] : [v4Value(a.host!)!, 0xffffffff];
  const [bn, bm] = b.net4 !== undefined ? [b.net4, b.mask4!] : [v4Value(b.host!)!, 0xffffffff];
  const mask = (am & bm) >>> 0;
  return ((an & mask) >>> 0) === ((bn & mask) >>> 0);
}

/** The prefixes in use, by family (one parse each, shared with the route tables that parse them again). */
function taken(used: readonly string[]): Record<4 | 6, CidrTest[]> {
  const out: Record<4 | 6, CidrTest[]> = { 4: [], 6: [] };
  for (const u of used) {
    const t = u.includes('/') ? cidrTest(u) : undefined;
    if (t) out[t.family].push(t);
  }
  return out;
}

function pick(candidates: readonly string[], cidr: (c: string) => string, used: readonly CidrTest[]): string {
  return candidates.find((c) => {
    const p = cidrTest(cidr(c))!;
    return !used.some((u) => overlap(u, p));
  }) ?? candidates[0]!;
}

/** The macvlan/ipvlan parents of a host's endpoints, each with its network's gateway (from a container's default route). */
function lanGateways(t: Topology): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const e of lanEndpoints(t)) {
    const a = e.attachment;
    if ((t.parentLinks ?? []).some((l) => l.name === a.parent)) continue;
    const c = t.containers.find((x) => x.name === e.container);
    const gw = c?.routes.find((r) => r.family === 4 && r.device === e.ifname && r.via)?.via;
    if (!out.get(a.parent)) out.set(a.parent, gw && e.ipv4PrefixLength ? `${gw}/${e.ipv4PrefixLength}` : undefined);
  }
  return out;
}

/** The longest prefix the hosts' underlay addresses share, at most /24: they are on one link. */
function underlayLength(addresses: readonly string[]): number {
  const parsed = addresses.map((a) => parseAddr(a)!);
  if (parsed.some((a) => a.family !== 4)) return 64;
  const values = parsed.map((a) => a.value);
  let length = 24;
  while (length > 0 && values.some((v) => v >> BigInt(32 - length) !== values[0]! >> BigInt(32 - length))) length--;
  return length;
}

/** The host addresses ports are published on (Docker binds them: the host has them), as host prefixes. */
function publishedOn(t: Topology): { addresses?: string[] } {
  const ips = new Set<string>();
  for (const p of t.ports) ips.add(p.hostIP);
  // A bridge's own address is the bridge's; the few addresses ports use are looked for among the bridges'.
  const own = (a: string): boolean => t.bridges.some((b) => b.addresses.some((x) => x === a || (x.startsWith(a) && x.charCodeAt(a.length) === 47)));
  const list = [...ips].filter((a) => a !== '0.0.0.0' && a !== '::' && !a.startsWith('127.') && a !== '::1' && !own(a));
  return list.length > 0 ? { addresses: list.map((a) => `${a}/${a.includes(':') ? 128 : 32}`) } : {};
}

export function defaultWorld(topologies: readonly Topology[]): TraceWorld {
  const used = taken(subnetsInUse(topologies));
  const locals = topologies.map((t) => (t.overlays ?? []).find((o) => o.local)?.local);
  const length = underlayLength(locals.filter((x): x is string => !!x));
  const v4 = pick(V4, (c) => `${c}.0/24`, used[4]);
  const v6 = pick(V6, (c) => `${c}/64`, used[6]);
  const octet = (i: number) => (i === 0 ? 1 : i + 2);
  const lans: Record<string, { outside?: string }> = {};
  const hosts: Record<string, HostWorld> = {};
  topologies.forEach((t, i) => {
    const parents = lanGateways(t);
    for (const [name, gw] of parents) lans[name] = lans[name]?.outside ? lans[name]! : gw ? { outside: gw } : {};
    const ifname = parents.has('eth0') ? 'uplink0' : 'eth0';
    const local = locals[i];
    hosts[t.host] = {
      uplink: { ifname, v4: `${v4}.${octet(i)}/24`, v6: `${v6}${octet(i).toString(16)}/64` },
      ...publishedOn(t),
      ...(local ? { underlay: { ifname, address: `${local}/${length}` } } : {}),
    };
  });
  return {
    hosts,
    outside: { v4: `${v4}.2/24`, v6: `${v6}2/64` },
    outsideRoutes: 'all',
    lans,
    hostDefaultRoute: true,
    outsideOwnsTheRest: true,
    outsideForwards: true,
  };
}
