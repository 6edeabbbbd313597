// Prefix arithmetic for IPAM: masking (netip.Prefix.Masked), containment and overlap (Contains,
// Overlaps), the first and last address and the size of a prefix, and netiputil.Unmap, with which
// dockerd reads an IPv4-mapped subnet as the IPv4 one.
import { type Addr, type Family, type Prefix, bitLen } from './types.ts';

/** Host-part masks by family and prefix length (HOST_MASKS[f][len] = 2^(bits-len) - 1), built once. */
const HOST_MASKS: Record<Family, readonly bigint[]> = {
  4: Array.from({ length: 33 }, (_, len) => (1n << BigInt(32 - len)) - 1n),
  6: Array.from({ length: 129 }, (_, len) => (1n << BigInt(128 - len)) - 1n),
};
const ALL_ONES: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

/** The network mask of a prefix length, as a value of the family's width. */
export const mask = (f: Family, length: number): bigint => ALL_ONES[f] ^ HOST_MASKS[f][length]!;

/** The first address of the prefix (its network address). */
export const networkOf = (p: Prefix): bigint => p.address & mask(p.family, p.length);

/** The last address of the prefix (for IPv4, the broadcast address). */
export const lastOf = (p: Prefix): bigint => p.address | HOST_MASKS[p.family][p.length]!;

/** How many addresses the prefix holds. */
export const sizeOf = (p: Prefix): bigint => HOST_MASKS[p.family][p.length]! + 1n;

/** netip.Prefix.Masked: the host bits cleared (192.168.1.5/24 -> 192.168.1.0/24). */
export const masked = (p: Prefix): Prefix => ({ family: p.family, address: networkOf(p), length: p.length });

/** The prefix has no host bits set (netip: p == p.Masked()). */
export const isMasked = (p: Prefix): boolean => networkOf(p) === p.address;

/** netip.Prefix.Contains: same family (an IPv4-mapped address is not in an IPv4 prefix), and false for
 * an address with a zone ("because Prefixes strip zones"). */
export const contains = (p: Prefix, a: Addr): boolean =>
  p.family === a.family && a.zone === '' && a.value >= networkOf(p) && a.value <= lastOf(p);

/** netip.Prefix.Overlaps: same family and at least one address in common. */
export const overlaps = (a: Prefix, b: Prefix): boolean =>
  a.family === b.family && networkOf(a) <= lastOf(b) && networkOf(b) <= lastOf(a);

/** `inner` lies entirely within `outer` (a subnet of it or the same prefix). */
export const within = (inner: Prefix, outer: Prefix): boolean =>
  inner.family === outer.family && inner.length >= outer.length && networkOf(inner) >= networkOf(outer) && lastOf(inner) <= lastOf(outer);

/** netip.Addr.Prefix: the masked prefix of `bits` bits holding the address (the zone dropped), or
 * undefined when bits is out of range for the family. */
export function prefixOf(a: Addr, bits: number): Prefix | undefined {
  if (!Number.isInteger(bits) || bits < 0 || bits > bitLen(a.family)) return undefined;
  return { family: a.family, address: a.value & mask(a.family, bits), length: bits };
}

/** The single-address prefix of an address (/32 or /128), as iptables stores a host match. */
export const hostPrefix = (a: Addr): Prefix => ({ family: a.family, address: a.value, length: bitLen(a.family) });

const MAPPED_HIGH = 0xffffn << 32n;

/**
 * netiputil.Unmap (daemon/internal/netiputil): an IPv4-mapped IPv6 prefix becomes the IPv4 prefix,
 * its length reduced by 96 and floored at 0 (::ffff:1.2.3.4/120 -> 1.2.3.4/24, ::ffff:1.2.3.4/24 ->
 * 1.2.3.4/0). dockerd reads network subnets and ip ranges through it (daemon/network.go).
 */
export function unmapPrefix(p: Prefix): Prefix {
  if (p.family !== 6 || p.address >> 32n !== 0xffffn) return p;
  return { family: 4, address: p.address ^ MAPPED_HIGH, length: Math.max(0, p.length - 96) };
}
