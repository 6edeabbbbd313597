// Same input, same bytes, whatever the process: every example is built in two fresh node processes,
// one taking the examples in order and one in reverse, and in this one; every output file must be the
// same in all three (compared by sha256). test/examples-golden.test.ts checks a second build in the
// same process, and the goldens themselves.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildExample, exampleNames, REPO } from './support/examples.ts';

type Digests = Record<string, Record<string, string>>;

async function buildInFreshProcess(order: 'forward' | 'reverse'): Promise<Digests> {
  const script = path.join(REPO, 'test', 'support', 'build-all.ts');
  const args = ['--import', 'tsx', script, ...(order === 'reverse' ? ['reverse'] : [])];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: REPO, maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as Digests;
}

/** Files whose digests differ between a and b, or that only one of them has. */
function differences(a: Digests, b: Digests): string[] {
  const out: string[] = [];
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const fa = a[name] ?? {};
    const fb = b[name] ?? {};
    for (const f of new Set([...Object.keys(fa), ...Object.keys(fb)])) if (fa[f] !== fb[f]) out.push(`${name}: ${f}`);
  }
  return out.sort();
}

test('every example gives the same bytes in two fresh processes (both orders) and in this one', async () => {
  const [forward, reverse] = await Promise.all([buildInFreshProcess('forward'), buildInFreshProcess('reverse')]);
  const here: Digests = {};
  for (const name of exampleNames()) {
    const files = buildExample(name).files!;
    here[name] = Object.fromEntries([...files].map(([k, v]) => [k, createHash('sha256').update(v).digest('hex')]));
  }
  assert.equal(Object.keys(forward).sort(), exampleNames(), 'every example was built');
  const fileCount = Object.values(forward).reduce((n, files) => n + Object.keys(files).length, 0);
  assert.ok(fileCount > exampleNames().length * 4, `only ${fileCount} files built`);
  assert.equal(differences(forward, reverse), [], 'files that differ between the two fresh processes');
  assert.equal(differences(forward, here), [], 'files that differ between a fresh process and this one');
});

test.run();
