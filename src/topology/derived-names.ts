// Names and MACs Docker makes random (network ids, veth names, MACs) are derived here by hashing
// the names the user wrote, so the same input gives the same bytes on every machine.
import { createHash } from 'node:crypto';

const hex = (...parts: string[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex');

/** Docker: "br-" + the first 12 hex digits of the network id (bridge_linux.go). */
export const bridgeName = (network: string): string => `br-${hex('network', network).slice(0, 12)}`;

/** Docker: "veth" + 7 random hex digits (netutils.GenerateIfaceName, vethLen 11). */
export const vethName = (container: string, network: string): string => `veth${hex('veth', container, network).slice(0, 7)}`;

/** A locally administered unicast MAC, as Docker 28+'s GenerateRandomMAC makes (byte 0: &0xfe | 0x02). */
export function derivedMac(...parts: string[]): string {
  const h = Buffer.from(hex('mac', ...parts).slice(0, 12), 'hex');
  h[0] = (h[0]! & 0xfe) | 0x02;
  return [...h].map((b) => b.toString(16).padStart(2, '0')).join(':');
}
