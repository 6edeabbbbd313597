// The packet tracer against every e2e matrix, without a kernel: each connection probe's expectation
// (which the e2e suite checks in a real kernel) must be what the tracer says, in the sandbox's world.
// Whether br_netfilter is loaded is left unknown: a probe marked `needs: br_netfilter` is on a host where
// Docker turns it on, and every other probe must hold either way. The e2e suite itself compares the
// tracer with the kernel's answers, probe by probe (examples.test.ts).
import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exampleNames } from '../support/examples.ts';
import { judgeWithTracer, traceWorld } from './harness/tracer.ts';
import { matrixPath, prepareExample } from './harness/run-example.ts';

const names = exampleNames().filter((n) => existsSync(matrixPath(n)));

test('the tracer says what every e2e matrix expects of every connection probe', () => {
  const wrong: string[] = [];
  const unknown: string[] = [];
  let compared = 0;
  for (const name of names) {
    const { world, matrix } = prepareExample(name, 'tr-');
    const tw = traceWorld(world, matrix.outsideRoutes);
    for (const p of matrix.probes) {
      if (p.kind !== 'conn' || p.knownBug) continue;
      compared++;
      const j = judgeWithTracer(p, world, tw);
      const line = `${name}: ${p.text} (expects ${p.expect} ${p.server.server}:${p.server.port}${p.source ? ` from ${p.source}` : ''}): ${j.detail}`;
      if (j.agrees === 'unknown') unknown.push(line);
      else if (!j.agrees) wrong.push(line);
    }
  }
  console.log(`tracer vs matrices: ${compared} connection probes, ${compared - wrong.length - unknown.length} agree, ${unknown.length} unknown, ${wrong.length} disagree`);
  for (const u of unknown) console.log(`  unknown: ${u}`);
  assert.ok(compared > 250, `only ${compared} probes`);
  assert.equal(wrong, []);
});

test.run();
