// The world around one example: a namespace standing for the host (NETFORM_HOST_NETNS), and an
// `outside` namespace joined to it by a veth pair, the host's uplink. The outside has no default
// route: the host's uplink address is on-link, which is all that masqueraded traffic and DNAT need.
// Networks whose containers are reached directly (no masquerade, gateway mode routed) get a route in
// the outside through the uplink, on request. Nothing here touches the root namespace.
import { overlaps, parsePrefix } from '../../../src/ipam/address.ts';
import { check, tool } from './exec.ts';
import { addNetns, delNetns, listNetns } from './namespaces.ts';

export interface UplinkFamily {
  readonly host: string;
  readonly outside: string;
  readonly length: number;
}

export interface Sandbox {
  /** Prefix of every namespace of this example. */
  readonly prefix: string;
  readonly hostNs: string;
  readonly outsideNs: string;
  /** NETFORM_NETNS_PREFIX: container namespaces are `<containerPrefix><name>`. */
  readonly containerPrefix: string;
  /** Uplink interface names, in the host and in the outside. */
  readonly hostIf: string;
  readonly outsideIf: string;
  readonly v4: UplinkFamily;
  readonly v6: UplinkFamily;
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

/**
 * Names and addresses for an example's sandbox, clear of the subnets the example uses and of its
 * link names. Nothing is created yet.
 */
export function planSandbox(prefix: string, subnetsInUse: readonly string[], linkNames: readonly string[]): Sandbox {
  const hostIf = 'uplink0';
  if (linkNames.includes(hostIf)) throw new Error(`the example itself uses the link name ${hostIf}`);
  const v4 = pick(V4_CANDIDATES, (c) => `${c}.0/24`, subnetsInUse);
  const v6 = pick(V6_CANDIDATES, (c) => `${c}/64`, subnetsInUse);
  return {
    prefix,
    hostNs: `${prefix}host`,
    outsideNs: `${prefix}outside`,
    containerPrefix: `${prefix}c-`,
    hostIf,
    outsideIf: 'eth0',
    v4: { host: `${v4}.1`, outside: `${v4}.2`, length: 24 },
    v6: { host: `${v6}1`, outside: `${v6}2`, length: 64 },
  };
}

/** Creates the host and outside namespaces and the uplink between them. */
export function upSandbox(s: Sandbox): void {
  const ip = tool('ip');
  addNetns(s.hostNs);
  addNetns(s.outsideNs);
  check(ip, ['-n', s.hostNs, 'link', 'add', s.hostIf, 'type', 'veth', 'peer', 'name', s.outsideIf, 'netns', s.outsideNs]);
  const side = (ns: string, ifname: string, a4: string, a6: string) =>
    check(ip, ['-n', ns, '-batch', '-'], {
      input: [
        'link set dev lo up',
        `addr add ${a4}/${s.v4.length} dev ${ifname}`,
        `addr add ${a6}/${s.v6.length} dev ${ifname} nodad`,
        `link set dev ${ifname} up`,
        '',
      ].join('\n'),
    });
  side(s.hostNs, s.hostIf, s.v4.host, s.v6.host);
  side(s.outsideNs, s.outsideIf, s.v4.outside, s.v6.outside);
}

/** Routes `cidr` from the outside through the host's uplink address of its family. */
export function routeFromOutside(s: Sandbox, cidr: string): void {
  const via = cidr.includes(':') ? s.v6.host : s.v4.host;
  check(tool('ip'), ['-n', s.outsideNs, 'route', 'add', cidr, 'via', via]);
}

/** Deletes the sandbox's namespaces (which takes the uplink with them). Returns problems found. */
export function downSandbox(s: Sandbox): string[] {
  const existing = new Set(listNetns());
  const problems: string[] = [];
  for (const ns of [s.outsideNs, s.hostNs]) {
    if (!existing.has(ns)) continue;
    const err = delNetns(ns);
    if (err) problems.push(`ip netns del ${ns}: ${err}`);
  }
  return problems;
}
