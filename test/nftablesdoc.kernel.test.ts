// moby's nftablesdoc scenarios, by the kernel: each scenario example's nftables.rules is loaded with
// `nft -f` into a scratch namespace, and `nft -s list table ip docker-bridges` there must list what
// Docker listed in the scenario document (test/fixtures/moby/nftablesdoc/v29/<scenario>/table.nft),
// once `priority -100` on the nat output hook is read as the `dstnat` that newer nft prints: the file
// writes the number because Debian 12's nft 1.0.6 refuses the name there (docs/nftables.md), and an nft
// of that age lists the number back. The rendered text itself is compared without a kernel by
// test/nftablesdoc-examples.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildExample, exampleNames } from './support/examples.ts';
import { MOBY } from './support/moby.ts';
import { netnsUnavailable, withNetns } from './support/netns.ts';
import { testOrSkip } from './support/skip.ts';

const why = netnsUnavailable(['nft']);
const examples = exampleNames().filter((n) => n.startsWith('nftablesdoc-'));
const table = (scenario: string): string => readFileSync(path.join(MOBY, 'nftablesdoc', 'v29', scenario, 'table.nft'), 'utf8');

test('nftablesdoc: there are scenario examples', () => assert.is(examples.length, 8));

for (const name of examples) {
  const scenario = name.slice('nftablesdoc-'.length);
  testOrSkip(why, `nftablesdoc ${scenario}: nftables.rules loaded in a kernel lists as Docker's`, async () => {
    const rules = buildExample(name).files!.get('local/nftables.rules');
    assert.ok(rules, 'the build has no local/nftables.rules');
    await withNetns((ns) => {
      ns.check('nft', ['-f', '-'], rules);
      const listed = ns.check('nft', ['-s', 'list', 'table', 'ip', 'docker-bridges']);
      assert.fixture(listed.replace('type nat hook output priority -100;', 'type nat hook output priority dstnat;'), table(scenario));
    });
  });
}

test.run();
