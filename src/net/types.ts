// The address and prefix values of netform's IP module, modelled on Go's net/netip (the package Docker 29
// parses and prints addresses with): an address is IPv4 or IPv6, and an IPv4-mapped IPv6 address
// (::ffff:a.b.c.d) is an IPv6 address until it is unmapped, as netip.Addr keeps it.
//
// The value is a bigint (32 or 128 bits) so that IPAM's arithmetic (masks, containment, the next free
// address) is exact for both families without a second representation.

export type Family = 4 | 6;

/** netip.Addr: family, value and IPv6 zone ('' for none; always '' for IPv4). */
export interface Addr {
  readonly family: Family;
  readonly value: bigint;
  readonly zone: string;
}

/**
 * netip.Prefix without its zone (netip.ParsePrefix refuses zones): the address as written, host bits
 * included (bip 192.168.1.5/24 keeps the .5), and the prefix length.
 */
export interface Prefix {
  readonly family: Family;
  readonly address: bigint;
  readonly length: number;
}

/** netip.Addr.BitLen: 32 or 128. */
export const bitLen = (f: Family): number => (f === 4 ? 32 : 128);

/** netip.AddrFrom4 / AddrFrom16 given the value: an address without a zone. */
export const addrFrom = (family: Family, value: bigint): Addr => ({ family, value, zone: '' });

/** The address of a prefix (zone-less, host bits as written). */
export const prefixAddr = (p: Prefix): Addr => addrFrom(p.family, p.address);

/** The eight 16-bit groups of an IPv6 value, most significant first (read in chunks of 48, 48, 32 bits). */
export function ipv6Groups(value: bigint): number[] {
  const high = Number(value >> 80n);
  const middle = Number((value >> 32n) & 0xffffffffffffn);
  const low = Number(value & 0xffffffffn);
  return [
    Math.floor(high / 0x100000000), (high >>> 16) & 0xffff, high & 0xffff,
    Math.floor(middle / 0x100000000), (middle >>> 16) & 0xffff, middle & 0xffff,
    low >>> 16, low & 0xffff,
  ];
}

/** a.b.c.d of a 32-bit value. */
export function dotted(value: bigint): string {
  const v = Number(value);
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}
