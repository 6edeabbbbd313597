// `netform trace`: can SRC reach DST on this port, and why (or why not)? Compiles the file, follows the
// request, the reply and the handshake through the build as the kernel would (src/trace), and prints
// each rule that decided with the YAML line that made it, the address translations, and the verdict.
import { resultLocator, type CompileOptions, type CompileResult } from '../compile.ts';
import { formatDiagnostics } from '../diagnostics/format.ts';
import { trace, TraceError, type TraceQuery } from '../trace/index.ts';
import { formatTrace } from '../trace/format.ts';
import { parseParty, parseTarget } from '../trace/spec.ts';
import { UsageError } from './usage.ts';

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const TRACE_HELP = `Usage: netform trace FILE --from SRC --to DST:PORT[/tcp|udp|sctp] [--host NAME] [--ipv6] [--json] [--verbose]
Follows a connection through what FILE builds, as the kernel would (docs/trace.md): the request, the
reply, and for TCP and SCTP the handshake's last packet; prints each rule that decided, with the YAML
line that made it, the address translations, and the verdict: reach, blocked or unknown (the kernel
does something the tracer does not model: docker-proxy, IPVS, ...; the reason is given).
  SRC, DST  host (the host itself; host:NAME with several hosts), outside (a client beyond the host's
            uplink; outside:ADDR), a container name (NAME@NETWORK: its address on that network), or an
            address (IPv6 in brackets before a port: [fd00::2]:80)
  --host    the host that host, and container names on several hosts, mean
  --ipv6    trace IPv6 (the default is the family of an address given, else IPv4)
  --json    the trace as JSON: verdict, translations, steps (chain, rule, source: file:line:col)
  --verbose every hop and every policy, not only the rules that matched
Exit 0 when the trace was made (whatever the verdict), 1 when FILE has errors, 2 for a usage error.
`;

function query(flags: ReadonlyMap<string, string | true>): TraceQuery {
  const from = flags.get('--from');
  const to = flags.get('--to');
  if (typeof from !== 'string' || typeof to !== 'string') throw new UsageError('trace needs --from SRC and --to DST:PORT');
  const src = parseParty(from);
  if ('error' in src) throw new UsageError(`--from ${src.error}`);
  const dst = parseTarget(to);
  if ('error' in dst) throw new UsageError(`--to ${dst.error}`);
  const host = flags.get('--host');
  return {
    from: src,
    to: dst.party,
    port: dst.port,
    proto: dst.proto,
    ...(flags.has('--ipv6') ? { family: 6 as const } : {}),
    ...(typeof host === 'string' ? { host } : {}),
  };
}


export function runTrace(files: readonly string[], flags: ReadonlyMap<string, string | true>, io: Io, compileFile: (file: string, options?: CompileOptions) => CompileResult): number {
  if (files.length !== 1) throw new UsageError(`trace takes exactly one input FILE (got ${files.length})`);
  const q = query(flags);
  const file = files[0]!;
  const r = compileFile(file, { files: false, requireSecrets: false });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !r.topologies) {
    const sources = [...r.sources].map(([f, s]) => ({ file: f, text: s.text, doc: s.parsed?.doc, lineCounter: s.parsed?.lineCounter }));
    io.err(`${formatDiagnostics(errors, sources.length > 0 ? sources : [{ file, text: '' }], { color: flags.has('--color') })}\n`);
    return 1;
  }
  let t;
  try {
    t = trace(r.topologies, q, { locate: resultLocator(r) });
  } catch (e) {
    if (e instanceof TraceError) throw new UsageError(`trace: ${e.message}`);
    throw e;
  }
  io.out(flags.has('--json') ? `${JSON.stringify(t, null, 2)}\n` : formatTrace(t, { verbose: flags.has('--verbose') }));
  return 0;
}
