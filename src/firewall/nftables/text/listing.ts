// A table as `nft list table <family> <name>` prints it: maps and sets first, then chains, each in the
// order the kernel holds them, separated by blank lines; a base chain's first line gives its type,
// hook, priority and policy. Two spellings of the priority exist: newer nft (the form of moby's
// goldens and scenario documents) names dstnat on the output hook and srcnat on the input hook, while
// nft 1.0.6 (Debian 12) only knows those names on prerouting and postrouting and refuses them
// elsewhere (`type nat hook output priority dstnat`: "invalid priority expression value in this
// context"), so there the number is written, and listed.
import type { IpFamily } from '../../types.ts';
import type { NftBaseChain, NftChain, NftTable, NftVerdictMap, NftVniSet } from '../types.ts';
import { compareIfnames, quoted, ruleText, targetText } from './expr.ts';

/** Which nft's listing to reproduce. */
export type NftDialect = 'current' | 'nft-1.0.6';

export interface ListingOptions {
  /** `counter packets 0 bytes 0` (plain `nft list`) instead of `counter` (`nft -s list`). */
  readonly counters: boolean;
  readonly dialect: NftDialect;
}

/** The standard priorities of the ip and ip6 families (nft's std_prios). */
const NAMED_PRIORITIES: readonly (readonly [number, string])[] = [
  [-300, 'raw'],
  [-150, 'mangle'],
  [-100, 'dstnat'],
  [0, 'filter'],
  [50, 'security'],
  [100, 'srcnat'],
];

/** nft's std_prio_family_hook_compat: where a name may stand for the number. */
function nameAllowed(name: string, hook: NftBaseChain['hook'], dialect: NftDialect): boolean {
  if (name === 'dstnat') return hook === 'prerouting' || (dialect === 'current' && hook === 'output');
  if (name === 'srcnat') return hook === 'postrouting' || (dialect === 'current' && hook === 'input');
  return true;
}

export function priorityText(base: NftBaseChain, dialect: NftDialect): string {
  const named = NAMED_PRIORITIES.find(([n]) => n === base.priority);
  return named && nameAllowed(named[1], base.hook, dialect) ? named[1] : String(base.priority);
}

const familyWord = (f: IpFamily): string => (f === 4 ? 'ip' : 'ip6');

/** One element per line for ifname maps; five per line for integer sets (nft's calculate_delim). */
const NEWLINE = ',\n\t\t\t     ';

function mapLines(m: NftVerdictMap): string[] {
  const lines = [`\tmap ${m.name} {`, '\t\ttype ifname : verdict'];
  if (m.elements.length > 0) {
    const sorted = [...m.elements].sort((a, b) => compareIfnames(a.key, b.key));
    lines.push(`\t\telements = { ${sorted.map((e) => `${quoted(e.key)} : ${targetText(e.verdict)}`).join(NEWLINE)} }`);
  }
  lines.push('\t}');
  return lines;
}

function setLines(s: NftVniSet): string[] {
  const lines = [`\tset ${s.name} {`, '\t\ttypeof @th,96,24'];
  if (s.elements.length > 0) {
    const values = [...new Set(s.elements.map((e) => e.vni))].sort((a, b) => a - b).map((v) => `0x${v.toString(16)}`);
    const rows: string[] = [];
    for (let i = 0; i < values.length; i += 5) rows.push(values.slice(i, i + 5).join(', '));
    lines.push(`\t\telements = { ${rows.join(NEWLINE)} }`);
  }
  lines.push('\t}');
  return lines;
}

function chainLines(c: NftChain, family: IpFamily, o: ListingOptions): string[] {
  const lines = [`\tchain ${c.name} {`];
  if (c.base) lines.push(`\t\ttype ${c.base.type} hook ${c.base.hook} priority ${priorityText(c.base, o.dialect)}; policy ${c.base.policy};`);
  for (const r of c.rules) lines.push(`\t\t${ruleText(r, family, o.counters)}`);
  lines.push('\t}');
  return lines;
}

/** `table ip docker-bridges { ... }` and a final newline. */
export function listTable(t: NftTable, o: ListingOptions): string {
  const blocks = [...t.maps.map(mapLines), ...t.sets.map(setLines), ...t.chains.map((c) => chainLines(c, t.family, o))];
  return `table ${familyWord(t.family)} ${t.name} {\n${blocks.map((b) => b.join('\n')).join('\n\n')}\n}\n`;
}

/**
 * `nft -f` input that replaces the table and nothing else: declaring it first makes the delete work on
 * a host without it, and the delete makes the load idempotent (loading twice is loading once).
 */
export function replaceTable(t: NftTable): string {
  const head = `${familyWord(t.family)} ${t.name}`;
  return `table ${head}\ndelete table ${head}\n${listTable(t, { counters: false, dialect: 'nft-1.0.6' })}`;
}
