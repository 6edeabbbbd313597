// Long work shown as it goes: one line on stderr, rewritten in place, saying what stage a command is in
// and how many hosts and containers are done. Only for a person at a terminal: nothing when stderr is not
// a terminal, under CI (CI, GITHUB_ACTIONS), with TERM=dumb or when the command prints data (--json);
// nothing either for work that ends within a second. The line is erased before anything else is printed,
// so diagnostics and the command's own output never share a line with it.
import type { CompileProgress } from '../compile.ts';
import type { Context } from './context.ts';

/** Work shorter than this shows nothing. */
export const PROGRESS_AFTER_MS = 1000;
/** The line is rewritten at most this often. */
const REDRAW_MS = 100;

export interface Progress {
  /**
   * What the command is doing now (`stage`, and `text` to show), drawn once the work has run past a
   * second: at once when the stage changes, else at most every REDRAW_MS.
   */
  show(stage: string, text: string): void;
  /** Erases the line, if one is drawn. */
  clear(): void;
}

const NONE: Progress = { show: () => {}, clear: () => {} };

const on = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v !== 'false';

/** Whether progress may be drawn: stderr is a terminal a person reads, not a CI log. */
export function progressWanted(ctx: Context, quiet: boolean): boolean {
  return !quiet && !!ctx.io.stderrIsTTY && ctx.env['TERM'] !== 'dumb' && !on(ctx.env['CI']) && ctx.env['GITHUB_ACTIONS'] !== 'true';
}

/** A progress line on stderr, or one that shows nothing (progressWanted). */
export function progressLine(ctx: Context, quiet = false): Progress {
  if (!progressWanted(ctx, quiet)) return NONE;
  const now = ctx.io.now ?? (() => performance.now());
  const start = now();
  let drawnAt: number | undefined;
  let drawnStage: string | undefined;
  return {
    show(stage, text) {
      const t = now();
      if (t - start < PROGRESS_AFTER_MS) return;
      if (stage === drawnStage && drawnAt !== undefined && t - drawnAt < REDRAW_MS) return;
      drawnAt = t;
      drawnStage = stage;
      ctx.io.err(`\r\x1b[K${text}`);
    },
    clear() {
      if (drawnAt === undefined) return;
      drawnAt = undefined;
      drawnStage = undefined;
      ctx.io.err('\r\x1b[K');
    },
  };
}

const count = (n: number): string => n.toLocaleString('en-US');

/** The line for a stage of compile(). */
export function compileProgressText(p: CompileProgress): string {
  switch (p.stage) {
    case 'parse':
      return 'netform: reading the input';
    case 'model':
      return 'netform: checking the model';
    case 'swarm':
      return "netform: allocating the swarm's addresses";
    case 'hosts':
      return `netform: compiling hosts ${count(p.done)}/${count(p.total)} (${count(p.containers)} containers)`;
  }
}

/** The line while the output is rendered and written. */
export const writeProgressText = (done: number, total: number, containers: number): string =>
  `netform: writing hosts ${count(done)}/${count(total)} (${count(containers)} containers)`;
