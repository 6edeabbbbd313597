// plan and apply with the lock beside the input (docs/lock.md): plan writes it once the plan is made;
// apply writes it before it changes the host and puts it back when the apply fails; --frozen-lock
// refuses a lock that is out of date and writes nothing. In a scratch host namespace.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/main.ts';
import { testOrSkip } from '../support/skip.ts';
import { netnsUnavailable, withNetns } from '../support/netns.ts';
import { desiredOf, FIXTURES } from './support.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save']);

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s), env: { ...process.env, ...env } });
  return { code, out, err };
}

testOrSkip(why, 'plan writes the lock; a failed apply puts it back; --frozen-lock writes nothing', () =>
  withNetns(async (ns) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nfapply-lock-'));
    try {
      const site = path.join(dir, 'site.yaml');
      const lock = path.join(dir, 'site.lock');
      copyFileSync(path.join(FIXTURES, 'v1.yaml'), site);
      const prefix = `${ns.name.slice(0, 8)}-`;
      const env = { NETFORM_HOST_NETNS: ns.name, NETFORM_NETNS_PREFIX: prefix };
      const state = ['--state-dir', path.join(dir, 'state')];

      const frozen = await cli(['plan', site, '--frozen-lock', '--detailed-exitcode', ...state], env);
      assert.is(frozen.code, 1, frozen.out + frozen.err);
      assert.not.ok(existsSync(lock), '--frozen-lock writes no lock');

      const planned = await cli(['plan', site, '--json', '--detailed-exitcode', ...state], env);
      assert.is(planned.code, 2, planned.err);
      assert.is((JSON.parse(planned.out) as { format_version: number }).format_version, 1, 'stdout stays JSON');
      assert.match(planned.err, /site\.lock: \d+ allocations added/);
      const written = readFileSync(lock, 'utf8');
      assert.ok(written.length > 0);

      // Something in the way (a link with the name of a bridge netform would make): apply refuses,
      // and the lock is what it was before this apply (here: none).
      rmSync(lock);
      const bridge = desiredOf('v1', { host: 'local', hostNetns: ns.name, prefix }).network.links.find((l) => l.kind === 'bridge')!.name;
      ns.check('ip', ['link', 'add', bridge, 'type', 'veth', 'peer', 'name', 'nflockpeer']);
      const refused = await cli(['apply', site, ...state], env);
      assert.is(refused.code, 1, refused.out + refused.err);
      assert.match(refused.err, /site\.lock: \d+ allocations added/, 'the lock was written before the host was to change');
      assert.not.ok(existsSync(lock), 'and taken back when the apply failed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }),
);

test.run();
