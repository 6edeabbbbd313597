// Public API of the firewall stage: the rule data types and the Docker 29 replay that produces them.
export type * from './types.ts';
export { buildFirewall, type FirewallRulesets } from './build.ts';
export { BUILTIN_CHAINS, isBuiltinChain, ruleKey } from './ruleset-builder.ts';
