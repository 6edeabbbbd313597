// The nftables applier with the iptables rules an nftables build keeps beside Docker's tables
// (netform's NETFORM-SWARM chain, `iptables: false` in swarm mode: test/fixtures/apply/nft-swarm.yaml),
// driven through its own interface in a scratch namespace: the nft tables go in one `nft -f`, the
// chain through iptables-restore, a second plan finds nothing to do, and when iptables refuses its
// part after the nft transaction was committed, both are rolled back: the namespace's nft ruleset
// and iptables-save are byte for byte as before.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execute } from '../../src/apply/execute.ts';
import type { LiveFirewall } from '../../src/apply/firewall/applier.ts';
import { nftablesApplier } from '../../src/apply/firewall/nftables/index.ts';
import { nodeSystem, type System } from '../../src/apply/index.ts';
import { StateDir } from '../../src/apply/journal.ts';
import type { Step } from '../../src/apply/plan-types.ts';
import { readLive } from '../../src/apply/read.ts';
import { compile } from '../../src/compile.ts';
import type { NftablesRules } from '../../src/firewall/backend.ts';
import { testOrSkip } from '../support/skip.ts';
import { netnsUnavailable, withNetns, type Netns } from '../support/netns.ts';
import { FIXTURES } from './support.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'nft']);

function swarmRules(): NftablesRules {
  const file = path.join(FIXTURES, 'nft-swarm.yaml');
  const r = compile({ file, text: readFileSync(file, 'utf8') }, undefined, { files: false });
  return r.topologies![0]!.firewall as NftablesRules;
}

const context = { forwardingWasOn: { 4: true, 6: true } } as const;

async function readFirewall(system: System, desired: NftablesRules | undefined, last: unknown): Promise<LiveFirewall> {
  const commands = nftablesApplier.readCommands(desired, last);
  return (await readLive(system, { sysctls: [], files: [], interiors: [], firewall: { applier: nftablesApplier, commands } })).firewall;
}

const state = (ns: Netns) => `${ns.check('nft', ['list', 'ruleset'])}\n${ns.check('iptables-save').replace(/^#.*\n/gm, '')}`;

/** Plans and runs `desired` as apply would (each transaction a step); returns the error and what to record. */
async function applyRules(system: System, dir: string, desired: NftablesRules | undefined, last: unknown): Promise<{ error?: string; after: unknown; kinds: string[] }> {
  const before = await readFirewall(system, desired, last);
  const p = nftablesApplier.plan(desired, before, last, context);
  const steps: Step[] = p.transactions.map((t) => ({ kind: 'firewall', label: `firewall ${t.name}`, part: 'firewall', transaction: t }));
  const run = await execute(system, new StateDir(system, dir), nftablesApplier, { host: 'local', prefix: 't-' }, steps, before, undefined, 1);
  return { ...(run.error ? { error: run.error } : {}), after: p.after, kinds: p.transactions.map((t) => t.tool ?? 'iptables-restore') };
}

testOrSkip(why, 'nftables: the iptables rules kept beside the tables are applied, found unchanged, and rolled back with them', () =>
  withNetns(async (ns) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nfapply-kept-'));
    try {
      const rules = swarmRules();
      assert.ok(rules.iptables?.v4, 'the build keeps NETFORM-SWARM in iptables');
      const system = nodeSystem(ns.name);
      ns.check('nft', ['add', 'table', 'inet', 'mine']);
      const empty = state(ns);

      // iptables refuses its part (a DNAT in filter) after the nft transaction was committed.
      const refusing: System = {
        ...system,
        run: (argv, o) => system.run(argv, argv[0] === 'iptables-restore' ? { ...o, input: (o.input ?? '').replace(/^COMMIT$/m, '-A INPUT -j DNAT --to-destination 10.0.0.1\nCOMMIT') } : o),
      };
      const failed = await applyRules(refusing, dir, rules, undefined);
      assert.equal(failed.kinds, ['nft-load', 'iptables-restore'], 'the nft tables first, then the iptables chain');
      assert.match(failed.error ?? '', /iptables-restore/);
      assert.is(state(ns), empty, 'both rolled back: nft ruleset and iptables-save as before');

      const done = await applyRules(system, dir, rules, undefined);
      assert.is(done.error, undefined);
      assert.match(ns.check('iptables-save'), /^-A INPUT -j NETFORM-SWARM$/m);
      assert.match(ns.check('nft', ['list', 'tables']), /^table ip6 docker-bridges$/m);
      const again = nftablesApplier.plan(rules, await readFirewall(system, rules, done.after), done.after, context);
      assert.equal([again.changes, again.transactions], [[], []], 'a second plan has nothing to do');

      const gone = await applyRules(system, dir, undefined, done.after);
      assert.is(gone.error, undefined);
      assert.is(state(ns), empty, 'destroy: what was there before, and nothing of netform\'s');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }),
);

test.run();
