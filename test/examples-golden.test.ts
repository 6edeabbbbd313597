// Every example (examples/ and test/scenarios/) builds without errors, is byte-stable, equals its
// golden directory, and its scripts parse with `sh -n`. A golden is a claim about correct output: on a
// mismatch the diff is printed and the test fails; `netform check --update` rewrites a golden after
// review.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readTree } from '../src/cli/output-dir.ts';
import { compareWithGolden, describeDifference } from '../src/golden/compare.ts';
import { buildExample, example, exampleNames, REPO } from './support/examples.ts';

const names = exampleNames();
const builds = new Map<string, ReturnType<typeof buildExample>>();
/** The first build of an example, shared by the checks below (the second-build check makes its own). */
const built = (name: string) => builds.get(name) ?? builds.set(name, buildExample(name)).get(name)!;

test('there are examples to check', () => {
  assert.ok(names.length >= 5, `only ${names.length} examples found`);
});

for (const name of names) {
  const { file, golden } = example(name);
  test(`example ${name}: builds without errors, equals ${golden}/`, () => {
    const r = built(name);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`), []);
    assert.ok(r.files, 'no files built');
    const dir = path.join(REPO, golden);
    assert.ok(existsSync(dir), `${golden}/ is missing (review the build, then: netform check ${file} --golden ${golden} --update)`);
    const diffs = compareWithGolden(readTree(dir), r.files!);
    if (diffs.length > 0) assert.unreachable(`${golden} differs:\n${diffs.map(describeDifference).join('')}`);
  });

  test(`example ${name}: same bytes on a second build in this process (test/determinism.test.ts: in others)`, () => {
    const a = built(name).files!;
    const b = buildExample(name).files!;
    assert.equal([...a.entries()], [...b.entries()]);
  });

  test(`example ${name}: setup.sh and teardown.sh pass sh -n`, () => {
    const files = built(name).files!;
    const scripts = [...files.keys()].filter((k) => k.endsWith('.sh'));
    assert.ok(scripts.length >= 2);
    for (const k of scripts) {
      const r = spawnSync('sh', ['-n'], { input: files.get(k), encoding: 'utf8' });
      assert.is(r.status, 0, `${k}: ${r.stderr}`);
    }
  });
}

test.run();
