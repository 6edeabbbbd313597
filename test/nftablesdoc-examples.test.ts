// moby's nftablesdoc scenarios (Docker 29: integration/network/bridge/nftablesdoc, a real dockerd with
// --firewall-backend=nftables per scenario) as netform examples (examples/nftablesdoc-*.yaml): the whole
// pipeline must give the `ip docker-bridges` table the document lists (`nft -s list table`, kept in
// test/fixtures/moby/nftablesdoc/v29/<scenario>/table.nft), and every chain or map the document shows
// again (excerpt-<n>.nft) must be in it. Where a kernel is available, nftables.rules is loaded into a
// scratch namespace and listed back; the listing must be the document's once `priority -100` on the nat
// output hook is read as the `dstnat` newer nft prints (the documents were made that way too).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listTable } from '../src/firewall/nftables/text/index.ts';
import { buildExample, exampleNames, REPO } from './support/examples.ts';
import { netnsUnavailable, withNetns } from './support/netns.ts';

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

const why = netnsUnavailable(['nft']);
if (why) {
  test(`nftablesdoc kernel listings: SKIPPED (${why})`, () => console.log(`nftablesdoc kernel listings skipped: ${why}`));
} else {
  for (const scenario of scenarios) {
    test(`nftablesdoc ${scenario}: nftables.rules loaded in a kernel lists as Docker's`, async () => {
      const rules = buildExample(`nftablesdoc-${scenario}`).files!.get('local/nftables.rules')!;
      await withNetns((ns) => {
        ns.check('nft', ['-f', '-'], rules);
        const listed = ns.check('nft', ['-s', 'list', 'table', 'ip', 'docker-bridges']);
        assert.fixture(listed.replace('type nat hook output priority -100;', 'type nat hook output priority dstnat;'), doc(scenario, 'table.nft'));
      });
    });
  }
}

test('report', () => {
  console.log(`${matched.size}/${documented.length} nftablesdoc scenarios reproduced from YAML examples`);
});

test.run();
