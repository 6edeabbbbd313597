// `netform trace`: can SRC reach DST on this port, and why (or why not)? Compiles the file, follows the
// request, the reply and the handshake through the build as the kernel would (src/trace), and prints
// each rule that decided with the YAML line that made it, the address translations, and the verdict.
import type { ParsedArgs } from './args.ts';
import { resultLocator } from '../compile.ts';
import { EXIT, UsageError, type Context } from './context.ts';
import { compileFile, errorCount } from './inputs.ts';
import { printText } from './report.ts';
import { trace, TraceError, type TraceQuery } from '../trace/index.ts';
import { formatTrace } from '../trace/format.ts';
import { parseParty, parseTarget } from '../trace/spec.ts';

function query(args: ParsedArgs): TraceQuery {
  const src = parseParty(args.options['from'] as string);
  const dst = parseTarget(args.options['to'] as string);
  const problems = [...('error' in src ? [`--from ${src.error}`] : []), ...('error' in dst ? [`--to ${dst.error}`] : [])];
  if ('error' in src || 'error' in dst) throw new UsageError(problems, 'trace');
  const host = args.options['host'];
  return {
    from: src,
    to: dst.party,
    port: dst.port,
    proto: dst.proto,
    ...(args.options['ipv6'] ? { family: 6 as const } : {}),
    ...(typeof host === 'string' ? { host } : {}),
  };
}

export function runTrace(args: ParsedArgs, ctx: Context): number {
  const q = query(args);
  const file = args.operands[0]!;
  const { report, result } = compileFile(file, { files: false, requireSecrets: false });
  if (report.unreadable || !result?.topologies || errorCount(report.diagnostics) > 0) {
    printText({ ...report, diagnostics: report.diagnostics.filter((d) => d.severity === 'error') }, ctx);
    return report.unreadable ? EXIT.TROUBLE : EXIT.FAILED;
  }
  let t;
  try {
    t = trace(result.topologies, q, { locate: resultLocator(result) });
  } catch (e) {
    if (e instanceof TraceError) throw new UsageError([e.message], 'trace');
    throw e;
  }
  ctx.io.out(args.options['json'] ? `${JSON.stringify(t, null, 2)}\n` : formatTrace(t, { verbose: !!args.options['verbose'] }));
  return EXIT.OK;
}
