// What a command is: its name, what it takes, its help, and a function from its parsed arguments to an
// exit code. Adding a command is one entry in COMMANDS (commands.ts); its options are parsed, checked and
// listed in the help from its spec, so its `run` receives only a command line already found right.
import type { OperandSpec, OptionSpecs, ParsedArgs } from './args.ts';
import type { Context } from './context.ts';

export interface Command {
  readonly name: string;
  /** One line for `netform --help`. */
  readonly summary: string;
  /** How the operands are written in usage lines (`FILE...`) and how many there may be. */
  readonly operands: OperandSpec;
  /** Its options (the common ones, --help --color --no-color, are added to every command). */
  readonly options: OptionSpecs;
  /** Paragraphs for `netform COMMAND --help`, after the usage line. */
  readonly description: string;
  /**
   * Problems of a command line that the option specs cannot express (an option that requires another,
   * two that exclude each other); reported together with the others.
   */
  readonly check?: (args: ParsedArgs) => readonly string[];
  readonly run: (args: ParsedArgs, ctx: Context) => number | Promise<number>;
}

/** The usage line: `netform build FILE -o DIR [--secrets KEYS] [--no-warnings]`. */
export function usageLine(c: Command): string {
  const operand = c.operands.max > 1 ? `${c.operands.name}...` : c.operands.name;
  const opts = Object.entries(c.options).map(([name, o]) => {
    const flag = o.short ? `-${o.short}` : `--${name}`;
    const word = o.type === 'string' ? `${flag} ${o.choices ? o.choices.join('|') : (o.value ?? 'VALUE')}` : flag;
    return o.required ? word : `[${word}]`;
  });
  return ['netform', c.name, ...(c.operands.max > 0 ? [operand] : []), ...opts].join(' ');
}
