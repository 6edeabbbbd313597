// netform plan | apply | destroy | confirm: their entries in the command table (commands.ts). What they
// do is in apply-run.ts, loaded when one of them runs (start-up time counts for every other command).
// Exit codes: as every command (0 done, 1 refused or rolled back, 2 the command could not do its work,
// 3 a bug), except plan --detailed-exitcode: 0 no changes, 2 changes, 1 anything else, usage errors
// included (main.ts), as Terraform's, so that 2 always means changes.
import type { Command } from './command.ts';
import { lockArgProblems, LOCK_OPTION_SPECS } from './lock-file.ts';

const load = () => import('./apply-run.ts');

const hostOptions = {
  host: { type: 'string', value: 'NAME', help: 'the host of the file to work on (when the file has several)' },
  'state-dir': { type: 'string', value: 'DIR', help: "the host's state directory (default /var/lib/netform/<host>)" },
} as const;

export const planCommand: Command = {
  name: 'plan',
  summary: 'compare the live host with the build of FILE: what apply would add, change and destroy; changes nothing',
  operands: { name: 'FILE', min: 1, max: 1 },
  options: {
    ...hostOptions,
    only: { type: 'string', choices: ['firewall', 'network', 'files'], help: 'plan one part of the host only' },
    deep: { type: 'boolean', help: 'also read inside every namespace netform made (drift there)' },
    json: { type: 'boolean', help: 'print the plan as JSON (format_version 1)' },
    'detailed-exitcode': { type: 'boolean', help: 'exit 0 no changes, 2 changes, 1 any error (usage errors too)' },
    output: { type: 'string', short: 'o', value: 'PLANFILE', help: 'save the plan, with a fingerprint of the live state, for apply PLANFILE' },
    secrets: { type: 'string', value: 'KEYS', help: 'as for build' },
    ...LOCK_OPTION_SPECS,
  },
  check: lockArgProblems,
  description: `Reads the live host (NETFORM_HOST_NETNS, or this namespace) and the last apply (the state
directory) and prints what apply would add, change and destroy, Terraform style, drift marked. Changes
nothing. apply PLANFILE refuses a saved plan once the host changed since it was made. The lock beside
FILE is read and, once the plan is made, written when allocations were added or freed (docs/lock.md).
`,
  run: async (args, ctx) => (await load()).runPlan(args, ctx),
};

export const applyCommand: Command = {
  name: 'apply',
  summary: 'converge the host to the build of FILE (or a saved PLANFILE); on any failure everything is rolled back',
  operands: { name: 'FILE|PLANFILE', min: 1, max: 1 },
  options: {
    ...hostOptions,
    only: { type: 'string', choices: ['firewall', 'network', 'files'], help: 'apply one part: rules, links and settings, or /etc/netns files' },
    deep: { type: 'boolean', help: 'read inside every namespace netform made before planning' },
    try: { type: 'string', value: 'SECONDS', help: 'run the probes, then wait SECONDS for netform confirm; else roll back' },
    probe: { type: 'string', value: 'CMD', multiple: true, help: 'a shell command that must exit 0 after an apply --try (repeatable)' },
    secrets: { type: 'string', value: 'KEYS', help: 'as for build' },
    ...LOCK_OPTION_SPECS,
  },
  description: `Converges the host: makes what is missing, changes what changed, removes what FILE no longer has,
and leaves everything else alone. Each step is journaled before it runs; any failure undoes every step
done, and a killed apply is rolled back by the next one. Concurrent applies to one host wait for each
other. --only firewall is for hosts where dockerd makes the links itself ("iptables": false). The lock
beside FILE is written before the host changes and put back when the apply is rolled back.
`,
  check: (args) => [
    ...lockArgProblems(args),
    ...(args.options['try'] !== undefined && !/^\d+$/.test(String(args.options['try'])) ? [`--try takes a number of seconds (got ${String(args.options['try'])})`] : []),
    ...(args.options['probe'] !== undefined && args.options['try'] === undefined ? ['--probe needs --try'] : []),
  ],
  run: async (args, ctx) => (await load()).runApply(args, ctx),
};

export const destroyCommand: Command = {
  name: 'destroy',
  summary: 'remove what netform applied to the host (rules included), and nothing else',
  operands: { name: '', min: 0, max: 0 },
  options: hostOptions,
  description: `Removes what the state directory says netform applied, firewall rules included, and nothing
else; sysctls and the FORWARD policy netform changed go back to what they were.
`,
  run: async (args, ctx) => (await load()).runDestroy(args, ctx),
};

export const confirmCommand: Command = {
  name: 'confirm',
  summary: 'keep the changes of the apply --try waiting on this host',
  operands: { name: '', min: 0, max: 0 },
  options: hostOptions,
  description: 'Keeps the changes of the apply --try waiting on this host (it rolls back without this).\n',
  run: async (args, ctx) => (await load()).runConfirm(args, ctx),
};
