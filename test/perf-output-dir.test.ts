// publishTree (writeTree) hands files to a writer thread past `threadAfter` files (src/cli/writer-thread.ts)
// and writes big ones itself. Whatever the split, the tree must be the same: same files, same bytes,
// same modes; and a failure must leave nothing behind and the old output in place.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { publishTree, readTree, type WriteContent } from '../src/cli/output-dir.ts';
import { scratchDir } from './support/scratch.ts';

const scratch = scratchDir('netform-perf-out');
test.after(() => rmSync(scratch, { recursive: true, force: true }));

/** A tree like a build's: a few big files, a directory per container with two small files, pieces. */
function* files(n: number): Generator<[string, WriteContent]> {
  yield ['h/iptables.rules', `*filter\n${'-A DOCKER -j ACCEPT\n'.repeat(70_000)}COMMIT\n`]; // over a megabyte
  yield ['h/setup.sh', '#!/bin/sh\nexit 0\n'];
  for (let i = 0; i < n; i++) {
    yield [`h/containers/c-${i}/hosts`, `127.0.0.1\tlocalhost\n10.0.${i >> 8}.${i & 255}\tc-${i}\n`];
    yield [`h/containers/c-${i}/resolv.conf`, `nameserver 127.0.0.11\n# ${'é'.repeat(i % 3)}\n`];
  }
  yield ['h/topology.json', (function* () {
    for (let i = 0; i < 5000; i++) yield `{"i": ${i}, "pad": "${'x'.repeat(i % 97)}"}\n`;
  })()];
}

const modes = (dir: string): string[] => {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(`${r} ${(statSync(path.join(dir, r)).mode & 0o777).toString(8)}`);
      if (e.isDirectory()) walk(r);
    }
  };
  walk('');
  return out.sort();
};

test('the same tree with and without the writer thread, and with it from the first file', () => {
  const trees = [Infinity, 0, 7].map((threadAfter) => {
    const dir = path.join(scratch, `t-${threadAfter}`);
    assert.is(publishTree(dir, files(600), { threadAfter }), 1203);
    return dir;
  });
  const [a, ...rest] = trees.map((d) => readTree(d));
  for (const b of rest) assert.equal([...b.entries()], [...a!.entries()]);
  const [ma, ...mrest] = trees.map(modes);
  for (const mb of mrest) assert.equal(mb, ma);
  assert.ok(ma!.includes('h/setup.sh 755'));
  assert.ok(ma!.includes('h/containers/c-0/hosts 644'));
  assert.is(readFileSync(path.join(trees[1]!, 'h/containers/c-5/resolv.conf'), 'utf8'), 'nameserver 127.0.0.11\n# éé\n');
});

test('a failing write (a file where a directory must go) leaves the old output alone and no temporary directory', () => {
  const dir = path.join(scratch, 'fail');
  publishTree(dir, [['old.txt', 'old\n']]);
  function* bad(): Generator<[string, WriteContent]> {
    yield* files(300);
    yield ['h/containers/c-1/hosts/deeper', 'x'];
    yield* files(300);
  }
  assert.throws(() => publishTree(dir, bad(), { threadAfter: 10 }));
  assert.equal([...readTree(dir).keys()], ['old.txt']);
  assert.is(readdirSync(path.join(scratch, '.fail.netform')).length, 1, 'only the old version is left in the store');
});

test('an error thrown while rendering stops the writer thread and cleans up', () => {
  const dir = path.join(scratch, 'throws');
  function* throwing(): Generator<[string, WriteContent]> {
    yield* files(400);
    throw new Error('render failed');
  }
  assert.throws(() => publishTree(dir, throwing(), { threadAfter: 0 }), /render failed/);
  assert.equal(readdirSync(path.join(scratch, '.throws.netform')), []);
});

test('a directory made by the caller before the writer gets to it is fine (big file first in a new directory)', () => {
  const dir = path.join(scratch, 'order');
  const big = 'y'.repeat(2 << 20);
  publishTree(dir, [['a/small', 's'], ['b/c/big', big], ['b/c/small', 't']], { threadAfter: 0 });
  assert.is(readFileSync(path.join(dir, 'b/c/big'), 'utf8').length, big.length);
  assert.is(readFileSync(path.join(dir, 'b/c/small'), 'utf8'), 't');
});

test('a foreign directory is still refused before anything is written', () => {
  const dir = path.join(scratch, 'foreign');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'mine'), 'x');
  assert.throws(() => publishTree(dir, files(10), { threadAfter: 0 }), /not empty/);
});

test.run();
