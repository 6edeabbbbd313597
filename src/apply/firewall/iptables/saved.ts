// iptables-save text as data: per table its chains (policy, counters) and its rules in order, each rule
// as the argument text after `-A CHAIN ` exactly as saved (the canonical form netform's own text module
// writes, so a desired rule and a live one compare as strings), with its `[packets:bytes]` when saved
// with -c. Lines starting with '#' (the date lines, iptables-nft's warnings) are not part of the state.

export interface SavedChain {
  readonly name: string;
  /** ACCEPT/DROP for a built-in chain, '-' for a user chain. */
  readonly policy: string;
  /** The header's `[packets:bytes]`. */
  readonly counters: string;
}

export interface SavedRule {
  readonly chain: string;
  /** The rule's arguments after `-A CHAIN `. */
  readonly spec: string;
  /** `[packets:bytes]` (saved with -c), else ''. */
  readonly counters: string;
}

export interface SavedTable {
  readonly name: string;
  /** Chains in the order saved (built-in ones first, then user chains by name). */
  readonly chains: readonly SavedChain[];
  readonly rules: readonly SavedRule[];
}

/** Tables by name, in the order the text has them. */
export type Saved = ReadonlyMap<string, SavedTable>;

export function parseSave(text: string): Saved {
  const tables = new Map<string, SavedTable>();
  let chains: SavedChain[] = [];
  let rules: SavedRule[] = [];
  let name: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      name = line.slice(1);
      chains = [];
      rules = [];
    } else if (line === 'COMMIT') {
      if (name !== undefined) tables.set(name, { name, chains, rules });
      name = undefined;
    } else if (line.startsWith(':')) {
      const m = /^:(\S+) (\S+) (\[\d+:\d+\])$/.exec(line);
      if (!m) throw new Error(`iptables-save: cannot read the chain line ${JSON.stringify(line)}`);
      chains.push({ name: m[1]!, policy: m[2]!, counters: m[3]! });
    } else {
      const m = /^(\[\d+:\d+\] )?-A (\S+)(?: (.*))?$/.exec(line);
      if (!m) throw new Error(`iptables-save: cannot read the rule line ${JSON.stringify(line)}`);
      rules.push({ chain: m[2]!, spec: m[3] ?? '', counters: m[1] ? m[1].trim() : '' });
    }
  }
  return tables;
}

/** A rule's line as iptables-save prints it without counters. */
export const ruleLine = (r: { readonly chain: string; readonly spec: string }): string => (r.spec ? `-A ${r.chain} ${r.spec}` : `-A ${r.chain}`);

/** One table back as iptables-save text; with counters when `counters` (iptables-restore --counters input). */
export function tableText(t: SavedTable, counters: boolean): string {
  const out = [`*${t.name}`];
  for (const c of t.chains) out.push(`:${c.name} ${c.policy} ${counters ? c.counters : '[0:0]'}`);
  for (const r of t.rules) out.push(counters && r.counters ? `${r.counters} ${ruleLine(r)}` : ruleLine(r));
  out.push('COMMIT');
  return `${out.join('\n')}\n`;
}

/**
 * The chain a rule jumps or goes to (`-j X` / `-g X`); undefined for none. Words inside a quoted comment
 * do not count: `--comment "see -j DOCKER"` jumps nowhere.
 */
export function jumpTarget(spec: string): string | undefined {
  const words = splitWords(spec);
  for (let i = 0; i + 1 < words.length; i++) if (words[i] === '-j' || words[i] === '-g') return words[i + 1];
  return undefined;
}

/** iptables-save's words: split on spaces, a double-quoted word (with backslash escapes) is one word. */
export function splitWords(spec: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < spec.length) {
    if (spec[i] === ' ') {
      i++;
      continue;
    }
    let w = '';
    if (spec[i] === '"') {
      i++;
      while (i < spec.length && spec[i] !== '"') {
        if (spec[i] === '\\' && i + 1 < spec.length) i++;
        w += spec[i++];
      }
      i++;
      out.push(`"${w}"`);
      continue;
    }
    while (i < spec.length && spec[i] !== ' ') w += spec[i++];
    out.push(w);
  }
  return out;
}
