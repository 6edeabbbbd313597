// iptables-restore input in iptables-save's canonical form: what `iptables-save -t raw; -t filter;
// -t nat` prints after loading it (minus its '#' comment lines), byte for byte.
import type { Ruleset } from '../types.ts';
import { appendLine } from './args.ts';
import { tablesOf, tableView } from './layout.ts';

export function renderIptablesRestore(rs: Ruleset): string {
  const text = new LineText();
  for (const name of tablesOf(rs)) {
    const t = tableView(rs, name);
    text.line(`*${name}`);
    for (const c of t.builtins) text.line(`:${c.name} ${c.policy ?? 'ACCEPT'} [0:0]`);
    for (const c of t.userChains) text.line(`:${c.name} - [0:0]`);
    for (const c of t.builtins) for (const r of c.rules) text.line(appendLine(r, rs.family));
    for (const c of t.userChains) for (const r of c.rules) text.line(appendLine(r, rs.family));
    text.line('COMMIT');
  }
  return text.toString();
}

/**
 * Lines joined with "\n" (and one after the last), gathered a block at a time: each line is built from
 * many small strings, and joining every LINES_PER_BLOCK lines into one flat string lets the pieces die
 * young, instead of half a million lines' pieces surviving until the end (they would be copied by every
 * garbage collection of the young generation in between).
 */
class LineText {
  private static readonly LINES_PER_BLOCK = 512;
  private readonly blocks: string[] = [];
  private lines: string[] = [];

  line(s: string): void {
    this.lines.push(s);
    if (this.lines.length === LineText.LINES_PER_BLOCK) {
      this.blocks.push(this.lines.join('\n'));
      this.lines = [];
    }
  }

  toString(): string {
    if (this.lines.length > 0) this.blocks.push(this.lines.join('\n'));
    this.lines = [];
    return this.blocks.length > 0 ? `${this.blocks.join('\n')}\n` : '';
  }
}
