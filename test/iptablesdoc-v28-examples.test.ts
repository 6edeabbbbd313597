// moby's iptablesdoc scenarios as Docker 28.5.2 generated them (../shared/reference/moby/iptablesdoc/
// v28.5.2/<scenario>.md, captured with `iptables -nvL` and `iptables -S`), compiled from
// examples/iptablesdoc-v28.5.2-<scenario>.yaml with `engine: "28"`: every table's `iptables -S` block
// must equal netform's rendering, and so must the `iptables -S DOCKER` excerpts some documents show.
// Where a kernel is available, iptables.rules is also loaded into a scratch namespace and listed.
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

const DOCS = path.resolve(REPO, '../shared/reference/moby/iptablesdoc/v28.5.2');
const PREFIX = 'iptablesdoc-v28.5.2-';
const scenarios = exampleNames().filter((n) => n.startsWith(PREFIX)).map((n) => n.slice(PREFIX.length));
/** The document set has nine scenarios; swarm-portmap needs swarm mode, which netform does not model. */
const ALL = 9;
const matched = new Set<string>();

const doc = (scenario: string) => listings(readFileSync(path.join(DOCS, `${scenario}.md`), 'utf8'));

test('the v28.5.2 iptablesdoc reference is present, with an example per reproducible scenario', () => {
  assert.ok(existsSync(DOCS), `${DOCS} not found: CI must have shared/ beside the clone`);
  assert.is(scenarios.length, 9, `expected 9 Docker 28 scenario examples, found ${scenarios.length}`);
  for (const s of scenarios) assert.ok(existsSync(path.join(DOCS, `${s}.md`)), `no v28.5.2/${s}.md`);
});

for (const scenario of scenarios) {
  test(`iptablesdoc v28.5.2 ${scenario}: rendered tables equal Docker 28's iptables -S`, () => {
    const r = buildExample(`${PREFIX}${scenario}`);
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    assert.is(r.model?.engine, '28');
    const v4 = r.topology && iptablesRules(r.topology.firewall).v4;
    assert.ok(v4, 'no IPv4 ruleset');
    const { tables, excerpts } = doc(scenario);
    assert.ok(tables.has('filter') && tables.has('nat'), 'the document lacks a filter or nat listing');
    for (const [table, lines] of tables) {
      assert.equal(renderIptablesS(v4, table).trimEnd().split('\n'), lines, `${scenario}: table ${table}`);
    }
    // `iptables -S <chain>` excerpts (filter table): the chain's -N line and its rules.
    const filter = renderIptablesS(v4, 'filter').trimEnd().split('\n');
    for (const ex of excerpts) {
      const chain = ex[0]!.replace(/^-N /, '');
      assert.equal(filter.filter((l) => l === `-N ${chain}` || l.startsWith(`-A ${chain} `)), ex, `${scenario}: iptables -S ${chain}`);
    }
    matched.add(scenario);
  });
}

const why = netnsUnavailable(['iptables-restore', 'iptables']);
if (why) {
  test(`iptablesdoc v28.5.2 kernel listings: SKIPPED (${why})`, () => console.log(`iptablesdoc v28.5.2 kernel listings skipped: ${why}`));
} else {
  for (const scenario of scenarios) {
    test(`iptablesdoc v28.5.2 ${scenario}: iptables.rules loaded in a kernel lists as Docker 28's`, async () => {
      const files = buildExample(`${PREFIX}${scenario}`).files!;
      const rules = [...files].find(([k]) => k.endsWith('/iptables.rules'))![1];
      await withNetns((ns) => {
        ns.check('iptables-restore', [], rules);
        for (const [table, lines] of doc(scenario).tables) {
          const got = ns.check('iptables', ['-S', '-t', table as TableName]).trimEnd().split('\n');
          assert.equal(got, lines, `${scenario}: kernel table ${table}`);
        }
      });
    });
  }
}

test('report', () => {
  console.log(`${matched.size}/${ALL} iptablesdoc v28.5.2 scenarios reproduced from YAML examples (swarm-portmap needs swarm mode)`);
});

test.run();
