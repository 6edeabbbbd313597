// The firewall's files (iptables.rules, ip6tables.rules, nftables.rules, ...), spelled by the backend
// that built the rules.
import { firewallFiles } from '../../firewall/index.ts';
import type { Renderer } from '../renderer.ts';

export const firewallRenderer: Renderer = {
  name: 'firewall',
  files: (t) => firewallFiles(t.firewall),
};
