// The iptables backend's rule data: tables, chains and rules in evaluation order, one ruleset per family.
// The matches and targets are the shared typed vocabulary (../types.ts); only ./text spells them.
import type { IpFamily, RuleMatch, RuleTarget, SourcePath } from '../types.ts';

export type TableName = 'raw' | 'mangle' | 'filter' | 'nat';

export interface Rule {
  readonly table: TableName;
  readonly chain: string;
  readonly match: RuleMatch;
  readonly target: RuleTarget;
  /** The YAML element the rule exists for (network, container, port), when there is one. */
  readonly origin?: SourcePath;
}

export interface Chain {
  readonly table: TableName;
  readonly name: string;
  /** Built-in chains have a policy (ACCEPT/DROP); user chains have none. */
  readonly policy?: 'ACCEPT' | 'DROP';
  /** Rules in evaluation order. */
  readonly rules: readonly Rule[];
}

/** One address family's tables. Chains appear in `chains` in creation order; the text sorts as iptables-save does. */
export interface Ruleset {
  readonly family: IpFamily;
  readonly tables: readonly { readonly name: TableName; readonly chains: readonly Chain[] }[];
  /** false: the engine never touches the raw table (Docker <= 27), so a dump has none. Absent: Docker 28+,
   * whose dumps always show raw beside filter. */
  readonly raw?: false;
}
