// The lock against every example and scenario (the inputs of every golden): a build without a lock, a
// first build that writes one, and a build that keeps what that lock holds make the same bytes, so a
// lock never changes the output of an unedited file; the lock files committed beside examples are the
// ones a first build writes.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CompileResult } from '../src/compile.ts';
import { buildExample, examples, REPO } from './support/examples.ts';

const errors = (r: CompileResult) => r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);

for (const ex of examples()) {
  test(`${ex.name}: the same output without a lock, with a new lock and with the lock it wrote`, () => {
    const lockFile = ex.file.replace(/\.yaml$/, '.lock');
    const plain = buildExample(ex.name);
    assert.equal(errors(plain), []);
    assert.ok(plain.files && plain.files.size > 0);
    const first = buildExample(ex.name, { lock: { file: lockFile } });
    assert.equal(errors(first), []);
    assert.ok(first.lock?.changed, 'a first build writes the lock');
    assert.equal(first.files, plain.files);
    const again = buildExample(ex.name, { lock: { file: lockFile, text: first.lock!.text, outOfDate: 'error' } });
    assert.equal(errors(again), []);
    assert.equal(again.files, plain.files);
    assert.is(again.lock!.text, first.lock!.text);
    assert.is(again.lock!.changed, false);
    assert.equal(again.lock!.changes, []);
    const committed = path.join(REPO, lockFile);
    if (existsSync(committed)) assert.is(readFileSync(committed, 'utf8'), first.lock!.text, `${lockFile} is what a first build writes`);
  });
}

test.run();
