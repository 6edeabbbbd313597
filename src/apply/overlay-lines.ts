// The `ip -batch` and `bridge -batch` lines that make and change an overlay namespace and its veths:
// the commands setup.sh runs (render/script/index.ts overlayView and otherLink), per object, so that
// an apply makes only what changed. Every name has passed safeWord.
import { safeWord as w } from './read.ts';
import type { NamespaceVeth, OverlayNetns } from './types.ts';

type Neighbour = OverlayNetns['neighbours'][number];
type Fdb = OverlayNetns['fdb'][number];

/**
 * Host namespace: the VXLAN device, made where its socket belongs and moved into the overlay namespace;
 * `mac` gives it the address it had (a rollback making it again), else the kernel picks one as for dockerd.
 */
export function vxlanCreate(o: OverlayNetns, mac?: string): string[] {
  return [
    `link add name ${w(o.vxlan)}${mac ? ` address ${w(mac)}` : ''} mtu ${o.mtu} type vxlan id ${o.vni}${o.local ? ` local ${w(o.local)}` : ''} dstport ${o.port} learning proxy l2miss l3miss`,
    `link set dev ${w(o.vxlan)} netns ${w(o.netns)}`,
  ];
}

export const bridgeAddr = (op: 'add' | 'del', a: string): string => `addr ${op} ${w(a)} dev br0${op === 'add' ? (a.includes(':') ? ' nodad' : ' brd +') : ''}`;

export const neighAdd = (n: Neighbour): string => `neigh add ${w(n.ip)} lladdr ${w(n.mac)} dev vxlan0 nud permanent`;
export const neighDel = (n: Neighbour): string => `neigh del ${w(n.ip)} dev vxlan0`;

/** Inside the overlay namespace once the VXLAN device is there: br0, vxlan0 on it, the neighbour entries. */
export function overlayInside(o: OverlayNetns): string[] {
  return [
    'link set dev lo up',
    'link add name br0 type bridge',
    `link set dev br0 address ${w(o.bridgeMac)} mtu ${o.mtu}`,
    ...o.bridgeAddresses.map((a) => bridgeAddr('add', a)),
    `link set dev ${w(o.vxlan)} name vxlan0`,
    `link set dev vxlan0 master br0 mtu ${o.mtu}`,
    'link set dev vxlan0 up',
    'link set dev br0 up',
    ...o.neighbours.map(neighAdd),
  ];
}

export const floodAdd = (dst: string): string => `fdb append 00:00:00:00:00:00 dev vxlan0 dst ${w(dst)}`;
export const floodDel = (dst: string): string => `fdb del 00:00:00:00:00:00 dev vxlan0 dst ${w(dst)}`;
/**
 * A remote endpoint's entry. vxlan0 learns (it is made with `learning`, as Docker makes it): traffic from
 * a peer that came up first can leave a learned entry for its MAC before this one is written, where
 * `fdb add` fails (Docker's AddNeighbor, osl/neigh_linux.go, then only warns and keeps the learned one).
 * `replace` makes the permanent entry whether or not one was learned, as setup.sh does.
 */
export const fdbAdd = (f: Fdb): string => `fdb replace ${w(f.mac)} dev vxlan0 dst ${w(f.dst)} self permanent`;
export const fdbDel = (f: Fdb): string => `fdb del ${w(f.mac)} dev vxlan0 dst ${w(f.dst)} self`;

/** `bridge -batch` lines: the flood entries, then an entry per remote endpoint (as setup.sh orders them). */
export function overlayFdb(o: OverlayNetns): string[] {
  return [...o.floods.map(floodAdd), ...o.fdb.map(fdbAdd)];
}

/** Host namespace: a veth made with one end in the overlay namespace and the other in the container's (`mac`: as for vxlanCreate). */
export const namespaceVethCreate = (v: NamespaceVeth, mac?: string): string =>
  `link add name ${w(v.name)}${mac ? ` address ${w(mac)}` : ''} mtu ${v.mtu} netns ${w(v.netns)} type veth peer name ${w(v.peer.ifname)} mtu ${v.mtu} netns ${w(v.peer.netns)}`;

/** Overlay namespace: the veth's end becomes a port of br0. */
export const portLines = (v: NamespaceVeth): string[] => [`link set dev ${w(v.name)} master br0`, `link set dev ${w(v.name)} up`];

/**
 * iptables-restore input that empties the tables of `text`: their built-in chains with the policies
 * they had, no rules, no chains of their own (iptables-restore without --noflush replaces a table).
 */
export function emptyTables(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.startsWith('*') || l === 'COMMIT' || /^:\S+ (ACCEPT|DROP) /.test(l))
    .map((l) => `${l}\n`)
    .join('');
}
