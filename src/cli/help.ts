// The help texts, made from the command table: every command's usage line and options are listed by
// `netform --help`, and `netform COMMAND --help` adds the command's description.
import { COMMON_OPTIONS, type OptionSpecs } from './args.ts';
import { usageLine, type Command } from './command.ts';
import { VERSION } from '../version.ts';

function optionLines(options: OptionSpecs, indent: string): string {
  const rows = Object.entries(options).map(([name, o]) => {
    const value = o.type === 'string' ? ` ${o.choices ? o.choices.join('|') : (o.value ?? 'VALUE')}` : '';
    return [`${o.short ? `-${o.short}, ` : ''}--${name}${value}`, o.help] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, help]) => `${indent}${flag.padEnd(width)}  ${help}\n`).join('');
}

export const EXIT_CODES = `Exit codes: 0 success; 1 invalid input, a build that differs from its golden directory, or an
apply or destroy refused or rolled back; 2 the command could not do its work (a usage error, or a file
that cannot be read or written); 3 a bug in netform (please report it). plan --detailed-exitcode: 0 no
changes, 2 changes, 1 anything else.
`;

const ENVIRONMENT = `Environment: NO_COLOR (any non-empty value: no colour), FORCE_COLOR (colour even when stderr is not a
terminal; 0 or false: none); --color and --no-color win over both. GITHUB_ACTIONS=true: diagnostics
are also printed as GitHub annotations (::error file=...,line=...::) on stdout, in text format.
`;

export function mainHelp(commands: readonly Command[]): string {
  let s = `netform ${VERSION}: a declarative compiler for container networks, faithful to Docker Engine 29.

Usage: netform COMMAND ARGUMENTS [OPTIONS]     netform COMMAND --help     netform --version

Commands:
`;
  for (const c of commands) {
    s += `  ${usageLine(c)}\n      ${c.summary}\n`;
    if (Object.keys(c.options).length > 0) s += optionLines(c.options, '      ');
  }
  s += `\nOptions of every command:\n${optionLines(COMMON_OPTIONS, '  ')}\n${EXIT_CODES}${ENVIRONMENT}`;
  return s;
}

export function commandHelp(c: Command): string {
  return `Usage: ${usageLine(c)}\n${c.description}\nOptions:\n${optionLines({ ...c.options, ...COMMON_OPTIONS }, '  ')}\n${EXIT_CODES}`;
}
