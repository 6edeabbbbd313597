// iptables-restore input in iptables-save's canonical form: what `iptables-save -t raw; -t filter;
// -t nat` prints after loading it (minus its '#' comment lines), byte for byte.
import type { Ruleset } from '../../topology/firewall/types.ts';
import { appendLine } from './args.ts';
import { tablesOf, tableView } from './layout.ts';

export function renderIptablesRestore(rs: Ruleset): string {
  const lines: string[] = [];
  for (const name of tablesOf(rs)) {
    const t = tableView(rs, name);
    lines.push(`*${name}`);
    for (const c of t.builtins) lines.push(`:${c.name} ${c.policy ?? 'ACCEPT'} [0:0]`);
    for (const c of t.userChains) lines.push(`:${c.name} - [0:0]`);
    for (const c of [...t.builtins, ...t.userChains]) for (const r of c.rules) lines.push(appendLine(r, rs.family));
    lines.push('COMMIT');
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
