// One command's arguments, read with node's util.parseArgs. parseArgs in strict mode throws at the first
// problem; netform reports every usage problem of a command line at once, so it asks parseArgs for its
// tokens (strict: false) and applies the same checks itself: an unknown option, a value option without
// its value (or followed by another option: `-o --json` is `-o` missing its value, never a directory
// named `--json`), a value given to a flag, a value outside the option's choices.
import { parseArgs } from 'node:util';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The value's name in help (`DIR`); string options only. */
  readonly value?: string;
  /** The only values allowed (`--format text|json|sarif`). */
  readonly choices?: readonly string[];
  /** The command cannot run without it (`build -o DIR`). */
  readonly required?: boolean;
  /** It may be given several times (`--probe CMD --probe CMD`): every value is in `lists`, in order. */
  readonly multiple?: boolean;
  readonly help: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** What a command takes besides options: `FILE` (exactly one) or `FILE...` (one or more). */
export interface OperandSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

export interface ParsedArgs {
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
  readonly operands: readonly string[];
  /** The values of the options given several times (OptionSpec.multiple); `options` holds the last. */
  readonly lists?: Readonly<Record<string, readonly string[]>>;
}

/** The options every command takes (and the top level). */
export const COMMON_OPTIONS: OptionSpecs = {
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  color: { type: 'boolean', help: 'colour the diagnostics even when stderr is not a terminal' },
  'no-color': { type: 'boolean', help: 'never colour the diagnostics' },
};

const display = (name: string, spec: OptionSpec | undefined): string => (spec?.short ? `-${spec.short}, --${name}` : `--${name}`);

/**
 * Reads `args` against `specs`. Returns the options by long name, the operands, and every problem found
 * (an empty list when the command line is right). Operand counts are checked by the caller, which knows
 * what the operands are called.
 */
export function readArgs(args: readonly string[], specs: OptionSpecs): ParsedArgs & { readonly problems: readonly string[] } {
  const options = Object.fromEntries(Object.entries(specs).map(([name, s]) => [name, s.short ? { type: s.type, short: s.short } : { type: s.type }]));
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean | undefined> = {};
  const lists: Record<string, string[]> = {};
  const operands: string[] = [];
  const problems: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') operands.push(t.value);
    if (t.kind !== 'option') continue;
    const spec = specs[t.name];
    if (!spec) {
      problems.push(`unknown option ${t.rawName}`);
      continue;
    }
    const shown = display(t.name, spec);
    if (spec.type === 'boolean') {
      if (t.value !== undefined) problems.push(`${shown} takes no value (got "${t.value}")`);
      else values[t.name] = true;
      continue;
    }
    let value = t.value;
    // `-o=DIR` means DIR, as `--output=DIR` does (getopt would take "=DIR").
    if (value !== undefined && t.inlineValue && !t.rawName.startsWith('--') && value.startsWith('=')) value = value.slice(1);
    if (value === undefined || value === '') {
      problems.push(`${shown} needs a value${spec.value ? ` (${spec.value})` : ''}`);
    } else if (!t.inlineValue && value.startsWith('-') && value !== '-') {
      problems.push(`${shown} needs a value${spec.value ? ` (${spec.value})` : ''}, got the option ${value} (write --${t.name}=${value} if that is the value)`);
    } else if (spec.choices && !spec.choices.includes(value)) {
      problems.push(`${shown} must be one of ${spec.choices.join(', ')} (got "${value}")`);
    } else if (spec.multiple) {
      (lists[t.name] ??= []).push(value);
      values[t.name] = value;
    } else if (values[t.name] !== undefined && values[t.name] !== value) {
      problems.push(`${shown} is given twice ("${String(values[t.name])}" and "${value}")`);
    } else {
      values[t.name] = value;
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && values[name] === undefined && !problems.some((p) => p.startsWith(display(name, spec)))) {
      problems.push(`${display(name, spec)}${spec.value ? ` ${spec.value}` : ''} is required`);
    }
  }
  return { options: values, operands, problems, lists };
}

/** The problem with the number of operands, if any: `takes one FILE (got 2: a.yaml b.yaml)`. */
export function operandProblem(spec: OperandSpec, operands: readonly string[]): string | undefined {
  const n = operands.length;
  if (n >= spec.min && n <= spec.max) return undefined;
  const count = (k: number) => (k === 1 ? 'one' : String(k));
  if (n < spec.min) return `needs ${spec.min === spec.max ? '' : 'at least '}${count(spec.min)} ${spec.name}`;
  if (spec.max === 0) return `takes no operand (got ${operands.join(' ')})`;
  return `takes ${spec.min === spec.max ? '' : 'at most '}${count(spec.max)} ${spec.name} (got ${n}: ${operands.join(' ')})`;
}
