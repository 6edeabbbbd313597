// The library API (package.json "exports" -> dist/index.js and dist/types): the runnable example of
// docs/library.md gives the files a build writes, and a TypeScript caller type-checks against the
// published declarations. Both use the built package, as a caller would (npm ci builds it).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('the package is built (npm ci runs prepare)', () => {
  for (const f of ['dist/index.js', 'dist/types/index.d.ts']) assert.ok(existsSync(path.join(root, f)), `${f} is missing: run npm run build`);
});

test('examples/library/compile.mjs lists every file of the golden build, with its length', () => {
  const out = execFileSync(process.execPath, ['examples/library/compile.mjs', 'examples/my-net.yaml'], { cwd: root, encoding: 'utf8' });
  const lines = out.trimEnd().split('\n');
  assert.is(lines[0], 'host local: 2 bridges, 1 containers, firewall backend iptables');
  for (const line of lines.slice(1)) {
    const [rel, length] = line.split(' ') as [string, string];
    const golden = readFileSync(path.join(root, 'golden', 'my-net', rel), 'utf8');
    assert.is(Number(length), golden.length, rel);
  }
  assert.is(lines.length - 1, 7);
});

test('a TypeScript caller type-checks against dist/types', () => {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  // Incremental: tsc keeps what it learnt of each file (by content hash, with its errors) and checks again
  // only what changed since the last run, reporting the errors it kept too; a full check of the standard
  // library's declarations costs seconds of CPU on every run otherwise.
  const buildInfo = path.join(root, 'node_modules', '.cache', 'netform', 'library-consumer.tsbuildinfo');
  execFileSync(process.execPath, [tsc, '-p', 'test/fixtures/library-consumer', '--incremental', '--tsBuildInfoFile', buildInfo], { cwd: root, encoding: 'utf8' });
});

test.run();
