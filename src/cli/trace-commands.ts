// `trace` and `blame` in the command table. Their modules (trace-command.ts, blame.ts) are loaded only
// when they run: the other commands should not pay for the tracer at start-up.
import type { Command } from './command.ts';

export const traceCommand: Command = {
  name: 'trace',
  summary: 'follow a connection through what FILE builds: the rules that decide, with their YAML lines (docs/trace.md)',
  operands: { name: 'FILE', min: 1, max: 1 },
  options: {
    from: { type: 'string', value: 'SRC', required: true, help: 'who sends: host (host:NAME), outside (outside:ADDR), a container name, or an address' },
    to: { type: 'string', value: 'DST:PORT[/PROTO]', required: true, help: 'who it is for: as --from (NAME@NETWORK: a container\'s address there; IPv6 in brackets), the port, tcp (default), udp or sctp' },
    host: { type: 'string', value: 'NAME', help: 'the host that host, and container names on several hosts, mean' },
    ipv6: { type: 'boolean', help: 'trace IPv6 (default: the family of an address given, else IPv4)' },
    json: { type: 'boolean', help: 'the trace as JSON: verdict, translations, steps (chain, rule, source file:line:col)' },
    verbose: { type: 'boolean', help: 'every hop and every policy, not only the rules that matched' },
  },
  description: `Follows a connection through what FILE builds, as the kernel would: the request, the reply, and for
TCP and SCTP the handshake's last packet. Prints each rule that decided, with the YAML line that made
it, the address translations, how each packet ended, and the verdict: reach, blocked, or unknown when
the kernel does something the tracer does not model (docker-proxy, IPVS, ...; the reason is given).
Exit 0 when the trace was made, whatever its verdict. See docs/trace.md.
`,
  async run(args, ctx) {
    const { runTrace } = await import('./trace-command.ts');
    return runTrace(args, ctx);
  },
};

export const blameCommand: Command = {
  name: 'blame',
  summary: 'the YAML line that made a line of a build (build --source-map)',
  operands: { name: 'OUTPUT_FILE:LINE', min: 1, max: 1 },
  options: {},
  description: `Prints what made LINE of a file a build wrote with --source-map (it reads OUTPUT_FILE.map): the YAML
element, with its line and a caret, and the elements it sits in; or the implicit origin when no line of
the input did (daemon default, swarm init, engine N layout, netform scaffolding, ...).
`,
  async run(args, ctx) {
    const { runBlame } = await import('./blame.ts');
    return runBlame(args.operands[0]!, ctx);
  },
};
