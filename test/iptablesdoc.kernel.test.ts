// moby's iptablesdoc scenarios, by the kernel: each scenario example's iptables.rules (Docker 29 and
// 28.5.2) is loaded with iptables-restore into a scratch namespace, and `iptables -S -t <table>` there
// must list what Docker listed in the scenario document. The rendered text itself is compared without a
// kernel by test/iptablesdoc-examples.test.ts and test/iptablesdoc-v28-examples.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildExample, exampleNames } from './support/examples.ts';
import { iptablesdoc, type DocVersion } from './support/moby.ts';
import { netnsUnavailable, withNetns } from './support/netns.ts';
import { testOrSkip } from './support/skip.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables']);

const SETS: readonly { readonly version: DocVersion; readonly prefix: RegExp }[] = [
  { version: 'v29', prefix: /^iptablesdoc-(?!v\d)/ },
  { version: 'v28.5.2', prefix: /^iptablesdoc-v28\.5\.2-/ },
];

for (const { version, prefix } of SETS) {
  const examples = exampleNames().filter((n) => prefix.test(n));
  test(`iptablesdoc ${version}: there are scenario examples`, () => assert.is(examples.length, 9));
  for (const name of examples) {
    const scenario = name.replace(prefix, '');
    testOrSkip(why, `iptablesdoc ${version} ${scenario}: iptables.rules loaded in a kernel lists as Docker's`, async () => {
      const files = buildExample(name).files!;
      const rules = [...files].find(([k]) => k.endsWith('/iptables.rules'))![1];
      await withNetns((ns) => {
        ns.check('iptables-restore', [], rules);
        for (const [table, lines] of iptablesdoc(version, scenario).tables) {
          const got = ns.check('iptables', ['-S', '-t', table]).trimEnd().split('\n');
          assert.equal(got, lines, `${scenario}: kernel table ${table}`);
        }
      });
    });
  }
}

test.run();
