// The lines each e2e part prints with the packet tracer's standing against the kernel (both firewall
// backends together, then each backend's run), and their sum over the parts for the suite's summary
// (test/run.ts): the tracer's verdict on each probe is asked before the packet is sent
// (test/e2e/harness/run-example.ts).
export const TRACER_TALLY_PREFIX = 'e2e tracer vs kernel:';

export interface TracerTally {
  compared: number;
  disagreements: number;
  unknown: number;
}

/** The line of one part: `e2e tracer vs kernel: ...`, or `e2e tracer vs kernel (nftables): ...` for one backend's run. */
export function tracerTallyText(t: TracerTally, backend?: string): string {
  const prefix = backend ? `${TRACER_TALLY_PREFIX.slice(0, -1)} (${backend}):` : TRACER_TALLY_PREFIX;
  return `${prefix} ${t.compared} compared, ${t.disagreements} disagreements, ${t.unknown} unknown`;
}

// Not anchored at the line's start: uvu prints its progress marks on the same line.
const LINE = /e2e tracer vs kernel(?: \((\w+)\))?: (\d+) compared, (\d+) disagreements, (\d+) unknown$/gm;

/** The summary line for the outputs of the jobs that ran, or undefined when no e2e part printed one. */
export function tracerTallyLine(outputs: readonly string[]): string | undefined {
  let parts = 0;
  const sum = [0, 0, 0];
  const byBackend = new Map<string, number[]>();
  for (const out of outputs) {
    for (const m of out.replace(/\x1b\[[0-9;]*m/g, '').matchAll(LINE)) {
      const backend = m[1];
      let into = sum;
      if (backend === undefined) parts++;
      else if (!byBackend.has(backend)) byBackend.set(backend, (into = [0, 0, 0]));
      else into = byBackend.get(backend)!;
      for (let i = 0; i < 3; i++) into[i]! += Number(m[i + 2]);
    }
  }
  if (parts === 0) return undefined;
  const each = [...byBackend].map(([b, s]) => `${b}: ${s[0]} compared, ${s[1]} disagreements, ${s[2]} unknown`);
  return `${TRACER_TALLY_PREFIX} ${sum[0]} probes compared over ${parts} part${parts === 1 ? '' : 's'}, ${sum[1]} disagreements, ${sum[2]} unknown${each.length ? ` (${each.join('; ')})` : ''}`;
}
