// The iptables backend's rules of both families, each present (empty when the backend programs nothing
// there), as most firewall tests want to read them.
import { buildFirewall as build, type FirewallRules, type IptablesRules } from '../../src/firewall/index.ts';
import type { FirewallInput } from '../../src/firewall/input.ts';
import type { Ruleset } from '../../src/firewall/iptables/types.ts';

export function buildFirewall(input: FirewallInput): { v4: Ruleset; v6: Ruleset } {
  const rules = build(input, 'iptables');
  if (rules.backend !== 'iptables') throw new Error('expected iptables rules');
  return { v4: rules.v4 ?? { family: 4, tables: [] }, v6: rules.v6 ?? { family: 6, tables: [] } };
}

/** A build's firewall rules, which must be the iptables backend's. */
export function iptablesRules(rules: FirewallRules): IptablesRules {
  if (rules.backend !== 'iptables') throw new Error(`expected iptables rules, got ${rules.backend}`);
  return rules;
}
