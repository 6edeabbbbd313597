// The suite's summary line for the tracer against the kernel: the sum of what each e2e part printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tracerTallyLine } from './support/tracer-tally.ts';

test('the parts are summed, with uvu progress marks and colours on their lines', () => {
  const outputs = [
    'e2e my-net: 12 probes\n• \x1b[32m• e2e tracer vs kernel: 70 compared, 0 disagreements, 0 unknown\n',
    'unrelated output\n',
    '• • e2e tracer vs kernel: 99 compared, 1 disagreements, 2 unknown\n• e2e: 8 examples run\n',
  ];
  assert.is(tracerTallyLine(outputs), 'e2e tracer vs kernel: 169 probes compared over 2 parts, 1 disagreements, 2 unknown');
});

test('no line when no e2e part ran', () => {
  assert.is(tracerTallyLine(['10 passed\n']), undefined);
});

test.run();
