// Names and MACs Docker makes random (network ids, veth names, MACs) are derived here by hashing
// the names the user wrote, so the same input gives the same bytes on every machine (and a lock file,
// chosen.ts, keeps the ones a build chose).
import { createHash } from 'node:crypto';

const hex = (...parts: string[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex');

/**
 * A network's id, as many hex digits as Docker's device and namespace names take (12), derived from its
 * name; a lock file may pin another (chosen.ts).
 */
export const derivedNetworkId = (network: string): string => hex('network', network).slice(0, 12);

/** Docker: "br-" + the first 12 hex digits of the network id (bridge_linux.go). */
export const bridgeName = (id: string): string => `br-${id.slice(0, 12)}`;

/** Overlay namespace: Docker's "1-" + the first 10 hex digits of the network id (/var/run/docker/netns/1-...). */
export const overlayNamespace = (id: string): string => `1-${id.slice(0, 10)}`;

/** The VXLAN device's name until it is moved into the overlay namespace (renamed vxlan0 there): vx-%06x-<id[:5]>. */
export const vxlanDeviceName = (vni: number, id: string): string => `vx-${vni.toString(16).padStart(6, '0')}-${id.slice(0, 5)}`;

/** macvlan/ipvlan without a parent: Docker's dummy link, dm-<id[:12]> (macvlan) or di-<id[:12]> (ipvlan). */
export const dummyParentName = (driver: 'macvlan' | 'ipvlan', id: string): string => `${driver === 'macvlan' ? 'dm' : 'di'}-${id.slice(0, 12)}`;

/** Docker: "veth" + 7 random hex digits (netutils.GenerateIfaceName, vethLen 11). */
export const vethName = (container: string, network: string): string => `veth${hex('veth', container, network).slice(0, 7)}`;

/** A locally administered unicast MAC, as Docker 28+'s GenerateRandomMAC makes (byte 0: &0xfe | 0x02). */
export function derivedMac(...parts: string[]): string {
  const h = Buffer.from(hex('mac', ...parts).slice(0, 12), 'hex');
  h[0] = (h[0]! & 0xfe) | 0x02;
  return [...h].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * Docker <= 27's GenerateRandomMAC (v27.5.1 libnetwork/netutils/utils.go genMAC, the same in v20.10.24):
 * 02:42 followed by four random bytes; used for bridges. Derived here from the names, as above.
 */
export function derivedLegacyMac(...parts: string[]): string {
  const h = Buffer.from(hex('mac', ...parts).slice(0, 8), 'hex');
  return ['02', '42', ...[...h].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/**
 * Docker <= 27's GenerateMACFromIP (genMAC(ip)): 02:42 followed by the four bytes of the endpoint's
 * IPv4 address; the bridge driver gives it to every endpoint without a configured MAC (v27.5.1
 * bridge_linux.go CreateEndpoint; v20.10.24 bridge.go). Every endpoint has IPv4 in those releases.
 */
export function macFromIPv4(ipv4: string): string {
  const bytes = ipv4.split('.').map(Number);
  if (bytes.length !== 4 || bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) throw new Error(`not an IPv4 address: ${ipv4}`);
  return ['02', '42', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
