// A rule's expressions in the words `nft list` prints them (nft 1.0.6, and the newer nft of moby's
// goldens): `ip saddr 10.0.0.0/24`, `iifname != "br"`, `tcp dport 80`, `ct state established,related`,
// `fib daddr type local`, `meta mark 0x00000001`, `counter`, `dnat to 10.0.0.2:80`, `comment "X"`.
// nft stores a few things differently from how moby writes them, and the listing shows the stored form:
// a host prefix has no length, `iifname == x` is `iifname "x"`, a one-element set is a plain value,
// set elements are sorted, a mark under an all-ones mask is a plain value, `meta secpath` is
// `meta ipsec`. This is the only place rules become nft words.
import { inetCidr } from '../../../net/index.ts';
import type { AddressMatch, CtState, IpFamily, MatchModule, RuleTarget } from '../../types.ts';
import type { InterfaceSetMatch, NftAction, NftMatch, NftRule } from '../types.ts';

/** Interface names are validated upstream; refuse anything that could end the quoted string. */
export function quoted(name: string): string {
  if (!/^[A-Za-z0-9_.@:+-]{1,15}$/.test(name)) throw new Error(`nftables: bad interface name ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** A comment is one quoted string: nft has no escapes, so no quote or line break may appear in it. */
function comment(text: string): string {
  if (/["\r\n]/.test(text)) throw new Error(`nftables: a comment cannot hold ${JSON.stringify(text)}`);
  return `comment "${text}"`;
}

/** An address or prefix as nft lists it: a host prefix (/32, /128) without its length. */
function address(a: AddressMatch): string {
  const c = inetCidr(a.cidr);
  const [ip, len] = c.split('/') as [string, string];
  const text = len === (ip.includes(':') ? '128' : '32') ? ip : c;
  return a.negate ? `!= ${text}` : text;
}

/**
 * Interface names in the order nft lists set elements: by value, where an ifname is a 16-byte string
 * compared as a host-endian (little-endian) number, so its last byte weighs most. That puts shorter
 * names first, and names of one length in order of their last character, then the one before, ...
 */
export function compareIfnames(a: string, b: string): number {
  const key = (s: string): number[] => {
    const bytes = [...Buffer.from(s.padEnd(16, '\0'), 'latin1')];
    return bytes.reverse();
  };
  const x = key(a);
  const y = key(b);
  for (let i = 0; i < 16; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

function interfaceSet(keyword: 'iifname' | 'oifname', s: InterfaceSetMatch): string {
  const names = [...new Set(s.names)].sort(compareIfnames);
  const op = s.negate ? '!= ' : '';
  if (names.length === 1) return `${keyword} ${op}${quoted(names[0]!)}`;
  return `${keyword} ${op}{ ${names.map(quoted).join(', ')} }`;
}

/** ct state bits in the order nft prints a flag set: invalid 1, established 2, related 4, new 8, untracked 64. */
const CT_STATE_NFT: readonly [CtState, string][] = [
  ['INVALID', 'invalid'],
  ['ESTABLISHED', 'established'],
  ['RELATED', 'related'],
  ['NEW', 'new'],
  ['UNTRACKED', 'untracked'],
];

const hex8 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** `ip protocol icmp` (IPv4) or `meta l4proto ipv6-icmp` (IPv6: nft's name for ICMPv6). */
function protocol(name: string, negate: boolean | undefined, family: IpFamily): string {
  const n = name.toLowerCase();
  const op = negate ? '!= ' : '';
  if (family === 4) return `ip protocol ${op}${n}`;
  return `meta l4proto ${op}${n === 'icmpv6' ? 'ipv6-icmp' : n}`;
}

function moduleText(m: MatchModule): string {
  switch (m.kind) {
    case 'tcp':
    case 'udp':
    case 'sctp': {
      const parts = [...(m.sport !== undefined ? [`${m.kind} sport ${m.sport}`] : []), ...(m.dport !== undefined ? [`${m.kind} dport ${m.dport}`] : [])];
      return parts.join(' ');
    }
    case 'conntrack': {
      const names = CT_STATE_NFT.filter(([s]) => m.states.includes(s)).map(([, n]) => n);
      if (names.length !== m.states.length) throw new Error(`nftables: ct state cannot hold ${m.states.join(',')}`);
      return `ct state ${names.join(',')}`;
    }
    case 'addrtype':
      return [...(m.srcType ? [`fib saddr type ${m.srcType.toLowerCase()}`] : []), ...(m.dstType ? [`fib daddr type ${m.dstType.toLowerCase()}`] : [])].join(' ');
    case 'mark':
      return (m.mask >>> 0) === 0xffffffff ? `meta mark ${hex8(m.mark)}` : `meta mark & ${hex8(m.mask)} == ${hex8(m.mark)}`;
    case 'policy':
      return `meta ipsec ${m.pol === 'none' ? 'missing' : 'exists'}`;
    case 'bpf':
    case 'ipvs':
      throw new Error(`nftables: no ${m.kind} match in nft`);
  }
}

export function matchText(m: NftMatch, family: IpFamily): string {
  const ip = family === 4 ? 'ip' : 'ip6';
  switch (m.kind) {
    case 'source':
      return `${ip} saddr ${address(m.address)}`;
    case 'destination':
      return `${ip} daddr ${address(m.address)}`;
    case 'in':
      return `iifname ${m.iface.negate ? '!= ' : ''}${quoted(m.iface.name)}`;
    case 'out':
      return `oifname ${m.iface.negate ? '!= ' : ''}${quoted(m.iface.name)}`;
    case 'in-set':
      return interfaceSet('iifname', m.ifaces);
    case 'protocol':
      return protocol(m.protocol.name, m.protocol.negate, family);
    case 'vxlan-vni-in-set':
      return `@th,96,24 @${m.set}`;
    default:
      return moduleText(m);
  }
}

/** Go's net.JoinHostPort: `[v6]:port` or `v4:port`. */
const joinHostPort = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

export function targetText(t: RuleTarget): string {
  switch (t.kind) {
    case 'accept':
    case 'drop':
    case 'return':
    case 'masquerade':
      return t.kind;
    case 'jump':
      return `jump ${t.chain}`;
    case 'snat':
      return `snat to ${t.toSource}`;
    case 'dnat':
      return `dnat to ${joinHostPort(t.toAddress, t.toPort)}`;
    case 'set-mark':
      if ((t.mask >>> 0) !== 0xffffffff) throw new Error('nftables: a masked set-mark is not modelled');
      return `meta mark set ${hex8(t.mark)}`;
    case 'redirect':
    case 'checksum-fill':
      throw new Error(`nftables: no ${t.kind} statement is modelled`);
  }
}

const actionText = (a: NftAction): string => (a.kind === 'vmap' ? `${a.key} vmap @${a.map}` : targetText(a));

/** One rule as `nft list` prints it; `counters` adds the values (`counter packets 0 bytes 0`) as `nft list` without -s does. */
export function ruleText(r: NftRule, family: IpFamily, counters: boolean): string {
  const words = r.matches.map((m) => matchText(m, family));
  if (r.counter) words.push(counters ? 'counter packets 0 bytes 0' : 'counter');
  words.push(actionText(r.action));
  if (r.comment !== undefined) words.push(comment(r.comment));
  return words.join(' ');
}
