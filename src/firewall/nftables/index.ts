// The nftables backend: dockerd's nftabler replayed per enabled family (replay.ts) into `docker-bridges`
// tables, the overlay driver's `docker-overlay` table for encrypted overlays (overlay-table.ts), written
// as one `nft -f` file (text/). What is no part of Docker's nftables output stays with the null
// backend's iptables rules: netform's own NETFORM-SWARM chain (hosts.<h>.open_swarm_ports).
import type { FirewallBackend, FirewallRefusal, NftablesRules } from '../backend.ts';
import type { FirewallInput } from '../input.ts';
import { RulePieces } from '../iptables/pieces.ts';
import { renderIptablesRestore } from '../iptables/text/restore.ts';
import type { Ruleset } from '../iptables/types.ts';
import { keptRules } from '../none/index.ts';
import type { IpFamily } from '../types.ts';
import { overlayEncryptionTable } from './overlay-table.ts';
import { indexNetworks, replayFamily } from './replay.ts';
import { replaceTable } from './text/listing.ts';
import type { NftTable } from './types.ts';

function build(input: FirewallInput): NftablesRules {
  const networks = indexNetworks(input.networks);
  const refusals: FirewallRefusal[] = [];
  const tables: NftTable[] = [];
  for (const [family, on] of [[4, input.daemon.iptables], [6, input.daemon.ip6tables]] as const) {
    if (on) tables.push(replayFamily(input, networks, family, refusals));
  }
  const overlay = overlayEncryptionTable(input.encryption);
  if (overlay) tables.push(overlay);
  // The encryption rules are nft here; what the null backend would keep beyond them is netform's own.
  const pieces = new RulePieces();
  const { encryption: _nft, ...rest } = input;
  const kept = (f: IpFamily): Ruleset | undefined => keptRules(rest, f, pieces);
  const v4 = kept(4);
  const v6 = kept(6);
  return {
    backend: 'nftables',
    tables,
    ...(v4 || v6 ? { iptables: { ...(v4 ? { v4 } : {}), ...(v6 ? { v6 } : {}) } } : {}),
    ...(refusals.length > 0 ? { refusals } : {}),
  };
}

export const nftablesBackend: FirewallBackend<NftablesRules> = {
  name: 'nftables',
  build,
  files: (rules) => [
    ...(rules.tables.length > 0 ? [['nftables.rules', rules.tables.map(replaceTable).join('')] as const] : []),
    ...(rules.iptables?.v4 ? [['iptables.rules', renderIptablesRestore(rules.iptables.v4)] as const] : []),
    ...(rules.iptables?.v6 ? [['ip6tables.rules', renderIptablesRestore(rules.iptables.v6)] as const] : []),
  ],
};
