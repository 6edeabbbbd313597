// The command line with encrypted overlays: keys come only from --secrets FILE, land only in
// <host>/xfrm-states.secret (mode 0600), and never in a golden directory; validate needs no keys.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli/main.ts';
import { REPO, TEST_KEYS_FILE } from './support/examples.ts';

const EXAMPLE = path.join(REPO, 'examples', 'article-drivers.yaml');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'netform-cli-secrets-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('build --secrets: the SAs go to xfrm-states.secret, mode 0600, and nowhere else', withDir(async (dir) => {
  const out = path.join(dir, 'out');
  const r = await run('build', EXAMPLE, '-o', out, '--secrets', TEST_KEYS_FILE);
  assert.is(r.code, 0, r.err);
  for (const host of ['manager1', 'worker1']) {
    const secret = path.join(out, host, 'xfrm-states.secret');
    assert.is(statSync(secret).mode & 0o777, 0o600);
    assert.match(readFileSync(secret, 'utf8'), /^xfrm state add .* 0x000102030405060708090a0b0c0d0e0f[0-9a-f]{8} 64$/m);
    assert.match(readFileSync(path.join(out, host, 'setup.sh'), 'utf8'), /made_from xfrm-states "\$D\/xfrm-states.secret" host_ip/);
  }
  assert.not.match(r.out + r.err, /000102030405/);
}));

test('build without --secrets: an error at the encrypted option, nothing written', withDir(async (dir) => {
  const out = path.join(dir, 'out');
  const r = await run('build', EXAMPLE, '-o', out);
  assert.is(r.code, 1);
  assert.match(r.err, /article-drivers\.yaml:\d+:\d+: error: .*--secrets FILE/);
  assert.ok(!existsSync(out));
}));

test('validate needs no keys', async () => {
  const r = await run('validate', EXAMPLE);
  assert.is(r.code, 0, r.err);
});

test('a bad key file: file:line:col, and the key bytes are not quoted', withDir(async (dir) => {
  const keys = path.join(dir, 'keys.yaml');
  writeFileSync(keys, 'overlay_keys:\n  - key: 0x00010203040506070809zz0b0c0d0e0f\n    tag: 1\n');
  const r = await run('build', EXAMPLE, '-o', path.join(dir, 'out'), '--secrets', keys);
  assert.is(r.code, 1);
  assert.match(r.err, /keys\.yaml:2:\d+: error/);
  assert.not.match(r.err, /0809zz/);
}));

test('check --update never writes a *.secret file into the golden directory', withDir(async (dir) => {
  const golden = path.join(dir, 'golden');
  const r = await run('check', EXAMPLE, '--golden', golden, '--update', '--secrets', TEST_KEYS_FILE);
  assert.is(r.code, 0, r.err);
  assert.ok(existsSync(path.join(golden, 'manager1', 'setup.sh')));
  assert.ok(!existsSync(path.join(golden, 'manager1', 'xfrm-states.secret')));
  const again = await run('check', EXAMPLE, '--golden', golden, '--secrets', TEST_KEYS_FILE);
  assert.is(again.code, 0, again.out);
}));

test.run();
