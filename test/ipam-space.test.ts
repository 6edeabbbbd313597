// The interval set behind subnet allocation (src/ipam/space.ts) and the pool walk that uses it give the
// answers of the plain definitions (compare with every taken prefix), on random inputs; consecutive
// allocations from one pool merge into one taken run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lastOf, networkOf, overlaps, sizeOf, type Prefix } from '../src/net/index.ts';
import { lowestFreeSubnet, normalisePools, type PoolSpec } from '../src/ipam/pools.ts';
import { AddressSpace } from '../src/ipam/space.ts';

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const v4 = (address: number, length: number): Prefix => {
  const p: Prefix = { family: 4, address: BigInt(address >>> 0), length };
  return { ...p, address: networkOf(p) };
};

/** The definition: the first aligned candidate of the first pool that overlaps no taken prefix. */
function bruteLowestFree(specs: readonly PoolSpec[], taken: readonly Prefix[]): Prefix | undefined {
  for (const pool of normalisePools(specs, 4)) {
    const step = sizeOf({ family: 4, address: 0n, length: pool.size });
    for (let a = pool.prefix.address; a <= lastOf(pool.prefix); a += step) {
      const c: Prefix = { family: 4, address: a, length: pool.size };
      if (!taken.some((t) => overlaps(t, c))) return c;
    }
  }
  return undefined;
}

test('AddressSpace.overlaps agrees with comparing every prefix', () => {
  const next = random(1);
  for (let round = 0; round < 200; round++) {
    const space = new AddressSpace();
    const taken: Prefix[] = [];
    for (let i = 0; i < 20; i++) {
      const p = v4(0x0a000000 + Math.floor(next() * 65536) * 256, 16 + Math.floor(next() * 17));
      space.addPrefix(p);
      taken.push(p);
    }
    for (let i = 0; i < 50; i++) {
      const q = v4(0x0a000000 + Math.floor(next() * 65536) * 256, 12 + Math.floor(next() * 21));
      assert.is(space.overlaps(q), taken.some((t) => overlaps(t, q)), `round ${round}`);
    }
  }
});

test('lowestFreeSubnet over an AddressSpace gives the plain definition\'s subnet', () => {
  const specs: PoolSpec[] = [
    { base: '10.0.0.0/16', size: 24 },
    { base: '10.1.0.0/16', size: 20 },
  ];
  const next = random(7);
  for (let round = 0; round < 100; round++) {
    const taken: Prefix[] = [];
    for (let i = 0; i < 30; i++) taken.push(v4(0x0a000000 + Math.floor(next() * 512) * 256, 20 + Math.floor(next() * 9)));
    const want = bruteLowestFree(specs, taken);
    assert.equal(lowestFreeSubnet(specs, 4, taken), want, `round ${round}`);
    const space = new AddressSpace();
    for (const t of taken) space.addPrefix(t);
    assert.equal(lowestFreeSubnet(normalisePools(specs, 4), 4, space), want, `round ${round} (space)`);
  }
});

test('subnets handed out one after another from a pool are consecutive and form one taken run', () => {
  const pools = normalisePools([{ base: '10.0.0.0/8', size: 24 }], 4);
  const space = new AddressSpace();
  let last: Prefix | undefined;
  for (let i = 0; i < 5000; i++) {
    last = lowestFreeSubnet(pools, 4, space)!;
    space.addPrefix(last);
  }
  assert.is(last!.address, BigInt(0x0a000000 + 4999 * 256));
  assert.is(space.clashEnd(0x0a000000n, 0x0a000000n), BigInt(0x0a000000 + 5000 * 256 - 1));
});

test.run();
