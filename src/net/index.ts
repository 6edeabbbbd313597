// netform's IP module: one parser faithful to Go's net/netip (with the net.ParseIP and net.ParseCIDR
// readings some Docker code paths use), one address value, prefix arithmetic for IPAM, and two
// printers: Go's netip String (hosts, resolv.conf, topology.json, the model) and glibc's inet_ntop
// (iptables-save text). Nothing here imports from another src folder.
export { type Addr, type Family, type Prefix, addrFrom, bitLen, prefixAddr } from './types.ts';
export { familyOf, mustParseAddr, parseAddr, parseCIDR, parseIP, parsePrefix } from './parse.ts';
export { addrEqual, compareAddr, is4In6, is6, isLoopback, isUnspecified, nextAddr, prevAddr, unmap } from './addr.ts';
export { contains, hostPrefix, isMasked, lastOf, mask, masked, networkOf, overlaps, prefixOf, sizeOf, unmapPrefix, within } from './prefix.ts';
export { addrString, canonicalAddr, prefixString, valueString } from './go-string.ts';
export { inetAddr, inetCidr, inetNtop, isAnyCidr } from './inet-ntop.ts';
