// Reading moby's iptablesdoc scenario documents (../shared/reference/moby/iptablesdoc/*.md): the
// `iptables -S` blocks that give each table's final state.
import type { TableName } from '../../src/firewall/iptables/types.ts';

/**
 * The indented `iptables -S` blocks, keyed by table (recognised by its built-in chains); the last one
 * wins. Blocks without `-P` lines are excerpts of one chain (`iptables -S DOCKER`): returned apart.
 */
export function listings(md: string): { tables: Map<TableName, string[]>; excerpts: string[][] } {
  const byPolicies: Record<string, TableName> = {
    'INPUT FORWARD OUTPUT': 'filter',
    'PREROUTING INPUT OUTPUT POSTROUTING': 'nat',
    'PREROUTING OUTPUT': 'raw',
  };
  const out = new Map<TableName, string[]>();
  const excerpts: string[][] = [];
  let block: string[] = [];
  const flush = (): void => {
    if (!block.length) return;
    if (!block.some((l) => l.startsWith('-P '))) {
      excerpts.push(block);
      block = [];
      return;
    }
    const policies = block.filter((l) => l.startsWith('-P ')).map((l) => l.split(' ')[1]).join(' ');
    const table = byPolicies[policies];
    if (!table) throw new Error(`cannot tell the table of an iptables -S block with policies "${policies}"`);
    out.set(table, block);
    block = [];
  };
  for (const line of md.split('\n')) {
    const m = /^ {4}(-[PNA] .*)$/.exec(line);
    if (m) block.push(m[1]!);
    else flush();
  }
  flush();
  return { tables: out, excerpts };
}
