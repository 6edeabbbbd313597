// Public API of the firewall stage: the rule data types and the replay of dockerd's iptables calls that
// produces them (Docker 29 by default; 28, 27 and 20.10 through `daemon.engine`, see engine.ts).
export type * from './types.ts';
export { buildFirewall, type FirewallRulesets } from './build.ts';
export { ENGINES, engineLayout, type EngineLayout } from './engine.ts';
export { BUILTIN_CHAINS, isBuiltinChain, ruleKey } from './ruleset-builder.ts';
