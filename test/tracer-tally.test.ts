// The suite's summary line for the tracer against the kernel: the sum of what each e2e part printed,
// with each firewall backend's run summed on its own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tracerTallyLine, tracerTallyText } from './support/tracer-tally.ts';

test('the parts are summed, with uvu progress marks and colours on their lines', () => {
  const outputs = [
    'e2e my-net: 12 probes\n• \x1b[32m• e2e tracer vs kernel: 70 compared, 0 disagreements, 0 unknown\n',
    'unrelated output\n',
    '• • e2e tracer vs kernel: 99 compared, 1 disagreements, 2 unknown\n• e2e: 8 examples run\n',
  ];
  assert.is(tracerTallyLine(outputs), 'e2e tracer vs kernel: 169 probes compared over 2 parts, 1 disagreements, 2 unknown');
});

test("each backend's run is summed beside the total", () => {
  const part = (a: number, b: number) =>
    [
      tracerTallyText({ compared: a + b, disagreements: 0, unknown: 1 }),
      tracerTallyText({ compared: a, disagreements: 0, unknown: 1 }, 'iptables'),
      tracerTallyText({ compared: b, disagreements: 0, unknown: 0 }, 'nftables'),
    ].join('\n');
  assert.is(part(3, 2).split('\n')[2], 'e2e tracer vs kernel (nftables): 2 compared, 0 disagreements, 0 unknown');
  assert.is(
    tracerTallyLine([`${part(10, 5)}\n`, `• ${part(20, 7)}\n`]),
    'e2e tracer vs kernel: 42 probes compared over 2 parts, 0 disagreements, 2 unknown (iptables: 30 compared, 0 disagreements, 2 unknown; nftables: 12 compared, 0 disagreements, 0 unknown)',
  );
});

test('no line when no e2e part ran', () => {
  assert.is(tracerTallyLine(['10 passed\n']), undefined);
});

test.run();
