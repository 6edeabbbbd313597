// Every command of the command line, in the order `netform --help` lists them. A new command is a
// module exporting a Command (command.ts) and one line here.
import type { Command } from './command.ts';
import { validateCommand } from './validate.ts';
import { buildCommand } from './build.ts';
import { checkCommand } from './check.ts';
import { graphCommand, importCommand } from './compose-commands.ts';
import { blameCommand, traceCommand } from './trace-commands.ts';
import { applyCommand, confirmCommand, destroyCommand, planCommand } from './apply-commands.ts';

export const COMMANDS: readonly Command[] = [
  validateCommand,
  buildCommand,
  checkCommand,
  importCommand,
  graphCommand,
  traceCommand,
  blameCommand,
  planCommand,
  applyCommand,
  destroyCommand,
  confirmCommand,
];
