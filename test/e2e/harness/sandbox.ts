// The world around one example: a namespace standing for each host (NETFORM_HOST_NETNS), and an
// `outside` namespace joined to every host by a veth pair, the host's uplink. With one host the
// uplink is a plain veth pair (`uplink0` in the host, `eth0` outside); with several, the outside's
// `eth0` is a bridge with one port per host. The outside has no default route: the hosts' uplink
// addresses are on-link, which is all that masqueraded traffic and DNAT need. Networks whose
// containers are reached directly (no masquerade, gateway mode routed) get a route in the outside
// through an uplink, on request.
//
// Hosts with an underlay `address` (swarm's advertise address, the VXLAN endpoint) are joined by an
// `underlay` namespace holding a bridge: each such host gets a veth carrying its address, named as
// the first of its `interfaces` (eth0 when it lists none). Interfaces the matrix lists under `lans`
// (a macvlan parent such as eth1) are veths to a bridge in the outside, which holds the outside's
// address on that segment. Nothing here touches the root namespace.
import { overlaps, parseAddr, parsePrefix } from '../../../src/net/index.ts';
import { check, tool } from './exec.ts';
import type { LanSpec } from './matrix.ts';
import { addNetns, delNetns, listNetns } from './namespaces.ts';

export interface UplinkFamily {
  /** The first host's uplink address (the only one with a single host). */
  readonly host: string;
  readonly outside: string;
  readonly length: number;
}

/** One host of the example, as the sandbox makes it. */
export interface HostBox {
  /** The host's name in the example (`local` for the single `host:` form). */
  readonly name: string;
  /** NETFORM_HOST_NETNS. */
  readonly ns: string;
  /** NETFORM_NETNS_PREFIX: the host's container and overlay namespaces are `<containerPrefix><name>`. */
  readonly containerPrefix: string;
  /** The host's uplink addresses. */
  readonly uplink: { readonly v4: string; readonly v6: string };
  /** The interface carrying the host's underlay address, when the example gives it one. */
  readonly underlay?: { readonly ifname: string; readonly address: string; readonly length: number };
  /** Interfaces joined to an outside segment (lans), with the host's address there if any. */
  readonly lans: readonly { readonly ifname: string; readonly segment: string; readonly address?: string }[];
}

/** A segment between the outside and the hosts' interfaces of one name. */
export interface LanSegment {
  readonly ifname: string;
  /** The bridge in the outside. */
  readonly bridge: string;
  /** The outside's address with prefix length. */
  readonly outside: string;
}

export interface Sandbox {
  /** Prefix of every namespace of this example. */
  readonly prefix: string;
  readonly outsideNs: string;
  /** The namespace holding the underlay switch; absent when no host has an underlay address. */
  readonly underlayNs?: string;
  /** Uplink interface names, in each host and in the outside. */
  readonly hostIf: string;
  readonly outsideIf: string;
  readonly v4: UplinkFamily;
  readonly v6: UplinkFamily;
  readonly hosts: readonly HostBox[];
  readonly lans: readonly LanSegment[];
}

/** What the sandbox needs to know of one host of the example. */
export interface HostPlan {
  readonly name: string;
  /** Underlay address (hosts.<h>.address). */
  readonly address?: string;
  /** The host's existing interfaces (hosts.<h>.interfaces). */
  readonly interfaces?: readonly string[];
  /** Links setup.sh creates in the host namespace (the sandbox's own must not clash). */
  readonly linkNames: readonly string[];
}

const V4_CANDIDATES = ['203.0.113', '198.18.0', '100.64.0'];
const V6_CANDIDATES = ['fd0e:2e::', 'fd0e:2e:1::'];

function pick(candidates: readonly string[], cidr: (c: string) => string, inUse: readonly string[]): string {
  const used = inUse.map((u) => parsePrefix(u)).filter((p) => p !== undefined);
  const free = candidates.find((c) => {
    const p = parsePrefix(cidr(c))!;
    return !used.some((u) => u.family === p.family && overlaps(u, p));
  });
  if (!free) throw new Error(`no free uplink subnet among ${candidates.join(', ')} (in use: ${inUse.join(', ')})`);
  return free;
}

/** Length of the longest prefix the addresses share, at most 24 (a /24 underlay when they fit one). */
function sharedPrefixLength(addresses: readonly string[]): number {
  const values = addresses.map((a) => parseAddr(a)!.value);
  let length = 24;
  while (length > 0 && values.some((v) => v >> BigInt(32 - length) !== values[0]! >> BigInt(32 - length))) length--;
  return length;
}

/**
 * Names and addresses for an example's sandbox, clear of the subnets the example uses and of its
 * link names. Nothing is created yet. Hosts are numbered from 1: host k's uplink address is .1 for
 * the first host, .k+1 for the others (the outside has .2).
 */
export function planSandbox(prefix: string, hosts: readonly HostPlan[], subnetsInUse: readonly string[], lans: ReadonlyMap<string, LanSpec> = new Map()): Sandbox {
  if (!hosts.length) throw new Error('the example has no host');
  const single = hosts.length === 1;
  const hostIf = 'uplink0';
  const inUse = [...subnetsInUse, ...[...lans.values()].map((l) => l.outside)];
  const v4 = pick(V4_CANDIDATES, (c) => `${c}.0/24`, inUse);
  const v6 = pick(V6_CANDIDATES, (c) => `${c}/64`, inUse);
  const octet = (i: number) => (i === 0 ? 1 : i + 2);
  const withAddress = hosts.filter((h) => h.address);
  for (const h of withAddress) if (parseAddr(h.address!)?.family !== 4) throw new Error(`host ${h.name}: the sandbox's underlay is IPv4 only (address ${h.address})`);
  const underlayLength = withAddress.length ? sharedPrefixLength(withAddress.map((h) => h.address!)) : 0;

  const segments: LanSegment[] = [...lans].map(([ifname, l], k) => ({ ifname, bridge: `lan${k}`, outside: l.outside }));
  for (const seg of segments) {
    const spec = lans.get(seg.ifname)!;
    const members = hosts.filter((h) => h.interfaces?.includes(seg.ifname));
    if (!members.length) throw new Error(`lans.${seg.ifname}: no host of the example lists ${seg.ifname} in its interfaces`);
    for (const h of spec.hosts.keys()) {
      if (h === '*' ? members.length !== 1 : !members.some((m) => m.name === h))
        throw new Error(h === '*' ? `lans.${seg.ifname}.host: ${members.length} hosts list ${seg.ifname}: give each its address ({HOST: ADDRESS/LEN})` : `lans.${seg.ifname}.host.${h}: no such host lists ${seg.ifname}`);
    }
  }

  const boxes = hosts.map((h, i): HostBox => {
    const own = [hostIf];
    const lanIfs = segments
      .filter((seg) => h.interfaces?.includes(seg.ifname))
      .map((seg) => {
        const spec = lans.get(seg.ifname)!;
        const address = spec.hosts.get(h.name) ?? spec.hosts.get('*');
        return { ifname: seg.ifname, segment: seg.bridge, ...(address ? { address } : {}) };
      });
    own.push(...lanIfs.map((l) => l.ifname));
    let underlay: HostBox['underlay'];
    if (h.address) {
      const ifname = h.interfaces?.find((n) => !lans.has(n)) ?? 'eth0';
      if (lans.has(ifname)) throw new Error(`host ${h.name}: no interface left for the underlay (${ifname} is a lan)`);
      underlay = { ifname, address: h.address, length: underlayLength };
      own.push(ifname);
    }
    for (const n of own) if (h.linkNames.includes(n)) throw new Error(`the example itself uses the link name ${n}${single ? '' : ` on host ${h.name}`}`);
    return {
      name: h.name,
      ns: single ? `${prefix}host` : `${prefix}h${i + 1}-${h.name}`,
      containerPrefix: single ? `${prefix}c-` : `${prefix}c${i + 1}-`,
      uplink: { v4: `${v4}.${octet(i)}`, v6: `${v6}${octet(i).toString(16)}` },
      ...(underlay ? { underlay } : {}),
      lans: lanIfs,
    };
  });
  return {
    prefix,
    outsideNs: `${prefix}outside`,
    ...(withAddress.length ? { underlayNs: `${prefix}underlay` } : {}),
    hostIf,
    outsideIf: 'eth0',
    v4: { host: boxes[0]!.uplink.v4, outside: `${v4}.2`, length: 24 },
    v6: { host: boxes[0]!.uplink.v6, outside: `${v6}2`, length: 64 },
    hosts: boxes,
    lans: segments,
  };
}

/** `addr add` for an address with or without a prefix length (IPv6 without DAD: usable at once). */
function addrAdd(cidr: string, dev: string, defaultLength: number): string {
  const withLength = cidr.includes('/') ? cidr : `${cidr}/${defaultLength}`;
  return `addr add ${withLength} dev ${dev}${cidr.includes(':') ? ' nodad' : ''}`;
}

const batch = (ns: string, lines: readonly string[]) => check(tool('ip'), ['-n', ns, '-batch', '-'], { input: `${lines.join('\n')}\n` });

/** Creates the namespaces of the sandbox and the links between them. */
export function upSandbox(s: Sandbox): void {
  const ip = tool('ip');
  addNetns(s.outsideNs);
  if (s.underlayNs) addNetns(s.underlayNs);
  for (const h of s.hosts) addNetns(h.ns);

  // Uplinks.
  const outside = ['link set dev lo up'];
  if (s.hosts.length === 1) {
    const h = s.hosts[0]!;
    check(ip, ['-n', h.ns, 'link', 'add', s.hostIf, 'type', 'veth', 'peer', 'name', s.outsideIf, 'netns', s.outsideNs]);
  } else {
    outside.push(`link add name ${s.outsideIf} type bridge`);
    s.hosts.forEach((h, i) => check(ip, ['-n', h.ns, 'link', 'add', s.hostIf, 'type', 'veth', 'peer', 'name', `up${i + 1}`, 'netns', s.outsideNs]));
    s.hosts.forEach((_, i) => outside.push(`link set dev up${i + 1} master ${s.outsideIf}`, `link set dev up${i + 1} up`));
  }
  outside.push(`addr add ${s.v4.outside}/${s.v4.length} dev ${s.outsideIf}`, `addr add ${s.v6.outside}/${s.v6.length} dev ${s.outsideIf} nodad`, `link set dev ${s.outsideIf} up`);

  // Segments to the outside (lans) and the underlay switch.
  for (const seg of s.lans) outside.push(`link add name ${seg.bridge} type bridge`, addrAdd(seg.outside, seg.bridge, 24), `link set dev ${seg.bridge} up`);
  const underlay = ['link set dev lo up', 'link add name br0 type bridge', 'link set dev br0 up'];
  s.hosts.forEach((h, i) => {
    for (const l of h.lans) {
      const port = `${l.segment}h${i + 1}`;
      check(ip, ['-n', h.ns, 'link', 'add', l.ifname, 'type', 'veth', 'peer', 'name', port, 'netns', s.outsideNs]);
      outside.push(`link set dev ${port} master ${l.segment}`, `link set dev ${port} up`);
    }
    if (h.underlay && s.underlayNs) {
      const port = `h${i + 1}`;
      check(ip, ['-n', h.ns, 'link', 'add', h.underlay.ifname, 'type', 'veth', 'peer', 'name', port, 'netns', s.underlayNs]);
      underlay.push(`link set dev ${port} master br0`, `link set dev ${port} up`);
    }
  });
  batch(s.outsideNs, outside);
  if (s.underlayNs) batch(s.underlayNs, underlay);

  for (const h of s.hosts) {
    const lines = [
      'link set dev lo up',
      `addr add ${h.uplink.v4}/${s.v4.length} dev ${s.hostIf}`,
      `addr add ${h.uplink.v6}/${s.v6.length} dev ${s.hostIf} nodad`,
      `link set dev ${s.hostIf} up`,
    ];
    for (const l of h.lans) lines.push(...(l.address ? [addrAdd(l.address, l.ifname, 24)] : []), `link set dev ${l.ifname} up`);
    if (h.underlay) lines.push(`addr add ${h.underlay.address}/${h.underlay.length} dev ${h.underlay.ifname}`, `link set dev ${h.underlay.ifname} up`);
    batch(h.ns, lines);
  }
}

/**
 * How often a wait for the kernel to settle looks again. Every look starts `ip` processes; the kernel
 * takes a good part of a second (DAD: a second), so looking more often gains little and costs CPU.
 */
export const SETTLE_POLL_MS = 100;

/**
 * Waits (5 s at most) until every link the sandbox made in the host namespaces has its carrier and,
 * where the namespace has IPv6, its link-local address: the kernel reports both a moment after the
 * link is up (linkwatch, then addrconf), and a snapshot taken earlier would differ from one taken after
 * teardown. Throws when they do not settle.
 */
export async function settleSandbox(s: Sandbox): Promise<void> {
  const ip = tool('ip');
  const pending = () =>
    s.hosts.flatMap((h) => {
      const ifnames = [s.hostIf, ...h.lans.map((l) => l.ifname), ...(h.underlay ? [h.underlay.ifname] : [])];
      const links = check(ip, ['-n', h.ns, '-o', 'link', 'show']);
      const v6 = check(ip, ['-n', h.ns, '-6', '-o', 'addr', 'show']);
      const hasV6 = / lo +inet6 ::1\//.test(v6);
      return ifnames.filter((n) => {
        const line = links.split('\n').find((l) => new RegExp(`^\\d+: ${n.replace(/\./g, '\\.')}[@:]`).test(l)) ?? '';
        return !/ state UP /.test(line) || (hasV6 && !new RegExp(` ${n.replace(/\./g, '\\.')} +inet6 fe80:`).test(v6));
      }).map((n) => `${h.ns}/${n}`);
    });
  for (let waited = 0; ; waited += SETTLE_POLL_MS) {
    const left = pending();
    if (!left.length) return;
    if (waited >= 5000) throw new Error(`sandbox links not up after 5 s: ${left.join(' ')}`);
    await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
  }
}

/** Routes `cidr` from the outside through a host's uplink address of its family. */
export function routeFromOutside(s: Sandbox, cidr: string, host: HostBox): void {
  const via = cidr.includes(':') ? host.uplink.v6 : host.uplink.v4;
  check(tool('ip'), ['-n', s.outsideNs, 'route', 'add', cidr, 'via', via]);
}

/** Deletes the sandbox's namespaces (which takes the links with them). Returns problems found. */
export function downSandbox(s: Sandbox): string[] {
  const existing = new Set(listNetns());
  const problems: string[] = [];
  for (const ns of [s.outsideNs, ...(s.underlayNs ? [s.underlayNs] : []), ...s.hosts.map((h) => h.ns)]) {
    if (!existing.has(ns)) continue;
    const err = delNetns(ns);
    if (err) problems.push(`ip netns del ${ns}: ${err}`);
  }
  return problems;
}

/** Every namespace the sandbox itself makes (not setup.sh's). */
export const sandboxNamespaces = (s: Sandbox): string[] => [s.outsideNs, ...(s.underlayNs ? [s.underlayNs] : []), ...s.hosts.map((h) => h.ns)];
