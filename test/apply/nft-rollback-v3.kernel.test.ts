// Rollback on the nftables backend at the steps nft-v2 -> nft-v3 and nft-v3 -> destroy, made to fail first
// (nft-rollback-steps.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testOrSkip } from '../support/skip.ts';
import { loadNftForeign, nftTables } from './nft-support.ts';
import { failing, killed, newHostLink, traffic, why } from './nft-rollback-steps.ts';
import { ok } from './rollback-steps.ts';
import { dropHost, makeHost } from './sandbox.ts';

testOrSkip(why, 'nftables: v2 -> v3 and destroy fail after the nft transaction and leave the host as it was, counters included; then run', async () => {
  const h = await makeHost(['nft-v1', 'nft-v2', 'nft-v3'], loadNftForeign);
  try {
    await ok(h, 'nft-v2');
    await traffic(h, 'nft-v2');
    // v3 removes a network: its bridge goes after the nft transaction is committed.
    assert.match(await failing(h, 'nft-v3', { kind: 'batch-fails', match: /^link del br-/m }), /^remove bridges: /);
    await failing(h, 'nft-v3', { kind: 'kernel-refuses-nft' });
    await ok(h, 'nft-v3');
    await traffic(h, 'nft-v3');
    assert.match(await failing(h, undefined, { kind: 'batch-fails', match: /^link del br-/m }), /^remove bridges: /);
    await killed(h, 'nft-v3', undefined);
    await ok(h, undefined);
    assert.equal(nftTables(h.runner).filter((t) => /docker-/.test(t)), [], 'destroy leaves no table of Docker\'s');
  } finally {
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();
