// Rollback on the nftables backend at the step nft-v1 -> nft-v2, made to fail each way first
// (nft-rollback-steps.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testOrSkip } from '../support/skip.ts';
import { loadNftForeign } from './nft-support.ts';
import { failing, killed, newHostLink, traffic, why } from './nft-rollback-steps.ts';
import { ok } from './rollback-steps.ts';
import { dropHost, makeHost } from './sandbox.ts';

testOrSkip(why, 'nftables: v1 -> v2 fails in each way and leaves the host as it was, counters included; then runs', async () => {
  const h = await makeHost(['nft-v1', 'nft-v2', 'nft-v3'], loadNftForeign);
  try {
    await ok(h, 'nft-v1');
    await traffic(h, 'nft-v1');
    assert.match(await failing(h, 'nft-v2', { kind: 'kernel-refuses-nft' }), /^firewall nft ip docker-bridges: nft -f/);
    await failing(h, 'nft-v2', { kind: 'link-name-taken', name: newHostLink(h, 'nft-v2', 'nft-v1') });
    await killed(h, 'nft-v1', 'nft-v2');
    await ok(h, 'nft-v2');
  } finally {
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();
