// moby's iptablesdoc scenarios as netform examples (test/scenarios/iptablesdoc-*.yaml): the whole pipeline,
// from YAML to iptables.rules, must give the tables Docker 29 listed with `iptables -S` in each
// scenario document (test/iptablesdoc.kernel.test.ts loads the same rules into a kernel).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderIptablesS } from '../src/firewall/iptables/text/index.ts';
import { buildExample, exampleNames } from './support/examples.ts';
import { iptablesRules } from './support/firewall.ts';
import { iptablesdoc, iptablesdocScenarios } from './support/moby.ts';

// iptablesdoc-v28.5.2-* are the Docker 28 dumps (test/iptablesdoc-v28-examples.test.ts).
const scenarios = exampleNames().filter((n) => /^iptablesdoc-(?!v\d)/.test(n)).map((n) => n.slice('iptablesdoc-'.length));
const matched = new Set<string>();

test('there is an example per Docker 29 iptablesdoc scenario', () => {
  assert.is(scenarios.length, 9, `expected 9 Docker 29 scenario examples, found ${scenarios.length}`);
});

const expected = (scenario: string) => iptablesdoc('v29', scenario).tables;

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

test('report: every Docker 29 scenario is reproduced from its YAML example', () => {
  const all = iptablesdocScenarios('v29');
  console.log(`${matched.size}/${all.length} iptablesdoc scenarios reproduced from YAML examples`);
  assert.equal([...matched].sort(), all);
});

test.run();
