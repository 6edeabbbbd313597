// The null backend, for a family whose daemon option is off (`iptables: false`, `ip6tables: false`):
// Docker's bridge driver programs nothing there (the firewaller is built with the family disabled and the
// controller makes no DOCKER-USER), but two things are programmed whatever that option says:
//   - the overlay driver's encryption rules (daemon/libnetwork/drivers/overlay/encryption.go
//     programMangle / programInput call iptables directly): without them an "encrypted" overlay's VXLAN
//     leaves in clear text and unencrypted VXLAN for an encrypted VNI is accepted;
//   - netform's own NETFORM-SWARM chain (hosts.<h>.open_swarm_ports), which is no part of Docker's replay.
// As netavark's fwnone, it adds nothing of the bridge driver's; unlike it, it keeps the drivers' rules.
import type { FirewallBackendName } from '../backend.ts';
import type { FirewallInput } from '../input.ts';
import { addEncryptionRules } from '../iptables/encryption-rules.ts';
import type { RulePieces } from '../iptables/pieces.ts';
import { RulesetBuilder } from '../iptables/ruleset-builder.ts';
import { addSwarmPortRules } from '../iptables/swarm-port-rules.ts';
import type { Ruleset } from '../iptables/types.ts';
import type { IpFamily } from '../types.ts';

/** The rules kept in a family whose daemon option is off, or undefined when there are none. */
export function keptRules(input: FirewallInput, family: IpFamily, pieces: RulePieces): Ruleset | undefined {
  const ports = input.swarmPorts?.family === family ? input.swarmPorts : undefined;
  const encryption = input.encryption?.family === family ? input.encryption : undefined;
  if (!ports && !encryption) return undefined;
  const rs = new RulesetBuilder(family, pieces);
  if (ports) addSwarmPortRules(rs, ports);
  if (encryption) addEncryptionRules(rs, encryption.vnis, encryption.dataPathPort);
  // Docker never touches raw in this family.
  return { ...rs.build(), raw: false };
}

/**
 * What the bridge driver would have programmed in `family` and does not, in words for a warning; undefined
 * when it would have programmed nothing (no network of that family).
 */
export function droppedRules(input: FirewallInput, family: IpFamily, backend: FirewallBackendName = 'iptables'): string | undefined {
  const networks = input.networks.filter((n) => (family === 4 ? n.v4 : n.v6));
  if (networks.length === 0) return undefined;
  const ports = input.endpoints.reduce((sum, ep) => sum + ep.ports.filter((p) => p.hostIP.includes(':') === (family === 6)).length, 0);
  const what = [
    `no masquerading or isolation for ${networks.length} network${networks.length === 1 ? '' : 's'} (${networks.map((n) => n.name).join(', ')})`,
    ...(ports > 0 ? [`${ports} published port binding${ports === 1 ? '' : 's'} not forwarded`] : []),
    // The nftables backend has no DOCKER-USER in any case (firewall_linux.go setupUserChains).
    ...(backend === 'iptables' ? ['no DOCKER-USER chain'] : []),
  ];
  const kept = [
    ...(input.encryption?.family === family ? [backend === 'iptables' ? 'the overlay driver\'s encryption rules' : 'the overlay driver\'s encryption rules (nft table docker-overlay)'] : []),
    ...(input.swarmPorts?.family === family ? ['NETFORM-SWARM'] : []),
  ];
  return `${what.join('; ')}${kept.length > 0 ? `; kept, as dockerd programs them whatever this option says: ${kept.join(' and ')}` : ''}`;
}
