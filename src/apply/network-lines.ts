// The `ip -batch` lines that make, change and remove each network object: the same commands setup.sh
// runs (namespaces made with a plain `ip netns add` in this mount namespace, each veth's namespace end
// made in its namespace under its final name, IPv4 addresses with `brd +`, IPv6 ones with `nodad`),
// generated per object so that an apply makes only what changed. Every name has passed safeWord.
import { safeWord as w } from './read.ts';
import type { BridgeLink, DefaultRoute, Interface, VethLink } from './types.ts';

const isV6 = (a: string) => a.includes(':');

export const netnsAdd = (ns: string) => `netns add ${w(ns)}`;
export const netnsDel = (ns: string) => `netns del ${w(ns)}`;

export function bridgeCreate(b: BridgeLink): string[] {
  return [
    `link add name ${w(b.name)} type bridge`,
    `link set dev ${w(b.name)} address ${w(b.mac)} mtu ${b.mtu}`,
    ...b.addresses.map((a) => bridgeAddr('add', b, a)),
    `link set dev ${w(b.name)} up`,
  ];
}

export const bridgeAddr = (op: 'add' | 'del', b: BridgeLink, a: string): string =>
  `addr ${op} ${w(a)} dev ${w(b.name)}${op === 'add' ? (isV6(a) ? (b.nodad ? ' nodad' : '') : ' brd +') : ''}`;

/** A veth pair; `hostMac` gives the host end the address it had (a rollback making it again), else the kernel picks one as for dockerd. */
export function vethCreate(v: VethLink, hostMac?: string): string[] {
  return [
    `link add name ${w(v.name)}${hostMac ? ` address ${w(hostMac)}` : ''} mtu ${v.mtu} type veth peer name ${w(v.peer.ifname)} mtu ${v.mtu} netns ${w(v.peer.netns)}`,
    `link set dev ${w(v.name)} master ${w(v.master)}`,
    ...(v.hairpin ? [`link set dev ${w(v.name)} type bridge_slave hairpin on`] : []),
    `link set dev ${w(v.name)} up`,
  ];
}

export const linkDel = (name: string) => `link del ${w(name)}`;

export const ifAddr = (op: 'add' | 'del', i: Pick<Interface, 'ifname'>, a: string): string =>
  `addr ${op} ${w(a)} dev ${w(i.ifname)}${op === 'add' ? (isV6(a) ? ' nodad' : ' brd +') : ''}`;

/** A namespace end's settings, once the veth exists: MAC, addresses, up. */
export function interfaceCreate(i: Interface): string[] {
  return [`link set dev ${w(i.ifname)} address ${w(i.mac)}`, ...i.addresses.map((a) => ifAddr('add', i, a)), `link set dev ${w(i.ifname)} up`];
}

const routeDst = (r: Pick<DefaultRoute, 'family'>) => (r.family === 6 ? '::/0' : 'default');

export const routeLine = (op: 'add' | 'replace', r: DefaultRoute): string =>
  `route ${op} ${routeDst(r)}${r.via ? ` via ${w(r.via)}` : ''} dev ${w(r.device)}`;

export const routeDel = (r: Pick<DefaultRoute, 'family'>): string => `route del ${routeDst(r)}`;

export const LO_UP = 'link set dev lo up';
