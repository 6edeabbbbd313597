// `import` and `graph` in the command table. Their modules (import.ts, graph.ts) are loaded only when
// they run: graph carries Graphviz (WebAssembly), import the Compose schema, neither of which the
// other commands should pay for at start-up.
import type { ParsedArgs } from './args.ts';
import type { Command } from './command.ts';
import { TroubleError, type Context } from './context.ts';
import { compileFile } from './inputs.ts';
import type { CompileOptions, CompileResult } from '../compile.ts';

/** The options as the two modules read them: by flag as written (`-o`, `--format`), `--color` when colour is on. */
function flags(args: ParsedArgs, ctx: Context, short: Readonly<Record<string, string>> = {}): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (const [name, value] of Object.entries(args.options)) {
    if (value === undefined || value === false || name === 'color' || name === 'no-color') continue;
    out.set(short[name] ?? `--${name}`, value);
  }
  if (ctx.color) out.set('--color', true);
  return out;
}

/** compileFile as graph.ts wants it: an unreadable file is a one-line failure. */
function compileOrTrouble(file: string, options?: CompileOptions): CompileResult {
  const { report, result } = compileFile(file, options);
  if (!result) throw new TroubleError(`${file}: ${report.diagnostics[0]?.message ?? 'cannot read the file'}`);
  return result;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'write a Docker Compose project as a netform file (docs/compose.md)',
  operands: { name: 'COMPOSE_FILE', min: 1, max: Infinity },
  options: {
    'project-name': { type: 'string', value: 'NAME', help: 'the project name (default: name: in the files, else the first file\'s directory)' },
    'env-file': { type: 'string', value: 'FILE', help: 'read FILE instead of the project directory\'s .env' },
    daemon: { type: 'string', value: 'DAEMON_JSON', help: 'the daemon.json of the host: the netform file names it (daemon: PATH)' },
    output: { type: 'string', short: 'o', value: 'NETFORM_FILE', help: 'where to write the netform file (default: stdout)' },
  },
  description: `Reads a compose project as Docker Compose v2 deploys it and writes it as a netform file (to stdout
without -o): its networks in the order Compose creates them, its containers (one per replica) in the
order it starts them, with the names and aliases Compose gives them. Several files are merged as
\`docker compose -f a.yaml -f b.yaml\` merges them. Nothing is written when netform finds a problem;
every problem is reported at the compose file's line. netform never reads its own environment, so a
result does not depend on the shell it ran in. See docs/compose.md.
`,
  async run(args, ctx) {
    const { runImport } = await import('./import.ts');
    return runImport(args.operands, flags(args, ctx, { output: '-o' }), ctx.io);
  },
};

export const graphCommand: Command = {
  name: 'graph',
  summary: 'draw the topology FILE builds',
  operands: { name: 'FILE', min: 1, max: 1 },
  options: {
    format: { type: 'string', choices: ['svg', 'dot', 'mermaid'], help: 'svg (default; rendered in-process), dot (Graphviz), mermaid (GitHub renders it in a pull request)' },
    host: { type: 'string', value: 'NAME', help: 'draw this host only' },
    output: { type: 'string', short: 'o', value: 'OUT', help: 'where to write the picture (default: stdout)' },
  },
  description: `Draws the topology FILE builds: networks as boxes (driver, subnet, gateway, internal, ICC), containers
with their address on each network, ports published on the host, and with several hosts each host in
its own box, overlays spanning them.
`,
  async run(args, ctx) {
    const { runGraph } = await import('./graph.ts');
    return runGraph(args.operands, flags(args, ctx, { output: '-o' }), ctx.io, compileOrTrouble);
  },
};
