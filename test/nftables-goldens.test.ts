// The 66 `nft list table` goldens of moby's nftabler unit test (TestNftabler, Docker 29), reproduced byte
// for byte by the nftables backend (inputs: test/support/nft-goldens.ts). moby's test harness
// rewrites `priority -100` on the nat output hook to `dstnat`, which newer nft prints anyway: the
// listing here is in that form (dialect 'current').
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildFirewall } from '../src/firewall/index.ts';
import { listTable } from '../src/firewall/nftables/text/index.ts';
import { NFT_GOLDENS, nftGoldenFiles, nftGoldenInput, nftGoldenParams, type Params } from './support/nft-goldens.ts';

const EXPECTED_FILES = 66;
const files = nftGoldenFiles();

function render(p: Params): string {
  const rules = buildFirewall(nftGoldenInput(p), 'nftables');
  if (rules.backend !== 'nftables') throw new Error('expected nftables rules');
  const table = rules.tables.find((t) => t.family === p.family && t.name === 'docker-bridges');
  assert.ok(table, `no docker-bridges table for IPv${p.family}`);
  return listTable(table, { counters: true, dialect: 'current' });
}

let matched = 0;

test('nftables goldens: all 66 files are there', () => {
  assert.is(files.length, EXPECTED_FILES);
});

for (const file of files) {
  test(`nftables golden ${file}`, () => {
    const expected = readFileSync(path.join(NFT_GOLDENS, file), 'utf8');
    for (const p of nftGoldenParams(file)) assert.fixture(render(p), expected, `${file} (${JSON.stringify(p)})`);
    matched++;
  });
}

test('nftables goldens: count', () => {
  console.log(`${matched}/${EXPECTED_FILES} nftables goldens match`);
  assert.is(matched, EXPECTED_FILES);
});

test.run();
