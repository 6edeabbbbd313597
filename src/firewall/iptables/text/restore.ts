// iptables-restore input in iptables-save's canonical form: what `iptables-save -t raw; -t filter;
// -t nat` prints after loading it (minus its '#' comment lines), byte for byte.
import type { Origin } from '../../types.ts';
import type { Ruleset } from '../types.ts';
import { appendLine } from './args.ts';
import { tablesOf, tableView } from './layout.ts';

/** Where each line goes: its text, and the origin of the rule it spells (none for the frame: tables, chains, COMMIT). */
interface LineSink {
  line(text: string, origin?: Origin): void;
}

function restoreLines(rs: Ruleset, out: LineSink): void {
  for (const name of tablesOf(rs)) {
    const t = tableView(rs, name);
    out.line(`*${name}`);
    for (const c of t.builtins) out.line(`:${c.name} ${c.policy ?? 'ACCEPT'} [0:0]`);
    for (const c of t.userChains) out.line(`:${c.name} - [0:0]`);
    for (const c of t.builtins) for (const r of c.rules) out.line(appendLine(r, rs.family), r.origin);
    for (const c of t.userChains) for (const r of c.rules) out.line(appendLine(r, rs.family), r.origin);
    out.line('COMMIT');
  }
}

export function renderIptablesRestore(rs: Ruleset): string {
  const text = new LineText();
  restoreLines(rs, text);
  return text.toString();
}

/** The origin of each line renderIptablesRestore writes (undefined for the frame), in the same order. */
export function iptablesRestoreOrigins(rs: Ruleset): (Origin | undefined)[] {
  const out: (Origin | undefined)[] = [];
  restoreLines(rs, { line: (_text, origin) => void out.push(origin) });
  return out;
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
