// moby's nftablesdoc scenarios (Docker 29: integration/network/bridge/nftablesdoc, a real dockerd with
// --firewall-backend=nftables per scenario) as netform examples (test/scenarios/nftablesdoc-*.yaml): the
// whole pipeline must give the `ip docker-bridges` table the document lists (`nft -s list table`, kept
// in test/fixtures/moby/nftablesdoc/v29/<scenario>/table.nft), and every chain or map the document
// shows again (excerpt-<n>.nft) must be in it. test/nftablesdoc.kernel.test.ts loads the same
// nftables.rules into a kernel and lists it back.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listTable } from '../src/firewall/nftables/text/index.ts';
import { buildExample, exampleNames, REPO } from './support/examples.ts';

const DOCS = path.join(REPO, 'test', 'fixtures', 'moby', 'nftablesdoc', 'v29');
const scenarios = exampleNames().filter((n) => n.startsWith('nftablesdoc-')).map((n) => n.slice('nftablesdoc-'.length));
const documented = readdirSync(DOCS).sort();
const doc = (scenario: string, file: string): string => readFileSync(path.join(DOCS, scenario, file), 'utf8');

test('every Docker 29 nftablesdoc scenario has an example', () => {
  assert.equal(scenarios, documented);
  assert.is(documented.length, 8);
});

const matched = new Set<string>();
for (const scenario of scenarios) {
  test(`nftablesdoc ${scenario}: the rendered table equals Docker's`, () => {
    const r = buildExample(`nftablesdoc-${scenario}`);
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    const fw = r.topology!.firewall;
    assert.is(fw.backend, 'nftables');
    const table = fw.backend === 'nftables' ? fw.tables.find((t) => t.family === 4 && t.name === 'docker-bridges') : undefined;
    assert.ok(table, 'no ip docker-bridges table');
    const listing = listTable(table, { counters: false, dialect: 'current' });
    assert.fixture(listing, doc(scenario, 'table.nft'));
    for (const f of readdirSync(path.join(DOCS, scenario)).filter((x) => x.startsWith('excerpt-'))) {
      assert.ok(listing.includes(doc(scenario, f)), `${f} is not in the table`);
    }
    matched.add(scenario);
  });
}

test('report', () => {
  console.log(`${matched.size}/${documented.length} nftablesdoc scenarios reproduced from YAML examples`);
});

test.run();
