// A packet as the tracer follows it, and the address tests it needs fast: a trace on a host of 10,000
// containers walks chains of tens of thousands of rules, so prefixes are parsed once (memoized by their
// text) and a host prefix (/32, /128) is compared as text, which is how Docker writes most of them.
import { canonicalAddr as canonicalAddress, contains, familyOf, masked, parseAddr as parseAddress, parsePrefix, prefixString, type Addr as Address, type Prefix } from '../net/index.ts';
import type { PortProtocol } from '../firewall/types.ts';

export type L4 = PortProtocol | 'esp';

export interface Packet {
  readonly family: 4 | 6;
  readonly proto: L4;
  /** Canonical address text. */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** The fwmark. */
  mark: number;
  /** A VXLAN packet of this VNI (UDP to the data path port), carrying `inner` for the owner of `nexthop`. */
  vxlan?: { readonly vni: number; readonly inner: Packet; readonly nexthop: string };
  /** In flight as ESP (an xfrm OUT policy took it), to be decrypted by the receiver's SA. */
  esp?: boolean;
  /** Decrypted by an xfrm policy on the way in (`-m policy --pol ipsec`). */
  ipsec?: boolean;
}

export const copyPacket = (p: Packet): Packet => ({ ...p });

export const endpointText = (address: string, port: number): string => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);

/** A connection tuple as a map key. */
export const tupleKey = (p: { proto: L4; src: string; sport: number; dst: string; dport: number }): string =>
  `${p.proto} ${p.src} ${p.sport} ${p.dst} ${p.dport}`;

const addresses = new Map<string, Address | null>();
/** The parsed address (memoized). */
export function addr(text: string): Address | undefined {
  let a = addresses.get(text);
  if (a === undefined) {
    a = parseAddress(text) ?? null;
    addresses.set(text, a);
  }
  return a ?? undefined;
}

/** A prefix prepared for testing addresses against it (rules and routes keep theirs). */
export interface CidrTest {
  readonly family: 4 | 6;
  /** For a host prefix: the address as canonical text. */
  readonly host?: string;
  /** For a wider IPv4 prefix: its network and mask as unsigned 32-bit numbers. */
  readonly net4?: number;
  readonly mask4?: number;
  /** The parsed prefix; for a host prefix, only its family and length are sure (the address is `host`). */
  readonly prefix: Prefix;
}

/** The test of a prefix that does not parse: no address lies in it. */
export const NO_ADDRESS: CidrTest = { family: 4, host: '', prefix: { family: 4, address: 0n, length: 32 } };

/** The mask of an IPv4 prefix length as an unsigned 32-bit number. */
export const mask4Of = (length: number): number => (length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0);

const prefixes = new Map<string, CidrTest | null>();

/** An IPv6 address in RFC 5952 form, from text of plain hex groups (no embedded IPv4), without bigints. */
function canonicalV6(text: string): string | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0 || head.length + tail.length + fill !== 8) return undefined;
  const groups: number[] = [];
  for (const g of [...head, ...Array<string>(fill).fill('0'), ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    groups.push(parseInt(g, 16));
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i >= 2 && j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (groups.slice(0, 6).join() === '0,0,0,0,0,65535') return undefined; // IPv4-mapped: netip writes a dotted tail
  const hex = groups.map((g) => g.toString(16));
  return bestStart < 0 ? hex.join(':') : `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * A dotted quad and a prefix length of 0 to 32, both without leading zeros (what netip.ParsePrefix
 * accepts for IPv4): the address as an unsigned 32-bit number and the length; else undefined.
 */
function v4Prefix(s: string): { value: number; length: number } | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined;
      octet = octet * 10 + c - 48;
      if (++digits > 3 || octet > 255) return undefined;
    } else if ((c === 46 && dots < 3) || (c === 47 && dots === 3)) {
      if (digits === 0) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      if (c === 47) break;
      dots++;
    } else {
      return undefined;
    }
  }
  const bits = s.slice(i + 1);
  if (i === s.length || !/^(?:3[0-2]|[12]?\d)$/.test(bits)) return undefined;
  return { value, length: Number(bits) };
}

/** The prepared test of `cidr` (memoized), or undefined when it does not parse. */
export function cidrTest(cidr: string): CidrTest | undefined {
  let t = prefixes.get(cidr);
  if (t === undefined) {
    // An IPv4 prefix in netip's own spelling: no parse through bigints (a host one is its text).
    const v4 = v4Prefix(cidr);
    if (v4 && v4.length === 32) t = { family: 4, host: cidr.slice(0, -3), prefix: { family: 4, address: 0n, length: 32 } };
    else if (v4) {
      const mask4 = mask4Of(v4.length);
      t = { family: 4, prefix: { family: 4, address: BigInt(v4.value), length: v4.length }, mask4, net4: (v4.value & mask4) >>> 0 };
    }
    if (t !== undefined) prefixes.set(cidr, t);
  }
  if (t === undefined && cidr.endsWith('/128') && !cidr.includes('.')) {
    const host = canonicalV6(cidr.slice(0, -4));
    if (host !== undefined) {
      t = { family: 6, host, prefix: { family: 6, address: 0n, length: 128 } };
      prefixes.set(cidr, t);
    }
  }
  if (t === undefined) {
    const p = parsePrefix(cidr.includes('/') ? cidr : `${cidr}/${familyOf(cidr) === 6 ? 128 : 32}`);
    t = p ? wideOrHost(cidr, p) : null;
    prefixes.set(cidr, t);
  }
  return t ?? undefined;
}

function wideOrHost(cidr: string, p: Prefix): CidrTest {
  if (p.length === (p.family === 4 ? 32 : 128)) return { family: p.family, prefix: p, host: canonicalAddress(cidr.split('/')[0]!)! };
  if (p.family === 6) return { family: 6, prefix: p };
  const mask4 = mask4Of(p.length);
  return { family: 4, prefix: p, mask4, net4: (Number(p.address) & mask4) >>> 0 };
}

// The address last asked for as a number: a chain's rules are tested one after another against the
// same packet, so the same string comes back many times in a row.
let lastV4Text: string | undefined;
let lastV4: number | undefined;

/** An IPv4 address (canonical text) as an unsigned 32-bit number; undefined for any other text. */
export function v4Value(text: string): number | undefined {
  if (text === lastV4Text) return lastV4;
  const a = addr(text);
  lastV4Text = text;
  lastV4 = a?.family === 4 ? Number(a.value) : undefined;
  return lastV4;
}

/** The network of an address with its prefix length (`10.1.0.1/24` -> `10.1.0.0/24`), as netip writes it. */
export function networkText(cidr: string): string {
  const t = cidrTest(cidr);
  if (t?.net4 !== undefined) {
    const n = t.net4;
    const text = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${t.prefix.length}`;
    // The network's own test, as cidrTest would make it (its routes ask for it next).
    if (!prefixes.has(text)) prefixes.set(text, { family: 4, prefix: { family: 4, address: BigInt(n), length: t.prefix.length }, mask4: t.mask4!, net4: n });
    return text;
  }
  return prefixString(masked(parsePrefix(cidr)!));
}

/** Whether `address` (canonical text) lies in the prefix `t` tests. */
export function inCidr(t: CidrTest, address: string): boolean {
  if (t.host !== undefined) return t.host === address;
  if (t.mask4 !== undefined) {
    const v = v4Value(address);
    return v !== undefined && ((v & t.mask4) >>> 0) === t.net4;
  }
  const a = addr(address);
  return !!a && contains(t.prefix, a);
}

/** Whether `address` (canonical text) lies in `cidr` (an address with a prefix length, or a bare address). */
export function inPrefix(cidr: string, address: string): boolean {
  const t = cidrTest(cidr);
  return !!t && inCidr(t, address);
}

/** The address of a host prefix (/32, /128) as canonical text; undefined for a wider prefix. */
export const hostOf = (cidr: string): string | undefined => cidrTest(cidr)?.host;

/** The prefix length of a cidr (an address alone: its family's full length). */
export function prefixLength(cidr: string): number {
  const slash = cidr.lastIndexOf('/');
  if (slash < 0) return cidrTest(cidr)?.prefix.length ?? 0;
  const n = Number(cidr.slice(slash + 1));
  return Number.isInteger(n) ? n : 0;
}

export const familyOfAddress = (text: string): 4 | 6 | undefined => addr(text)?.family;

/** 127.0.0.0/8 or ::1. */
export function isLoopbackAddress(text: string): boolean {
  const a = addr(text);
  return !!a && (a.family === 4 ? a.value >> 24n === 127n : a.value === 1n);
}

export function isMulticastAddress(text: string): boolean {
  const a = addr(text);
  return !!a && (a.family === 4 ? a.value >> 28n === 14n : a.value >> 120n === 0xffn);
}

/** The address part of `a.b.c.d/n`. */
export const addressOf = (cidr: string): string => canonicalAddress(cidr.split('/')[0]!) ?? cidr.split('/')[0]!;
