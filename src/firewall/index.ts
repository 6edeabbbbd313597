// The firewall stage: the backend the daemon names builds the rules of a FirewallInput; render asks the
// same backend for the files that load them.
import type { FirewallBackend, FirewallBackendName, FirewallFile, FirewallFileOrigins, FirewallRules } from './backend.ts';
import type { FirewallInput } from './input.ts';
import { iptablesBackend } from './iptables/index.ts';
import { nftablesBackend } from './nftables/index.ts';

const BACKENDS: { readonly [N in FirewallBackendName]: FirewallBackend<Extract<FirewallRules, { backend: N }>> } = {
  iptables: iptablesBackend,
  nftables: nftablesBackend,
};

export function buildFirewall(input: FirewallInput, backend: FirewallBackendName = 'iptables'): FirewallRules {
  return BACKENDS[backend].build(input);
}

export function firewallFiles(rules: FirewallRules): readonly FirewallFile[] {
  const backend = BACKENDS[rules.backend] as FirewallBackend;
  return backend.files(rules);
}

/** Per firewall file, the origin of each of its lines (source maps). */
export function firewallFileOrigins(rules: FirewallRules): readonly FirewallFileOrigins[] {
  const backend = BACKENDS[rules.backend] as FirewallBackend;
  // A backend without line origins: every line of its files is the release's layout.
  return backend.origins?.(rules) ?? backend.files(rules).map(([name, text]) => [name, text.split('\n').slice(0, -1).map(() => undefined)] as const);
}

export type { FirewallBackend, FirewallBackendName, FirewallFile, FirewallFileOrigins, FirewallRefusal, FirewallRules, IptablesRules, NftablesRules } from './backend.ts';
export { droppedRules } from './none/index.ts';
