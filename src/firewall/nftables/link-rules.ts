// Legacy `--link` rules (daemon/libnetwork/drivers/bridge/internal/nftabler/link.go AddLink ->
// updateLegacyLinkRules, Docker 29): per exposed port of the child, the parent may open connections to
// it, and the child may open connections from that port back to the parent; in the IPv4 table only,
// in the bridge's filter-forward-in chain. Unlike the iptables rules there is no interface match ("not
// needed because the addresses belong to the bridge").
import { inetCidr } from '../../net/index.ts';
import type { FirewallLink, FirewallNetwork } from '../input.ts';
import { fwdInChain, GROUP } from './daemon-table.ts';
import type { NftTableBuilder } from './table-builder.ts';
import type { NftRule } from './types.ts';

/** Adds the link's rules; returns false when dockerd refuses them (a rule that exists: "rule exists"). */
export function addLink(t: NftTableBuilder, net: FirewallNetwork, link: FirewallLink): boolean {
  if (t.family !== 4) return true;
  const parent = { cidr: inetCidr(link.parentIP) };
  const child = { cidr: inetCidr(link.childIP) };
  const o = link.origin;
  let ok = true;
  t.apply((tx) => {
    for (const p of link.ports) {
      const accept = (matches: NftRule['matches']): NftRule => ({ matches, counter: true, action: { kind: 'accept' }, ...(o ? { origin: o } : {}) });
      if (!tx.rule(fwdInChain(net.ifName), GROUP.fwdInLegacyLinks, accept([
        { kind: 'source', address: parent },
        { kind: 'destination', address: child },
        { kind: p.proto, dport: p.port },
      ]))) ok = false;
      // Conntrack lets the replies through: this is for connections the child opens from its port.
      if (!tx.rule(fwdInChain(net.ifName), GROUP.fwdInLegacyLinks, accept([
        { kind: 'source', address: child },
        { kind: p.proto, sport: p.port },
        { kind: 'destination', address: parent },
      ]))) ok = false;
    }
  });
  return ok;
}
