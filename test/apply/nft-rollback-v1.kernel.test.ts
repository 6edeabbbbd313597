// Rollback on the nftables backend at the step empty -> nft-v1, made to fail each way first
// (nft-rollback-steps.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testOrSkip } from '../support/skip.ts';
import { loadNftForeign, nftTables } from './nft-support.ts';
import { failing, killed, newHostLink, traffic, why } from './nft-rollback-steps.ts';
import { ok } from './rollback-steps.ts';
import { dropHost, makeHost } from './sandbox.ts';

testOrSkip(why, 'nftables: empty -> v1 fails in each way and leaves the host as it was; then runs', async () => {
  const h = await makeHost(['nft-v1', 'nft-v2', 'nft-v3'], loadNftForeign);
  try {
    await failing(h, 'nft-v1', { kind: 'kernel-refuses-nft' });
    await failing(h, 'nft-v1', { kind: 'link-name-taken', name: newHostLink(h, 'nft-v1', undefined) });
    await killed(h, undefined, 'nft-v1');
    await ok(h, 'nft-v1');
    assert.ok(nftTables(h.runner).includes('ip docker-bridges'));
  } finally {
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();
