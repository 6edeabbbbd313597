// What a command gets from the entry (bin/netform.js, the only code that touches `process`): where to
// write, the environment, and whether stderr is a terminal. Tests hand in their own.

export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** The environment (NO_COLOR, FORCE_COLOR, GITHUB_ACTIONS); none when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Whether stderr (where diagnostics go) is a terminal; false when absent. */
  readonly stderrIsTTY?: boolean;
  /** A clock in milliseconds, for how long work has run (progress.ts); performance.now when absent. */
  readonly now?: () => number;
}

export interface Context {
  readonly io: Io;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** ANSI colours in diagnostics (wantsColor). */
  readonly color: boolean;
  /** GitHub Actions workflow commands (`::error file=...`) beside the diagnostics (GITHUB_ACTIONS=true). */
  readonly annotations: boolean;
}

/** Exit codes (README "Exit codes"). */
export const EXIT = {
  OK: 0,
  /** The input is invalid, or a build differs from its golden directory. */
  FAILED: 1,
  /** The command could not do its work: a usage error, or a file that cannot be read or written. */
  TROUBLE: 2,
  /** A bug in netform. */
  INTERNAL: 3,
} as const;

const set = (v: string | undefined): boolean => v !== undefined && v !== '';

/**
 * Colour, most explicit first: --no-color, --color; then NO_COLOR (any non-empty value: no-color.org);
 * then FORCE_COLOR (non-empty and not 0/false, as Node and chalk read it); then only on a terminal
 * that is not TERM=dumb.
 */
export function wantsColor(flags: { color?: boolean; noColor?: boolean }, io: Io): boolean {
  const env = io.env ?? {};
  if (flags.noColor) return false;
  if (flags.color) return true;
  if (set(env['NO_COLOR'])) return false;
  if (set(env['FORCE_COLOR'])) return !['0', 'false'].includes(env['FORCE_COLOR']!);
  return !!io.stderrIsTTY && env['TERM'] !== 'dumb';
}

export function makeContext(io: Io, flags: { color?: boolean; noColor?: boolean }): Context {
  const env = io.env ?? {};
  return { io, env, color: wantsColor(flags, io), annotations: env['GITHUB_ACTIONS'] === 'true' };
}

/** A failure the user can act on, shown as one line (`netform: <message>`), exit code TROUBLE. */
export class TroubleError extends Error {}

/** A command line that is wrong, with every problem found (shown together), exit code TROUBLE. */
export class UsageError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string | readonly string[], readonly command?: string) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('; '));
    this.problems = list;
  }
}
