// moby's iptablesdoc scenarios as Docker 28.5.2 generated them (test/fixtures/moby/iptablesdoc/
// v28.5.2/<scenario>/, the `iptables -S` listings of the documents), compiled from
// test/scenarios/iptablesdoc-v28.5.2-<scenario>.yaml with `engine: "28"`: every table's `iptables -S` block
// must equal netform's rendering, and so must the `iptables -S DOCKER` excerpts some documents show.
// test/iptablesdoc.kernel.test.ts loads the same rules into a kernel.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderIptablesS } from '../src/firewall/iptables/text/index.ts';
import { buildExample, exampleNames } from './support/examples.ts';
import { iptablesRules } from './support/firewall.ts';
import { iptablesdoc, iptablesdocScenarios } from './support/moby.ts';

const PREFIX = 'iptablesdoc-v28.5.2-';
const scenarios = exampleNames().filter((n) => n.startsWith(PREFIX)).map((n) => n.slice(PREFIX.length));
const matched = new Set<string>();

const doc = (scenario: string) => iptablesdoc('v28.5.2', scenario);

test('the v28.5.2 iptablesdoc reference is present, with an example per reproducible scenario', () => {
  assert.is(scenarios.length, 9, `expected 9 Docker 28 scenario examples, found ${scenarios.length}`);
  assert.equal([...scenarios].sort(), iptablesdocScenarios('v28.5.2'));
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

test('report: every Docker 28.5.2 scenario is reproduced from its YAML example', () => {
  const all = iptablesdocScenarios('v28.5.2');
  console.log(`${matched.size}/${all.length} iptablesdoc v28.5.2 scenarios reproduced from YAML examples`);
  assert.equal([...matched].sort(), all);
});

test.run();
