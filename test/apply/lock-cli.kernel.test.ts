// plan and apply with the lock beside the input (docs/lock.md): plan writes it once the plan is made;
// apply writes it before it changes the host and puts it back when the apply fails; --frozen-lock
// refuses a lock that is out of date and writes nothing; with the lock, a network inserted at the top of
// the file and a container in the middle change nothing that is already applied. In a scratch host
// namespace.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/main.ts';
import { delNetns, netnsWithPrefix } from '../e2e/harness/namespaces.ts';
import { testOrSkip } from '../support/skip.ts';
import { netnsUnavailable, withNetns } from '../support/netns.ts';
import { desiredOf, FIXTURES } from './support.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save']);

/** A prefix of this test's own for the namespaces netform makes (the scratch host's random part). */
const prefixOf = (host: string): string => `nfl${host.slice(-8)}-`;

/** Whatever a failed test left behind: the namespaces with the prefix and their /etc/netns files. */
function cleanUp(prefix: string): void {
  for (const n of netnsWithPrefix(prefix)) {
    delNetns(n);
    rmSync(path.join('/etc/netns', n), { recursive: true, force: true });
  }
}

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
      const prefix = prefixOf(ns.name);
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
      cleanUp(prefixOf(ns.name));
      rmSync(dir, { recursive: true, force: true });
    }
  }),
);

interface JsonChange {
  readonly kind: string;
  readonly label: string;
  readonly action: string;
  readonly details: readonly string[];
}

/** What a plan would do to what is already there: anything but creating or adding lines. */
const touchesExisting = (changes: readonly JsonChange[]): string[] =>
  changes.filter((c) => c.action === 'delete' || (c.action !== 'create' && c.details.some((d) => /^\s*-/.test(d)))).map((c) => `${c.action} ${c.label}: ${c.details.join(' | ')}`);

testOrSkip(why, 'with the lock, a network inserted at the top and a container in the middle change no applied allocation', () =>
  withNetns(async (ns) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nfapply-lock-'));
    try {
      const site = path.join(dir, 'site.yaml');
      const v1 = readFileSync(path.join(FIXTURES, 'v1.yaml'), 'utf8');
      writeFileSync(site, v1);
      const env = { NETFORM_HOST_NETNS: ns.name, NETFORM_NETNS_PREFIX: prefixOf(ns.name) };
      const state = ['--state-dir', path.join(dir, 'state')];
      const first = await cli(['apply', site, ...state], env);
      assert.is(first.code, 0, first.out + first.err);

      const edited = v1
        .replace('networks:\n  front:', 'networks:\n  aaa: {}\n  front:')
        .replace('  client:\n', '  mid:\n    image: alpine\n    networks: [front, aaa]\n  client:\n');
      assert.is.not(edited, v1);
      writeFileSync(site, edited);
      const plan = await cli(['plan', site, '--json', ...state], env);
      assert.is(plan.code, 0, plan.err);
      const changes = (JSON.parse(plan.out) as { changes: JsonChange[] }).changes;
      assert.ok(changes.some((c) => c.action === 'create' && /mid/.test(c.label)), 'the new container is planned');
      assert.equal(touchesExisting(changes), [], 'nothing applied changes');

      // The same edit without the lock renumbers (Docker's creation order): client moves.
      const unlocked = await cli(['plan', site, '--json', '--no-lock', ...state], env);
      assert.is(unlocked.code, 0, unlocked.err);
      const moved = touchesExisting((JSON.parse(unlocked.out) as { changes: JsonChange[] }).changes);
      assert.ok(moved.some((c) => /client/.test(c)), `without the lock an allocation of client changes: ${moved.join('; ')}`);
      const gone = await cli(['destroy', ...state], env);
      assert.is(gone.code, 0, gone.out + gone.err);
    } finally {
      cleanUp(prefixOf(ns.name));
      rmSync(dir, { recursive: true, force: true });
    }
  }),
);

test.run();
