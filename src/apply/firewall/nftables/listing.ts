// Docker's nft tables as the apply layer reads them: which tables are netform's, the shell that lists
// them (one `nft list tables`, then `nft list table` for each of netform's that exists: nft 1.0.6 mixes
// up several `list` commands in one `nft -f`), and a listing taken apart into a normalised form that
// says whether two listings hold the same table. Normalised away: counter values (`nft list` prints
// them, `nft -s` and netform's file do not), priority names (nft 1.0.6 lists `type nat hook output
// priority -100` where newer nft lists `dstnat`, and the name is the number), the line breaks of long
// element lists, the order of set and map elements (nft sorts them; the kernel holds a set), the order
// of chains, maps and sets within a table (nft lists them in creation order, which decides nothing),
// the order of a rule's anonymous set (`iifname != { "a", "b" }`), and `#` lines (iptables-nft's
// warnings); handles are never printed (no `-a`). Rule order within a chain is kept: it decides verdicts.
import { OVERLAY_TABLE } from '../../../firewall/nftables/overlay-table.ts';
import { DOCKER_TABLE } from '../../../firewall/nftables/daemon-table.ts';
import type { NftTable } from '../../../firewall/nftables/types.ts';

/**
 * The tables netform owns whole on the nftables backend, as `family name`: dockerd's nftabler creates
 * `docker-bridges` per family, the overlay driver `docker-overlay` in the underlay's family. No table of
 * iptables-nft (`ip filter`, `ip nat`, ...) and no other tool's table is ever named.
 */
export const OWNED_TABLES: readonly string[] = ['ip', 'ip6'].flatMap((f) => [`${f} ${DOCKER_TABLE}`, `${f} ${OVERLAY_TABLE}`]).sort();

export const tableName = (t: NftTable): string => `${t.family === 4 ? 'ip' : 'ip6'} ${t.name}`;

/** The line before each listing in the read's output; no listing can hold it (nft prints no `@`-led line). */
const MARK = '@@netform-nft-table';

/**
 * A shell command that prints each of netform's tables the host has, in the kernel's order (the order
 * `nft list tables` gives, which a rollback keeps), each after a MARK line. A subshell, so that a
 * failing nft ends this part of the read (its status is the part's) and no more.
 */
export function readCommand(): string {
  const names = OWNED_TABLES.map((n) => `'${n}'`).join('|');
  return [
    '(t=$(nft list tables) || exit $?',
    `printf '%s\\n' "$t" | while read -r _ f n; do case "$f $n" in ${names}) printf '${MARK} %s %s\\n' "$f" "$n"; nft list table "$f" "$n" || exit $?;; esac; done)`,
  ].join('\n');
}

/** The read's output -> table name -> its listing as printed (counters included; `#` lines dropped), in the kernel's order. */
export function splitRead(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(new RegExp(`^${MARK} `, 'm')).slice(1)) {
    const nl = part.indexOf('\n');
    const name = part.slice(0, nl);
    if (OWNED_TABLES.includes(name)) out.set(name, part.slice(nl + 1).replace(/^#.*\n/gm, ''));
  }
  return out;
}

/** One map, set or chain of a table, normalised: its declaration lines and its items (elements or rules). */
export interface NftBlock {
  readonly kind: string;
  readonly name: string;
  readonly head: readonly string[];
  readonly items: readonly string[];
}

/** A table, normalised; plain JSON (the state directory keeps it as the last apply's table). */
export interface NftListing {
  readonly head: readonly string[];
  readonly blocks: readonly NftBlock[];
}

/** nft's standard priorities of the ip and ip6 families, by name. */
const PRIORITIES: Readonly<Record<string, number>> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };

/** `priority dstnat` -> `priority -100`, `priority filter + 10` -> `priority 10`. */
function numericPriority(line: string): string {
  return line.replace(/\bpriority ([a-z]+)(?: ([+-]) (\d+))?;/, (whole, name: string, sign?: string, n?: string) => {
    const base = PRIORITIES[name];
    if (base === undefined) return whole;
    const offset = n === undefined ? 0 : sign === '-' ? -Number(n) : Number(n);
    return `priority ${base + offset};`;
  });
}

/** A listing line without what does not decide the rule: runs of blanks, counter values. */
const normalLine = (line: string): string =>
  line
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/\bcounter packets \d+ bytes \d+/g, 'counter');

/** Splits `a, b, c` at the commas outside quotes. */
function elements(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map(normalLine).filter((e) => e !== '');
}

/** A rule with the elements of each anonymous set (`{ "a", "b" }`) in one order. */
const sortedAnonymousSets = (rule: string): string => rule.replace(/\{ ([^{}"]*(?:"[^"]*"[^{}"]*)*) \}/g, (_, inner: string) => `{ ${elements(inner).sort().join(', ')} }`);

/** The normalised form of one block's body lines (between `chain x {` and its `}`). */
function blockOf(kind: string, name: string, body: readonly string[]): NftBlock {
  const head: string[] = [];
  const items: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const line = normalLine(body[i]!);
    if (line === '') continue;
    if (kind !== 'chain' && line.startsWith('elements = {')) {
      let text = line.slice('elements = {'.length);
      while (!text.trimEnd().endsWith('}') && i + 1 < body.length) text += ` ${normalLine(body[++i]!)}`;
      items.push(...elements(text.trimEnd().replace(/}$/, '')));
    } else if (kind === 'chain' && /^type \S+ hook /.test(line)) head.push(numericPriority(line));
    else if (kind === 'chain' && !/^(comment|devices|policy) /.test(line)) items.push(sortedAnonymousSets(line));
    else head.push(line);
  }
  return { kind, name, head, items: kind === 'chain' ? items : [...items].sort() };
}

/** Takes `nft list table` output (or netform's own listing of a table) apart; undefined for no table. */
export function parseListing(text: string): NftListing | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^table \S+ \S+ \{$/.test(l.trim()));
  if (start < 0) return undefined;
  const head: string[] = [];
  const blocks: NftBlock[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '}') break;
    const open = /^(\S+) (\S+) \{$/.exec(line);
    if (!open) {
      if (line !== '' && !line.startsWith('#')) head.push(normalLine(line));
      continue;
    }
    const body: string[] = [];
    while (++i < lines.length && lines[i]!.trim() !== '}') body.push(lines[i]!);
    blocks.push(blockOf(open[1]!, open[2]!.replace(/^"(.*)"$/, '$1'), body));
  }
  blocks.sort((a, b) => (a.kind === b.kind ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.kind < b.kind ? -1 : 1));
  return { head, blocks };
}

/** Two normalised tables hold the same objects. */
export const sameListing = (a: NftListing | undefined, b: NftListing | undefined): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export const sameBlock = (a: NftBlock | undefined, b: NftBlock | undefined): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
