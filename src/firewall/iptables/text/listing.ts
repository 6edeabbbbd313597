// `iptables -S -t <table>`: `-P` for built-in chains, `-N` for user chains, then the `-A` lines in the
// same order as iptables-save. This is the form of moby's iptablesdoc "iptables commands" blocks.
import type { Ruleset, TableName } from '../types.ts';
import { appendLine } from './args.ts';
import { tableView } from './layout.ts';

export function renderIptablesS(rs: Ruleset, table: TableName): string {
  const t = tableView(rs, table);
  const lines = [
    ...t.builtins.map((c) => `-P ${c.name} ${c.policy ?? 'ACCEPT'}`),
    ...t.userChains.map((c) => `-N ${c.name}`),
  ];
  for (const c of [...t.builtins, ...t.userChains]) for (const r of c.rules) lines.push(appendLine(r, rs.family));
  return `${lines.join('\n')}\n`;
}
