// Rollback at the step v2 -> v3 (the host brought to v2 first), made to fail each way first
// (test/apply/rollback-steps.ts). One file per step, so that the steps run in parallel lanes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testOrSkip } from '../support/skip.ts';
import { failThenRun, ok, why } from './rollback-steps.ts';
import { dropHost, makeHost, snapshot } from './sandbox.ts';

testOrSkip(why, 'v2 -> v3 fails in each way and leaves the host as it was; then runs', async () => {
  const h = await makeHost(['v1', 'v2', 'v3']);
  try {
    const s0 = snapshot(h);
    await ok(h, 'v1');
    await ok(h, 'v2');
    await failThenRun(h, ['v2', 'v3']);
    assert.not.equal(snapshot(h), s0);
  } finally {
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();
