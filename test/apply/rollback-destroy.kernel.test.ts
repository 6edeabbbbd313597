// Rollback at the step v3 -> destroy (the host brought to v3 first), made to fail each way first
// (test/apply/rollback-steps.ts). One file per step, so that the steps run in parallel lanes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testOrSkip } from '../support/skip.ts';
import { failThenRun, ok, why } from './rollback-steps.ts';
import { dropHost, makeHost, snapshot } from './sandbox.ts';

testOrSkip(why, 'v3 -> destroy fails in each way and leaves the host as it was; then runs', async () => {
  const h = await makeHost(['v1', 'v2', 'v3']);
  try {
    const s0 = snapshot(h);
    await ok(h, 'v1');
    await ok(h, 'v2');
    await ok(h, 'v3');
    await failThenRun(h, ['v3', undefined]);
    assert.equal(snapshot(h), s0, 'after destroy: as before the first apply');
  } finally {
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();
