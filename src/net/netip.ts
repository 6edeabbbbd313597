// A small model of Go's net/netip.Addr (Go 1.26, which Docker 29 is built with), as far as Docker's
// resolv.conf and /etc/hosts code uses it: ParseAddr (which text is an address), String (how it is
// written back), Is4/Is6/Is4In6, Unmap, IsLoopback and equality. Docker 29 parses every nameserver,
// --dns value, --add-host address and endpoint address with netip.ParseAddr and writes it with
// Addr.String(), so the text netform writes must come from the same rules:
//   - IPv4 is dotted decimal with no leading zeros ("1.02.3.4" is not an address);
//   - IPv6 groups have 1 to 4 hex digits; IPv6 may carry a zone ("fe80::1%eth0") and an embedded
//     IPv4 tail ("::ffff:1.2.3.4");
//   - IPv6 is printed RFC 5952 style (lower case, longest run of >= 2 zero groups as "::", first on
//     a tie), but an IPv4-mapped address keeps its dotted tail: "::ffff:1.2.3.4", not "::ffff:102:304".
// node:net's isIPv4/isIPv6 accept and reject different strings (zones, leading zeros), so this is
// written out rather than borrowed.

export interface Addr {
  /** Go's z4: an IPv4 address (false for IPv6, including IPv4-mapped IPv6). */
  readonly is4: boolean;
  /** The eight 16-bit groups of the 16-byte form; an IPv4 address is kept as ::ffff:a.b.c.d. */
  readonly groups: readonly number[];
  /** IPv6 zone, '' when none. */
  readonly zone: string;
}

const v4Groups = (b: readonly number[]): number[] => [0, 0, 0, 0, 0, 0xffff, (b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];

function parseIPv4Bytes(s: string): number[] | undefined {
  // netip.parseIPv4: digits and dots only, each field 1-3 digits with no leading zero, <= 255, exactly 4.
  const fields: number[] = [];
  let val = 0;
  let digLen = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digLen === 1 && val === 0) return undefined; // leading zero
      val = val * 10 + (c - 0x30);
      digLen++;
      if (val > 255) return undefined;
    } else if (c === 0x2e) {
      if (i === 0 || i === s.length - 1 || s.charCodeAt(i - 1) === 0x2e) return undefined;
      if (fields.length === 3) return undefined; // too long
      fields.push(val);
      val = 0;
      digLen = 0;
    } else {
      return undefined;
    }
  }
  if (fields.length < 3) return undefined;
  fields.push(val);
  return fields;
}

function parseIPv6(input: string): Addr | undefined {
  let s = input;
  let zone = '';
  const pct = s.indexOf('%');
  if (pct !== -1) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === '') return undefined; // "zone must be a non-empty string"
  }
  const ip = new Array<number>(16).fill(0);
  let ellipsis = -1;
  if (s.length >= 2 && s[0] === ':' && s[1] === ':') {
    ellipsis = 0;
    s = s.slice(2);
    if (s.length === 0) return { is4: false, groups: new Array<number>(8).fill(0), zone };
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const c = s.charCodeAt(off);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      else break;
      acc = acc * 16 + d;
      if (off > 3) return undefined; // at most 4 hex digits per group (Go 1.22+)
      if (acc > 0xffff) return undefined;
    }
    if (off === 0) return undefined;
    if (off < s.length && s[off] === '.') {
      // Embedded IPv4: only as the last 32 bits (or anywhere after a "::").
      if (ellipsis < 0 && i !== 12) return undefined;
      if (i + 4 > 16) return undefined;
      const b = parseIPv4Bytes(s);
      if (!b) return undefined;
      ip[i] = b[0]!;
      ip[i + 1] = b[1]!;
      ip[i + 2] = b[2]!;
      ip[i + 3] = b[3]!;
      s = '';
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s.length === 0) break;
    if (s[0] !== ':' || s.length === 1) return undefined;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return undefined; // multiple "::"
      ellipsis = i;
      s = s.slice(1);
      if (s.length === 0) break;
    }
  }
  if (s.length !== 0) return undefined; // trailing garbage
  if (i < 16) {
    if (ellipsis < 0) return undefined; // too short
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j]!;
    for (let j = ellipsis + n - 1; j >= ellipsis; j--) ip[j] = 0;
  } else if (ellipsis >= 0) {
    return undefined; // "::" must stand for at least one zero group
  }
  const groups: number[] = [];
  for (let g = 0; g < 8; g++) groups.push((ip[2 * g]! << 8) | ip[2 * g + 1]!);
  return { is4: false, groups, zone };
}

/** netip.ParseAddr: undefined where Go returns an error. */
export function parseAddr(s: string): Addr | undefined {
  // Go dispatches on the first '.', ':' or '%' it meets.
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '.') {
      const b = parseIPv4Bytes(s);
      return b ? { is4: true, groups: v4Groups(b), zone: '' } : undefined;
    }
    if (c === ':') return parseIPv6(s);
    if (c === '%') return undefined;
  }
  return undefined;
}

/** netip.MustParseAddr: for literals known to be valid. */
export function mustParseAddr(s: string): Addr {
  const a = parseAddr(s);
  if (!a) throw new RangeError(`not an IP address: ${JSON.stringify(s)}`);
  return a;
}

/** Is6 is true for every IPv6 address, IPv4-mapped ones included (netip.Addr.Is6). */
export const is6 = (a: Addr): boolean => !a.is4;

export const is4In6 = (a: Addr): boolean =>
  !a.is4 && a.groups[0] === 0 && a.groups[1] === 0 && a.groups[2] === 0 && a.groups[3] === 0 && a.groups[4] === 0 && a.groups[5] === 0xffff;

/** netip.Addr.Unmap: ::ffff:a.b.c.d becomes a.b.c.d (the zone is dropped with the IPv6 form). */
export const unmap = (a: Addr): Addr => (is4In6(a) ? { is4: true, groups: a.groups, zone: '' } : a);

/** netip.Addr.IsLoopback: 127.0.0.0/8 (also IPv4-mapped) and ::1 in any spelling, zone ignored. */
export function isLoopback(a: Addr): boolean {
  const u = unmap(a);
  if (u.is4) return u.groups[6]! >> 8 === 127;
  return u.groups.every((g, i) => g === (i === 7 ? 1 : 0));
}

/** Go's `==` on netip.Addr: same family, same bits, same zone. */
export const addrEqual = (a: Addr, b: Addr): boolean =>
  a.is4 === b.is4 && a.zone === b.zone && a.groups.every((g, i) => g === b.groups[i]);

const dotted = (a: Addr): string => {
  const hi = a.groups[6]!;
  const lo = a.groups[7]!;
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
};

/** netip.Addr.String. */
export function addrString(a: Addr): string {
  if (a.is4) return dotted(a);
  const zone = a.zone === '' ? '' : `%${a.zone}`;
  if (is4In6(a)) return `::ffff:${dotted(a)}${zone}`;
  // appendTo6: the longest run of >= 2 zero groups becomes "::" (the first one on a tie).
  let zeroStart = -1;
  let zeroEnd = -1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && a.groups[j] === 0) j++;
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
    out += a.groups[i]!.toString(16);
  }
  return out + zone;
}

/** Parse and print back in netip's spelling; undefined when Go would reject the text. */
export function canonicalAddr(s: string): string | undefined {
  const a = parseAddr(s);
  return a && addrString(a);
}
