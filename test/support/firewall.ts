// The iptables backend's rules of both families, each present (empty when the backend programs nothing
// there), as most firewall tests want to read them.
import { buildFirewall as build } from '../../src/firewall/index.ts';
import type { FirewallInput } from '../../src/firewall/input.ts';
import type { Ruleset } from '../../src/firewall/iptables/types.ts';

export function buildFirewall(input: FirewallInput): { v4: Ruleset; v6: Ruleset } {
  const rules = build(input, 'iptables');
  if (rules.backend !== 'iptables') throw new Error('expected iptables rules');
  return { v4: rules.v4 ?? { family: 4, tables: [] }, v6: rules.v6 ?? { family: 6, tables: [] } };
}
