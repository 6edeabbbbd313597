// The command line. bin/netform.js is the only code that touches `process`: it hands main() the
// arguments, where to write, the environment and whether stderr is a terminal, and sets the exit code
// main returns. Commands (commands.ts) are functions returning an exit code; every usage problem of a
// command line is collected and shown together; a failure is one line (`netform: ...`), never a stack
// trace. Start-up time counts (netform runs once per pull request and once per host per configuration
// run): what only one command needs is imported by that command.
import { COMMON_OPTIONS, operandProblem, readArgs, type ParsedArgs } from './args.ts';
import type { Command } from './command.ts';
import { COMMANDS } from './commands.ts';
import { EXIT, makeContext, TroubleError, UsageError, type Io } from './context.ts';
import { commandHelp, mainHelp } from './help.ts';
import { VERSION } from '../version.ts';

export type { Io } from './context.ts';
export { EXIT, UsageError } from './context.ts';

const TOP_OPTIONS = { ...COMMON_OPTIONS, version: { type: 'boolean', short: 'V', help: 'print the version' } } as const;

/** Arguments before the command may only be the top-level options; the command is the first operand. */
function splitCommand(argv: readonly string[]): { before: readonly string[]; name?: string; rest: readonly string[] } {
  const i = argv.findIndex((a) => a === '--' || !a.startsWith('-') || a === '-');
  if (i < 0 || argv[i] === '--') return { before: argv, rest: [] };
  return { before: argv.slice(0, i), name: argv[i]!, rest: argv.slice(i + 1) };
}

/** Parses a command's arguments; throws a UsageError listing every problem. */
function parseFor(command: Command, before: readonly string[], rest: readonly string[]): ParsedArgs {
  const parsed = readArgs([...before, ...rest], { ...command.options, ...COMMON_OPTIONS });
  if (parsed.options['help']) return parsed;
  const problems = [...parsed.problems];
  const operands = operandProblem(command.operands, parsed.operands);
  if (operands) problems.push(operands);
  if (problems.length === 0 && command.check) problems.push(...command.check(parsed));
  if (problems.length > 0) throw new UsageError(problems, command.name);
  return parsed;
}

const find = (name: string): Command => {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError([`unknown command "${name}"; the commands are ${COMMANDS.map((c) => c.name).join(', ')}`]);
  return command;
};

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const { before, name, rest } = splitCommand(argv);
  if (name === undefined) {
    const top = readArgs(argv, TOP_OPTIONS);
    if (top.problems.length > 0 || top.operands.length > 0) throw new UsageError([...top.problems, ...top.operands.map((o) => `unexpected ${o}`)]);
    if (top.options['version']) io.out(`netform ${VERSION}\n`);
    else (top.options['help'] ? io.out : io.err)(mainHelp(COMMANDS));
    return top.options['version'] || top.options['help'] ? EXIT.OK : EXIT.TROUBLE;
  }
  if (name === 'help') {
    io.out(rest.length === 0 ? mainHelp(COMMANDS) : commandHelp(find(rest[0]!)));
    return EXIT.OK;
  }
  const command = find(name);
  // Options may come before the command too (`netform --no-color build ...`).
  const args = parseFor(command, before, rest);
  if (args.options['help']) {
    io.out(commandHelp(command));
    return EXIT.OK;
  }
  return await command.run(args, makeContext(io, { color: !!args.options['color'], noColor: !!args.options['no-color'] }));
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  // plan --detailed-exitcode: 2 means "changes" and nothing else, as in Terraform; a failure of any kind is 1.
  const failure = (code: number) => (argv.includes('--detailed-exitcode') ? EXIT.FAILED : code);
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      const lines = e.problems.map((p) => `netform${e.command ? ` ${e.command}` : ''}: ${p}\n`).join('');
      io.err(`${lines}Run netform ${e.command ? `${e.command} ` : ''}--help for usage.\n`);
      return failure(EXIT.TROUBLE);
    }
    if (e instanceof TroubleError) {
      io.err(`netform: ${e.message}\n`);
      return failure(EXIT.TROUBLE);
    }
    // A bug: one line, and the stack only when asked for (NETFORM_DEBUG=1).
    const err = e instanceof Error ? e : new Error(String(e));
    io.err(`netform: internal error: ${err.message.split('\n')[0]} (a bug in netform; please report it${io.env?.['NETFORM_DEBUG'] ? '' : ', with NETFORM_DEBUG=1 for the stack trace'})\n`);
    if (io.env?.['NETFORM_DEBUG']) io.err(`${err.stack ?? ''}\n`);
    return failure(EXIT.INTERNAL);
  }
}
