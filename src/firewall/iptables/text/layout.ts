// Which tables and chains an iptables dump shows, and in which order: tables raw, mangle, filter, nat;
// in each, the built-in chains in kernel order, then user chains sorted by name (byte order, as
// iptables-save and iptables -S list them, whatever the creation order).
import { BUILTIN_CHAINS } from '../ruleset-builder.ts';
import type { Chain, Ruleset, TableName } from '../types.ts';

export const TABLE_ORDER: readonly TableName[] = ['raw', 'mangle', 'filter', 'nat'];

export interface TableView {
  readonly name: TableName;
  /** Built-in chains (all of them, even when the ruleset leaves one out), then user chains sorted. */
  readonly builtins: readonly Chain[];
  readonly userChains: readonly Chain[];
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function tableView(rs: Ruleset, name: TableName): TableView {
  const chains = rs.tables.find((t) => t.name === name)?.chains ?? [];
  const builtinNames = BUILTIN_CHAINS[name];
  const builtins = builtinNames.map(
    (c): Chain => chains.find((x) => x.name === c) ?? { table: name, name: c, policy: 'ACCEPT', rules: [] },
  );
  const userChains = chains.filter((c) => !builtinNames.includes(c.name)).sort((a, b) => byteOrder(a.name, b.name));
  return { name, builtins, userChains };
}

/**
 * The tables a dump of `rs` shows: those it has, plus raw whenever filter is there (Docker's
 * raw-PREROUTING rules live there, and moby's goldens, dumped with `iptables-save -t raw`, always
 * include it), unless the ruleset says its engine never uses raw (Docker <= 27: `raw: false`).
 */
export function tablesOf(rs: Ruleset): TableName[] {
  const present = new Set(rs.tables.map((t) => t.name));
  if (present.has('filter') && rs.raw !== false) present.add('raw');
  return TABLE_ORDER.filter((t) => present.has(t));
}
