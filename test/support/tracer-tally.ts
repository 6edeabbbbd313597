// The line each e2e part prints with the packet tracer's standing against the kernel, and its sum over
// the parts for the suite's summary (test/run.ts): the tracer's verdict on each probe is asked before the
// packet is sent (test/e2e/harness/run-example.ts).
export const TRACER_TALLY_PREFIX = 'e2e tracer vs kernel:';

// Not anchored at the line's start: uvu prints its progress marks on the same line.
const LINE = /e2e tracer vs kernel: (\d+) compared, (\d+) disagreements, (\d+) unknown$/gm;

/** The summary line for the outputs of the jobs that ran, or undefined when no e2e part printed one. */
export function tracerTallyLine(outputs: readonly string[]): string | undefined {
  let parts = 0;
  const sum = [0, 0, 0];
  for (const out of outputs) {
    for (const m of out.replace(/\x1b\[[0-9;]*m/g, '').matchAll(LINE)) {
      parts++;
      for (let i = 0; i < 3; i++) sum[i]! += Number(m[i + 1]);
    }
  }
  if (parts === 0) return undefined;
  return `${TRACER_TALLY_PREFIX} ${sum[0]} probes compared over ${parts} part${parts === 1 ? '' : 's'}, ${sum[1]} disagreements, ${sum[2]} unknown`;
}
