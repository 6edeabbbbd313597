// Go's netip String methods: how Docker 29 writes addresses into /etc/hosts, resolv.conf, its
// inspect output and its IPAM records, so how netform writes them into hosts, resolv.conf and
// topology.json. IPv6 is RFC 5952 (lower case, the longest run of two or more zero groups as "::", the
// first on a tie), except that an IPv4-mapped address keeps its dotted tail (::ffff:1.2.3.4).
import { is4In6 } from './addr.ts';
import { parseAddr } from './parse.ts';
import { type Addr, type Family, type Prefix, dotted, ipv6Groups } from './types.ts';

/** Addr.appendTo6 without the zone. */
function string6(value: bigint): string {
  const g = ipv6Groups(value);
  let zeroStart = -1;
  let zeroEnd = -1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i >= 2 && j - i > zeroEnd - zeroStart) {
      zeroStart = i;
      zeroEnd = j;
    }
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === zeroStart) {
      out += '::';
      i = zeroEnd;
      if (i >= 8) break;
    } else if (i > 0) {
      out += ':';
    }
    out += g[i]!.toString(16);
  }
  return out;
}

/** netip.Addr.String. */
export function addrString(a: Addr): string {
  if (a.family === 4) return dotted(a.value);
  const zone = a.zone === '' ? '' : `%${a.zone}`;
  if (is4In6(a)) return `::ffff:${dotted(a.value & 0xffffffffn)}${zone}`;
  return string6(a.value) + zone;
}

/** addrString of a zone-less address given by family and value. */
export const valueString = (family: Family, value: bigint): string => addrString({ family, value, zone: '' });

/** netip.Prefix.String: the address as held (host bits included), "/", the length. */
export const prefixString = (p: Prefix): string => `${valueString(p.family, p.address)}/${p.length}`;

/** ParseAddr then String: the text in netip's spelling, or undefined where Go would refuse it. */
export function canonicalAddr(text: string): string | undefined {
  const a = parseAddr(text);
  return a && addrString(a);
}
