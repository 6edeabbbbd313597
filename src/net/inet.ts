// Addresses as the firewall sees them: parse IPv4/IPv6 text, mask prefixes, and print them the way
// iptables-save does (glibc inet_ntop: lower-case hex, the longest run of two or more zero groups
// compressed, "::ffff:a.b.c.d" for IPv4-mapped addresses). Rules keep addresses in this canonical
// prefix form so that two rules are equal exactly when iptables -C would call them equal.
//
// (src/net/address.ts is the module that prints as Go's netip does, which prints as Go's netip does; this one prints as the
// kernel's userspace tools do. The two agree on every address Docker generates.)
/** An address family. */
export type IpFamily = 4 | 6;

/** An address as 4 or 16 bytes. */
export interface IpBytes {
  readonly family: IpFamily;
  readonly bytes: readonly number[];
}

const bitsOf = (f: IpFamily): number => (f === 4 ? 32 : 128);

/** a.b.c.d with 1-3 decimal digits per part, each at most 255 (as the /^\d{1,3}$/ test per part did). */
function parseV4(text: string): number[] | undefined {
  const out: number[] = [];
  let n = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // the end closes the last part like a dot
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      n = n * 10 + (c - 48);
    } else if (c === 46) {
      if (digits === 0 || n > 255 || out.length === 4) return undefined;
      out.push(n);
      n = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  return out.length === 4 ? out : undefined;
}

function parseV6(text: string): number[] | undefined {
  let t = text;
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  if (t.includes('%') || !t.includes(':')) return undefined;
  let tailV4: number[] = [];
  const lastColon = t.lastIndexOf(':');
  if (t.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(t.slice(lastColon + 1));
    if (!v4) return undefined;
    tailV4 = v4;
    t = t.slice(0, lastColon + 1) + '0:0';
  }
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0 || (halves.length === 2 && fill < 1) || (halves.length === 1 && head.length !== 8)) return undefined;
  const all = [...head, ...Array<string>(fill).fill('0'), ...tail];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  if (tailV4.length) bytes.splice(12, 4, ...tailV4);
  return bytes;
}

/**
 * Rules name the same few addresses over and over (a container's address in its DNAT, MASQUERADE and
 * ACCEPT rules, and again when the rule's key is made and when it is rendered): parsed and canonical forms
 * are remembered by text. The memos are cleared when they grow past MEMO_LIMIT entries, so a long-lived
 * process that compiles many inputs does not keep every address it has seen.
 */
const MEMO_LIMIT = 1 << 20;

function memo<T>(fn: (text: string) => T): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    let v = cache.get(text);
    if (v === undefined && !cache.has(text)) {
      v = fn(text);
      if (cache.size >= MEMO_LIMIT) cache.clear();
      cache.set(text, v);
    }
    return v as T;
  };
}

function parseIpUncached(text: string): IpBytes | undefined {
  const v4 = parseV4(text);
  if (v4) return Object.freeze({ family: 4, bytes: Object.freeze(v4) });
  const v6 = parseV6(text);
  return v6 ? Object.freeze({ family: 6, bytes: Object.freeze(v6) }) : undefined;
}

/** The address's family and bytes (shared and frozen: the same text gives the same object). */
export const parseIp: (text: string) => IpBytes | undefined = memo(parseIpUncached);

export function familyOf(text: string): IpFamily | undefined {
  const slash = text.indexOf('/');
  return parseIp(slash < 0 ? text : text.slice(0, slash))?.family;
}

/** Prints as glibc inet_ntop does (what iptables-save shows). */
export function formatIp(ip: IpBytes): string {
  const b = ip.bytes;
  if (ip.family === 4) return b.join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // glibc prints an IPv4 tail for ::a.b.c.d and ::ffff:a.b.c.d.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += b.slice(12).join('.');
      break;
    }
    out += words[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

function maskBytes(bytes: readonly number[], length: number): number[] {
  return bytes.map((v, i) => {
    const keep = Math.max(0, Math.min(8, length - i * 8));
    return v & ((0xff << (8 - keep)) & 0xff);
  });
}

/** `addr` or `addr/len` → masked `addr/len` in iptables-save form; a bare address gets /32 or /128. */
export const canonicalCidr: (text: string) => string = memo((text) => {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIp(addrText);
  if (!ip) throw new Error(`not an IP address or prefix: ${text}`);
  const max = bitsOf(ip.family);
  const len = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > max) throw new Error(`bad prefix length: ${text}`);
  return `${formatIp({ family: ip.family, bytes: maskBytes(ip.bytes, len) })}/${len}`;
});

/** Canonical text of a bare address (no prefix length). */
export const canonicalIp: (text: string) => string = memo((text) => {
  const ip = parseIp(text);
  if (!ip) throw new Error(`not an IP address: ${text}`);
  return formatIp(ip);
});

/** True for 0.0.0.0/0 and ::/0 (iptables drops such a match). */
export const isAnyCidr = (cidr: string): boolean => cidr.endsWith('/0');

/** Go's net.IP.IsUnspecified: 0.0.0.0 or ::. */
export function isUnspecified(text: string): boolean {
  const ip = parseIp(text);
  return !!ip && ip.bytes.every((b) => b === 0);
}

/** Go's net.IP.IsLoopback: 127.0.0.0/8 (also IPv4-mapped) or ::1. */
export function isLoopback(text: string): boolean {
  const ip = parseIp(text);
  if (!ip) return false;
  if (ip.family === 4) return ip.bytes[0] === 127;
  const b = ip.bytes;
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  if (mapped) return b[12] === 127;
  return b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
}

/** Go's netip.Addr.Compare: IPv4 before IPv6, then by bytes. */
export function compareIp(a: string, b: string): number {
  const x = parseIp(a);
  const y = parseIp(b);
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
  if (x.family !== y.family) return x.family - y.family;
  for (let i = 0; i < x.bytes.length; i++) {
    const d = x.bytes[i]! - y.bytes[i]!;
    if (d !== 0) return d;
  }
  return 0;
}
