// What Docker asks of a netip.Addr: its kind (Is4In6, Unmap, IsLoopback, IsUnspecified), equality,
// order, and the neighbouring address.
import { type Addr, bitLen } from './types.ts';

const MAPPED_HIGH = 0xffffn << 32n;

/** netip.Addr.Is4In6: an IPv6 address in ::ffff:0:0/96. */
export const is4In6 = (a: Addr): boolean => a.family === 6 && a.value >> 32n === 0xffffn;

/** netip.Addr.Unmap: ::ffff:a.b.c.d becomes a.b.c.d (the zone goes with the IPv6 form). */
export const unmap = (a: Addr): Addr => (is4In6(a) ? { family: 4, value: a.value ^ MAPPED_HIGH, zone: '' } : a);

/** netip.Addr.Is6: every IPv6 address, IPv4-mapped ones included. */
export const is6 = (a: Addr): boolean => a.family === 6;

/** netip.Addr.IsLoopback: 127.0.0.0/8 (also IPv4-mapped) and ::1, the zone ignored. */
export function isLoopback(a: Addr): boolean {
  const u = unmap(a);
  return u.family === 4 ? u.value >> 24n === 127n : u.value === 1n;
}

/** netip.Addr.IsUnspecified: 0.0.0.0 or :: (::ffff:0.0.0.0 is neither). */
export const isUnspecified = (a: Addr): boolean => a.value === 0n;

/** Go's == on netip.Addr: same family, bits and zone. */
export const addrEqual = (a: Addr, b: Addr): boolean => a.family === b.family && a.value === b.value && a.zone === b.zone;

/** netip.Addr.Compare: IPv4 before IPv6, then by value, then (IPv6) by zone. */
export function compareAddr(a: Addr, b: Addr): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return a.zone === b.zone ? 0 : a.zone < b.zone ? -1 : 1;
}

/** netip.Addr.Next: the next address (zone kept), or undefined after the family's last one. */
export function nextAddr(a: Addr): Addr | undefined {
  const v = a.value + 1n;
  return v >> BigInt(bitLen(a.family)) === 0n ? { ...a, value: v } : undefined;
}

/** netip.Addr.Prev: the previous address (zone kept), or undefined before 0.0.0.0 / ::. */
export const prevAddr = (a: Addr): Addr | undefined => (a.value === 0n ? undefined : { ...a, value: a.value - 1n });
