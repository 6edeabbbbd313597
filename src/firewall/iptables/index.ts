// The iptables backend: dockerd's iptabler replayed per family (replay.ts), written as iptables-restore
// input (text/).
import type { FirewallBackend, IptablesRules } from '../backend.ts';
import type { FirewallInput } from '../input.ts';
import { keptRules } from '../none/index.ts';
import type { IpFamily } from '../types.ts';
import { RulePieces } from './pieces.ts';
import { indexNetworks, replayFamily } from './replay.ts';
import { iptablesRestoreOrigins, renderIptablesRestore } from './text/restore.ts';
import type { Ruleset } from './types.ts';

function build(input: FirewallInput): IptablesRules {
  const networks = indexNetworks(input.networks);
  const pieces = new RulePieces();
  const family = (f: IpFamily): Ruleset | undefined =>
    (f === 4 ? input.daemon.iptables : input.daemon.ip6tables) ? replayFamily(input, networks, f, pieces) : keptRules(input, f, pieces);
  const v4 = family(4);
  const v6 = family(6);
  return { backend: 'iptables', ...(v4 ? { v4 } : {}), ...(v6 ? { v6 } : {}) };
}

export const iptablesBackend: FirewallBackend<IptablesRules> = {
  name: 'iptables',
  build,
  files: (rules) => [
    ...(rules.v4 ? [['iptables.rules', renderIptablesRestore(rules.v4)] as const] : []),
    ...(rules.v6 ? [['ip6tables.rules', renderIptablesRestore(rules.v6)] as const] : []),
  ],
  origins: (rules) => [
    ...(rules.v4 ? [['iptables.rules', iptablesRestoreOrigins(rules.v4)] as const] : []),
    ...(rules.v6 ? [['ip6tables.rules', iptablesRestoreOrigins(rules.v6)] as const] : []),
  ],
};
