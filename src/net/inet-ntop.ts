// glibc's inet_ntop, which iptables-save (and ip) print addresses with, so the form of every address
// in a rule netform writes. It differs from Go's netip String only inside ::/96: glibc prints
// ::a.b.c.d for an address whose first six groups are zero (the deprecated IPv4-compatible form,
// which also catches ::1:2 as ::0.1.0.2), and ::ffff:a.b.c.d for a mapped one, as Go does.
//
// Rules name the same few addresses over and over, so the text forms are remembered by input text;
// the memos are cleared when they pass MEMO_LIMIT entries, so a long-lived process that compiles many
// inputs does not keep every address it has seen.
import { mask } from './prefix.ts';
import { parseAddr, parsePrefix } from './parse.ts';
import { type Addr, type Family, bitLen, dotted, ipv6Groups } from './types.ts';

/** inet_ntop6: the longest run of two or more zero groups as "::" (the first on a tie). */
function ntop6(value: bigint): string {
  const g = ipv6Groups(value);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  if (bestBase === 0 && (bestLen === 6 || (bestLen === 5 && g[5] === 0xffff))) {
    return `${bestLen === 6 ? '::' : '::ffff:'}${dotted(value & 0xffffffffn)}`;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    out += g[i]!.toString(16);
  }
  return bestBase >= 0 && bestBase + bestLen === 8 ? `${out}:` : out;
}

/** glibc inet_ntop (AF_INET or AF_INET6) of the address, without its zone. */
export const inetNtop = (a: Addr): string => (a.family === 4 ? dotted(a.value) : ntop6(a.value));

const valueNtop = (family: Family, value: bigint): string => (family === 4 ? dotted(value) : ntop6(value));

const MEMO_LIMIT = 1 << 20;

function memo(fn: (text: string) => string): (text: string) => string {
  const cache = new Map<string, string>();
  return (text) => {
    let v = cache.get(text);
    if (v === undefined) {
      v = fn(text);
      if (cache.size >= MEMO_LIMIT) cache.clear();
      cache.set(text, v);
    }
    return v;
  };
}

/** An address (no zone) as iptables-save prints it; throws on text that is not one. */
export const inetAddr: (text: string) => string = memo((text) => {
  const a = parseAddr(text);
  if (!a || a.zone !== '') throw new Error(`not an IP address: ${text}`);
  return inetNtop(a);
});

/**
 * `addr` or `addr/len` as an iptables-save match prints it: masked, with /32 or /128 on a bare
 * address. Throws on text that is neither.
 */
export const inetCidr: (text: string) => string = memo((text) => {
  const p = text.includes('/') ? parsePrefix(text) : undefined;
  const a = p ? undefined : parseAddr(text);
  if (!p && (!a || a.zone !== '')) throw new Error(`not an IP address or prefix: ${text}`);
  const family = p ? p.family : a!.family;
  const length = p ? p.length : bitLen(family);
  return `${valueNtop(family, (p ? p.address : a!.value) & mask(family, length))}/${length}`;
});

/** True for 0.0.0.0/0 and ::/0 (iptables drops such a match). */
export const isAnyCidr = (cidr: string): boolean => cidr.endsWith('/0');
