// The one address parser: Go's netip.ParseAddr as of the Go release Docker 29 is built with, and the
// three other entry points Docker's code paths use, each defined by what it does on top of ParseAddr
// (net.ParseIP and net.ParseCIDR are themselves written on netip.ParseAddr since golang/go#58098):
//
//   parseAddr   netip.ParseAddr    zones allowed; ::ffff:a.b.c.d stays an IPv6 address
//   parseIP     net.ParseIP        zones refused; the net.IP it returns treats ::ffff:a.b.c.d as the
//                                  IPv4 address a.b.c.d (To4, String), so the result is unmapped
//   parsePrefix netip.ParsePrefix  zones refused; the length is 0 or starts with 1-9 (no sign, no
//                                  leading zero); the last '/' separates
//   parseCIDR   net.ParseCIDR      zones refused; the length is decimal digits (leading zeros allowed);
//                                  the first '/' separates; read as the *net.IPNet it returns
//
// Which one a field takes is what the Docker code path that reads it calls: the API's netip.Addr and
// netip.Prefix fields (subnet, ip_range, gateway, aux addresses, endpoint addresses, dns) unmarshal
// with ParseAddr/ParsePrefix; the bridge driver's host_binding_ipv4/host_ipv4/host_ipv6 options use
// ParseIP, and a published port's host address reaches the port mapper as a net.IP, so both read as
// parseIP; bip, bip6, fixed-cidr and fixed-cidr-v6 go through net.ParseCIDR (daemon_unix.go
// getDefaultBridgeIPAMConf).
import { is4In6, unmap } from './addr.ts';
import { type Addr, type Family, type Prefix, bitLen } from './types.ts';

/** netip parseIPv4 on s[start, end): the 32-bit value, or -1 where Go returns an error. */
function ipv4Value(s: string, start: number, end: number): number {
  let value = 0;
  let field = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && field === 0) return -1; // "IPv4 field has octet with leading zero"
      field = field * 10 + (c - 48);
      digits++;
      if (field > 255) return -1;
    } else if (c === 46) {
      // ".1.2.3", "1.2.3.", "1..2.3"; "1.2.3.4.5"
      if (i === start || i === end - 1 || s.charCodeAt(i - 1) === 46 || dots === 3) return -1;
      value = value * 256 + field;
      dots++;
      field = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  return dots === 3 ? value * 256 + field : -1;
}

const hexDigit = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;

/** The value of eight 16-bit groups, most significant first (in three exact chunks of 48, 48, 32 bits). */
function groupsValue(g: readonly number[]): bigint {
  const high = g[0]! * 0x100000000 + g[1]! * 0x10000 + g[2]!;
  const middle = g[3]! * 0x100000000 + g[4]! * 0x10000 + g[5]!;
  return (BigInt(high) << 80n) | (BigInt(middle) << 32n) | BigInt(g[6]! * 0x10000 + g[7]!);
}

/**
 * netip parseIPv6 on s[0, end), in 16-bit groups where Go counts bytes: fills `g` and returns true, or
 * false where Go returns an error. Groups of 1-4 hex digits; one "::" standing for at least one zero
 * group; an embedded IPv4 address only as the last 32 bits (anywhere after a "::").
 */
function scanIPv6(s: string, end: number, g: number[]): boolean {
  let p = 0;
  let ellipsis = -1;
  if (end >= 2 && s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) {
    ellipsis = 0;
    p = 2;
    if (p === end) return true;
  }
  let i = 0;
  while (i < 8) {
    let off = 0;
    let acc = 0;
    for (; p + off < end; off++) {
      const d = hexDigit(s.charCodeAt(p + off));
      if (d < 0) break;
      acc = acc * 16 + d;
      if (off > 3) return false; // "each group must have 4 or less digits"
    }
    if (off === 0) return false;
    if (p + off < end && s.charCodeAt(p + off) === 46) {
      if ((ellipsis < 0 && i !== 6) || i + 2 > 8) return false;
      const v4 = ipv4Value(s, p, end);
      if (v4 < 0) return false;
      g[i] = v4 >>> 16;
      g[i + 1] = v4 & 0xffff;
      p = end;
      i += 2;
      break;
    }
    g[i++] = acc;
    p += off;
    if (p === end) break;
    if (s.charCodeAt(p) !== 58 || p + 1 === end) return false; // "unexpected character, want colon"
    p++;
    if (s.charCodeAt(p) === 58) {
      if (ellipsis >= 0) return false; // "multiple :: in address"
      ellipsis = i;
      p++;
      if (p === end) break;
    }
  }
  if (p !== end) return false; // "trailing garbage after address"
  if (i < 8) {
    if (ellipsis < 0) return false; // "address string too short"
    const n = 8 - i;
    for (let j = i - 1; j >= ellipsis; j--) g[j + n] = g[j]!;
    for (let j = ellipsis; j < ellipsis + n; j++) g[j] = 0;
  } else if (ellipsis >= 0) {
    return false; // "the :: must expand to at least one field of zeros"
  }
  return true;
}

function parseIPv6(s: string): Addr | undefined {
  let end = s.length;
  let zone = '';
  const pct = s.indexOf('%');
  if (pct >= 0) {
    zone = s.slice(pct + 1);
    if (zone === '') return undefined; // "zone must be a non-empty string"
    end = pct;
  }
  const g = [0, 0, 0, 0, 0, 0, 0, 0];
  return scanIPv6(s, end, g) ? { family: 6, value: groupsValue(g), zone } : undefined;
}

/** netip.ParseAddr: undefined where Go returns an error. */
export function parseAddr(s: string): Addr | undefined {
  // Go dispatches on the first '.', ':' or '%' it meets.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      const v = ipv4Value(s, 0, s.length);
      return v < 0 ? undefined : { family: 4, value: BigInt(v), zone: '' };
    }
    if (c === 58) return parseIPv6(s);
    if (c === 37) return undefined; // "missing IPv6 address"
  }
  return undefined; // "unable to parse IP"
}

/** netip.MustParseAddr: for literals known to be valid. */
export function mustParseAddr(s: string): Addr {
  const a = parseAddr(s);
  if (!a) throw new RangeError(`not an IP address: ${JSON.stringify(s)}`);
  return a;
}

/** net.ParseIP, read through the net.IP it returns: ParseAddr without zones, IPv4-mapped as IPv4. */
export function parseIP(s: string): Addr | undefined {
  const a = parseAddr(s);
  return a === undefined || a.zone !== '' ? undefined : unmap(a);
}

/** netip.ParsePrefix: undefined where Go returns an error. Host bits are kept (see masked). */
export function parsePrefix(s: string): Prefix | undefined {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return undefined; // "no '/'"
  const a = parseAddr(s.slice(0, slash));
  if (!a || a.zone !== '') return undefined; // "IPv6 zones cannot be present in a prefix"
  const length = prefixLength(s, slash + 1, false);
  if (length < 0 || length > bitLen(a.family)) return undefined; // "bad bits", "prefix length out of range"
  return { family: a.family, address: a.value, length };
}

/**
 * net.ParseCIDR, read through the *net.IPNet it returns: undefined where Go returns an error; else the
 * address (host bits kept) and length in the IPNet's family. An IPv4-mapped address with a length of 96
 * or more is the IPv4 prefix it maps (::ffff:10.0.0.1/120 is 10.0.0.1/24: IPNet.String and Contains
 * see a 4-byte network); with a shorter length the masked network is no longer mapped, and stays IPv6.
 */
export function parseCIDR(s: string): Prefix | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const a = parseAddr(s.slice(0, slash));
  if (!a || a.zone !== '') return undefined;
  const length = prefixLength(s, slash + 1, true);
  if (length < 0 || length > bitLen(a.family)) return undefined;
  if (is4In6(a) && length >= 96) return { family: 4, address: unmap(a).value, length: length - 96 };
  return { family: a.family, address: a.value, length };
}

/**
 * The decimal prefix length s[start..]: digits only and at least one; netip.ParsePrefix also refuses a
 * leading zero (strconv.Atoi behind a first-digit check), net.ParseCIDR's dtoi does not. -1 when bad.
 */
function prefixLength(s: string, start: number, leadingZeros: boolean): number {
  const n = s.length - start;
  if (n === 0 || (!leadingZeros && n > 1 && s.charCodeAt(start) === 48)) return -1;
  let v = 0;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
    if (v > 128) return -1; // out of range for either family (Go: "out of range", dtoi's overflow)
  }
  return v;
}

/** The family of an address, or of a prefix ("10.0.0.0/8"), as netip reads it; undefined for neither. */
export function familyOf(text: string): Family | undefined {
  return (text.includes('/') ? parsePrefix(text) : parseAddr(text))?.family;
}
