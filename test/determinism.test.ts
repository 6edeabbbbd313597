// Same input, same bytes, whatever the process: every example is built in two fresh node processes,
// one taking the examples in order and one in reverse, and in this one; every output file must be the
// same in all three (compared by sha256). The fresh processes run test/support/build-all.ts bundled
// (test/support/bundle.ts): plain node, no loader, nothing shared with this process. test/examples-golden.test.ts checks a second build in the
// same process, and the goldens themselves.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleForNode } from './support/bundle.ts';
import { buildExample, exampleNames, REPO } from './support/examples.ts';
import { scratchDir } from './support/scratch.ts';

type Digests = Record<string, Record<string, string>>;

const scratch = scratchDir('netform-determinism');
test.after(() => rmSync(scratch, { recursive: true, force: true }));
const script = path.join(scratch, 'build-all.mjs');
await bundleForNode(path.join(REPO, 'test', 'support', 'build-all.ts'), script);

async function buildInFreshProcess(order: 'forward' | 'reverse'): Promise<Digests> {
  const args = [script, ...(order === 'reverse' ? ['reverse'] : [])];
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
