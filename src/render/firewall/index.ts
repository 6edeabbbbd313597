// The firewall's files (iptables.rules, ip6tables.rules, nftables.rules, ...), spelled by the backend
// that built the rules.
import { implicit } from '../../diagnostics/origin.ts';
import { firewallFileOrigins, firewallFiles } from '../../firewall/index.ts';
import type { Renderer } from '../renderer.ts';

export const firewallRenderer: Renderer = {
  name: 'firewall',
  files: (t) => firewallFiles(t.firewall),
  // A rule's line comes from its origin; the frame (tables, chain declarations, COMMIT) from the release's layout.
  origins: (t) => {
    const layout = implicit(`engine ${t.engine} layout`);
    return firewallFileOrigins(t.firewall).map(([name, lines]) => [name, lines.map((o) => [o ?? layout])] as const);
  },
};
