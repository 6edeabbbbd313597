// moby's iptablesdoc scenarios as netform examples (examples/iptablesdoc-*.yaml): the whole pipeline,
// from YAML to iptables.rules, must give the tables Docker 29 listed with `iptables -S` in each
// scenario document. Checked twice: on the rendered rules, and, where a kernel is available, by
// loading iptables.rules into a scratch namespace and listing it with `iptables -S`.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderIptablesS } from '../src/firewall/iptables/text/index.ts';
import type { TableName } from '../src/firewall/iptables/types.ts';
import { buildExample, exampleNames, REPO } from './support/examples.ts';
import { listings } from './support/iptablesdoc.ts';
import { netnsUnavailable, withNetns } from './support/netns.ts';
import { iptablesRules } from './support/firewall.ts';

const DOCS = path.resolve(REPO, '../shared/reference/moby/iptablesdoc');
// iptablesdoc-v28.5.2-* are the Docker 28 dumps (test/iptablesdoc-v28-examples.test.ts).
const scenarios = exampleNames().filter((n) => /^iptablesdoc-(?!v\d)/.test(n)).map((n) => n.slice('iptablesdoc-'.length));
const matched = new Set<string>();

test('the iptablesdoc reference is present', () => {
  assert.ok(existsSync(DOCS), `${DOCS} not found: CI must have shared/ beside the clone`);
  assert.is(scenarios.length, 9, `expected 9 Docker 29 scenario examples, found ${scenarios.length}`);
});

const expected = (scenario: string) => listings(readFileSync(path.join(DOCS, `${scenario}.md`), 'utf8')).tables;

for (const scenario of scenarios) {
  test(`iptablesdoc ${scenario}: rendered tables equal Docker's iptables -S`, () => {
    const r = buildExample(`iptablesdoc-${scenario}`);
    const v4 = r.topology && iptablesRules(r.topology.firewall).v4;
    assert.ok(v4, 'no IPv4 ruleset');
    const tables = expected(scenario);
    assert.ok(tables.size >= 2, 'the document has fewer than two table listings');
    for (const [table, lines] of tables) {
      const got = renderIptablesS(v4, table).trimEnd().split('\n');
      assert.equal(got, lines, `${scenario}: table ${table}`);
    }
    matched.add(scenario);
  });
}

const why = netnsUnavailable(['iptables-restore', 'iptables']);
if (why) {
  test(`iptablesdoc kernel listings: SKIPPED (${why})`, () => console.log(`iptablesdoc kernel listings skipped: ${why}`));
} else {
  for (const scenario of scenarios) {
    test(`iptablesdoc ${scenario}: iptables.rules loaded in a kernel lists as Docker's`, async () => {
      const files = buildExample(`iptablesdoc-${scenario}`).files!;
      const rules = [...files].find(([k]) => k.endsWith('/iptables.rules'))![1];
      await withNetns((ns) => {
        ns.check('iptables-restore', [], rules);
        for (const [table, lines] of expected(scenario)) {
          const got = ns.check('iptables', ['-S', '-t', table as TableName]).trimEnd().split('\n');
          assert.equal(got, lines, `${scenario}: kernel table ${table}`);
        }
      });
    });
  }
}

test('report', () => {
  console.log(`${matched.size}/8 iptablesdoc scenarios reproduced from YAML examples`);
});

test.run();
