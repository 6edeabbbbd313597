// Every golden iptables.rules / ip6tables.rules is loaded with iptables-restore into a namespace the
// test creates, then read back with iptables-save: the kernel accepts it, and the file is already in
// iptables-save's canonical form (loading and saving gives the same bytes, comment lines aside).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GOLDEN_DIRS, REPO } from './support/examples.ts';
import { netnsUnavailable, withNetns, type Netns } from './support/netns.ts';
import { testOrSkip } from './support/skip.ts';

function ruleFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = path.join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e === 'iptables.rules' || e === 'ip6tables.rules') out.push(p);
    }
  };
  for (const d of GOLDEN_DIRS) walk(d);
  return out.sort();
}

/**
 * Loads the rules, then returns iptables-save of the tables present in the file, in the file's order,
 * without comment lines.
 */
function loadAndSave(ns: Netns, v6: boolean, rules: string): string {
  const tables = [...rules.matchAll(/^\*(\w+)$/gm)].map((m) => m[1]!);
  const [, ...saved] = ns.checkAll([[v6 ? 'ip6tables-restore' : 'iptables-restore'], ...tables.map((t) => [v6 ? 'ip6tables-save' : 'iptables-save', '-t', t])], rules);
  return saved
    .join('')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
}

const files = ruleFiles();
test('golden rule files exist', () => assert.ok(files.length >= 10, `only ${files.length} rule files under golden/ and test/golden/`));

const why = netnsUnavailable(['iptables-restore', 'ip6tables-restore', 'iptables-save', 'ip6tables-save']);
for (const f of files) {
  const rel = path.relative(REPO, f);
  testOrSkip(why, `kernel loads and saves back ${rel} unchanged`, async () => {
    const rules = readFileSync(f, 'utf8');
    const v6 = f.endsWith('ip6tables.rules');
    await withNetns((ns) => assert.fixture(loadAndSave(ns, v6, rules), rules));
  });
}

test.run();
