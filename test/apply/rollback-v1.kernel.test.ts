// Rollback at the step empty -> v1 (from a host with nothing of netform's), made to fail each way first
// (test/apply/rollback-steps.ts). One file per step, so that the steps run in parallel lanes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testOrSkip } from '../support/skip.ts';
import { failThenRun, why } from './rollback-steps.ts';
import { dropHost, makeHost, snapshot } from './sandbox.ts';

testOrSkip(why, 'empty -> v1 fails in each way and leaves the host as it was; then runs', async () => {
  const h = await makeHost(['v1']);
  try {
    const s0 = snapshot(h);
    await failThenRun(h, [undefined, 'v1']);
    assert.not.equal(snapshot(h), s0);
  } finally {
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();
