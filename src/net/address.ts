// IPv4/IPv6 addresses and prefixes as bigints. Small and exact: everything IPAM needs (containment,
// overlap, n-th address, canonical text) and nothing else. IPv6 text is RFC 5952 canonical, as Go's
// netip prints it (which is what Docker writes into rules, hosts and resolv.conf).
//
// Parsing is on every path of a build (each address and each published port's host address), so IPv4,
// by far the most common, is read digit by digit into a number; IPv6 is checked by the schema's own
// definition (formats.ts: one definition judges every address, and node:net's large regular expression
// costs milliseconds to compile at start-up).
import { isIPv6 } from './ip-text.ts';

export type Family = 4 | 6;

export interface Address {
  readonly family: Family;
  readonly value: bigint;
}

export interface Prefix {
  readonly family: Family;
  /** The address as written (may have host bits set, e.g. bip 192.168.1.5/24). */
  readonly address: bigint;
  readonly length: number;
}

export const bits = (f: Family): number => (f === 4 ? 32 : 128);

/** The value of a dotted-quad IPv4 address (four decimal numbers 0..255 without leading zeros), or -1. */
function ipv4Value(s: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // a leading zero
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return -1;
    } else {
      return -1;
    }
  }
  return digits === 0 || dots !== 3 ? -1 : value * 256 + octet;
}

export function parseAddress(text: string): Address | undefined {
  const v4 = ipv4Value(text);
  if (v4 >= 0) return { family: 4, value: BigInt(v4) };
  let t = text;
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  if (t.includes('%') || !isIPv6(t)) return undefined;
  // Expand an embedded IPv4 tail (::ffff:1.2.3.4) into two groups.
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (v4tail) {
    const v4 = parseAddress(v4tail[1]!)!.value;
    t = t.slice(0, -v4tail[1]!.length) + ((v4 >> 16n) & 0xffffn).toString(16) + ':' + (v4 & 0xffffn).toString(16);
  }
  const [head, tail] = t.includes('::') ? t.split('::') : [t, undefined];
  const h = head ? head.split(':') : [];
  const tl = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - tl.length;
  const groups = [...h, ...Array<string>(fill).fill('0'), ...tl];
  if (groups.length !== 8) return undefined;
  const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  return { family: 6, value };
}

export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return undefined;
  const addr = parseAddress(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!addr || !/^\d{1,3}$/.test(lenText)) return undefined;
  const length = Number(lenText);
  if (length > bits(addr.family)) return undefined;
  return { family: addr.family, address: addr.value, length };
}

export function formatAddress(a: Address): string {
  if (a.family === 4) {
    const v = Number(a.value);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((a.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (>= 2) of zero groups, the first one on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

/** Host-part masks by family and prefix length (hostMasks[f][len] = 2^(bits-len) - 1), built once. */
const hostMasks: Record<Family, readonly bigint[]> = {
  4: Array.from({ length: 33 }, (_, len) => (1n << BigInt(32 - len)) - 1n),
  6: Array.from({ length: 129 }, (_, len) => (1n << BigInt(128 - len)) - 1n),
};
const allOnes: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

export const mask = (f: Family, length: number): bigint => allOnes[f] ^ hostMasks[f][length]!;

export const networkOf = (p: Prefix): bigint => p.address & mask(p.family, p.length);
export const lastOf = (p: Prefix): bigint => p.address | hostMasks[p.family][p.length]!;
export const sizeOf = (p: Prefix): bigint => hostMasks[p.family][p.length]! + 1n;

export const masked = (p: Prefix): Prefix => ({ family: p.family, address: networkOf(p), length: p.length });

export function formatPrefix(p: Prefix): string {
  return `${formatAddress({ family: p.family, value: p.address })}/${p.length}`;
}

/** The masked prefix as text: 192.168.1.0/24 for 192.168.1.5/24. */
export const formatNetwork = (p: Prefix): string => formatPrefix(masked(p));

export const contains = (p: Prefix, a: Address): boolean =>
  p.family === a.family && a.value >= networkOf(p) && a.value <= lastOf(p);

export const overlaps = (a: Prefix, b: Prefix): boolean =>
  a.family === b.family && networkOf(a) <= lastOf(b) && networkOf(b) <= lastOf(a);

/** `inner` lies entirely within `outer`. */
export const within = (inner: Prefix, outer: Prefix): boolean =>
  inner.family === outer.family && inner.length >= outer.length && networkOf(inner) >= networkOf(outer) && lastOf(inner) <= lastOf(outer);

export const addressText = (family: Family, value: bigint): string => formatAddress({ family, value });

/** `/32` or `/128` host prefix text, as iptables prints host addresses. */
export const hostCidr = (a: Address): string => `${formatAddress(a)}/${bits(a.family)}`;

export function familyOf(text: string): Family | undefined {
  return ipv4Value(text) >= 0 ? 4 : parseAddress(text)?.family;
}

/** Canonical text of an address given in any spelling, or undefined if it is not an address. */
export function canonicalAddress(text: string): string | undefined {
  const a = parseAddress(text);
  return a && formatAddress(a);
}

export const isLoopback = (a: Address): boolean =>
  a.family === 4 ? a.value >> 24n === 127n : a.value === 1n;
