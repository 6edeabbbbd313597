// The iptables applier in a kernel, next to other tools: a namespace holding a real ufw ruleset
// (INPUT and FORWARD DROP), kube-proxy's chains and jumps in filter and nat, a fail2ban chain and a
// user rule in DOCKER-USER. netform's rules go in, change, drift and go away; after every step the
// other tools' part is byte-identical, a second plan is empty, and after the last step the whole
// ruleset is what it was before netform came.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FirewallPlan, LiveFirewall } from '../../src/apply/firewall/applier.ts';
import { iptablesApplier } from '../../src/apply/firewall/iptables/index.ts';
import { nodeSystem } from '../../src/apply/system-node.ts';
import type { Desired } from '../../src/apply/index.ts';
import { testOrSkip } from '../support/skip.ts';
import { netnsUnavailable, withNetns, type Netns } from '../support/netns.ts';
import { desiredOf, foreignPart, kubeProxySync, loadForeign, saved } from './support.ts';

const TOOLS = ['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'nft'];
const why = netnsUnavailable(TOOLS);

const target = { host: 'local', prefix: 'unused-' };
const ctx = { forwardingWasOn: { 4: false, 6: false } } as const;

function live(ns: Netns): LiveFirewall {
  return { backend: 'iptables', text: { '4': ns.check('iptables-save', ['-c']), '6': ns.check('ip6tables-save', ['-c']) } };
}

/** Plans `desired` against the namespace and commits every transaction; the plan. */
function converge(ns: Netns, desired: Desired | undefined, last: unknown): FirewallPlan {
  const p = iptablesApplier.plan(desired?.firewall, live(ns), last, ctx);
  const system = nodeSystem(ns.name);
  for (const t of p.transactions) {
    const e = iptablesApplier.commit(system, t);
    assert.is(e, undefined, `${t.name}: ${e}\n${t.input}`);
  }
  return p;
}

const foreign = (ns: Netns, builds: readonly (Desired | undefined)[]) => [4, 6].map((f) => foreignPart(saved(ns, f as 4 | 6), builds, f as 4 | 6)).join('\n');

testOrSkip(why, 'first apply, second plan empty, foreign part byte-identical, DOCKER-USER kept', () =>
  withNetns((ns) => {
    loadForeign(ns);
    const before = foreign(ns, []);
    const v1 = desiredOf('v1', target);
    const p = converge(ns, v1, undefined);
    assert.ok(p.transactions.every((t) => !/^:(INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) /m.test(t.input)), 'no built-in chain declared');
    const filter = (family: 4 | 6) => /^\*filter\n[\s\S]*?^COMMIT$/m.exec(p.transactions.find((t) => t.family === family && t.tables)!.input)![0];
    assert.not.match(filter(4), /^:DOCKER-USER /m, 'DOCKER-USER exists in ip filter: never declared (which would flush it)');
    assert.match(filter(6), /^:DOCKER-USER /m, 'ip6 filter has none: made');
    assert.equal(p.transactions.map((t) => t.name), ['ip raw,filter,nat', 'ip6 filter,nat'], 'one restore per family, one block per table');
    assert.is(foreign(ns, [v1]), before);
    assert.match(saved(ns, 4), /^-A DOCKER-USER -s 198\.51\.100\.0\/24 -j DROP$/m);
    const forward = saved(ns, 4).split('\n').filter((l) => l.startsWith('-A FORWARD '));
    assert.equal(forward.slice(0, 2), ['-A FORWARD -j DOCKER-USER', '-A FORWARD -j DOCKER-FORWARD'], 'Docker inserts its jumps at the head');
    const again = iptablesApplier.plan(v1.firewall, live(ns), p.after, ctx);
    assert.equal(again.transactions, []);
    assert.equal(again.changes, []);
  }));

testOrSkip(why, 'drift is repaired and only the drift: a hand-added rule, a deleted jump after a kube-proxy resync', () =>
  withNetns((ns) => {
    loadForeign(ns);
    const v1 = desiredOf('v1', target);
    const p = converge(ns, v1, undefined);
    ns.check('iptables', ['-I', 'DOCKER', '-s', '192.0.2.99', '-j', 'ACCEPT']);
    ns.check('iptables', ['-D', 'FORWARD', '-j', 'DOCKER-FORWARD']);
    kubeProxySync(ns);
    const before = foreign(ns, [v1]);
    const fix = iptablesApplier.plan(v1.firewall, live(ns), p.after, ctx);
    assert.equal(fix.changes.map((c) => [c.label, c.drift]).sort(), [['chain ip filter DOCKER', true], ['rules ip filter FORWARD', true]]);
    assert.equal(fix.transactions.map((t) => t.name), ['ip filter']);
    converge(ns, v1, p.after);
    assert.is(foreign(ns, [v1]), before);
    assert.equal(iptablesApplier.plan(v1.firewall, live(ns), fix.after, ctx).transactions, []);
  }));

testOrSkip(why, 'v1 -> v2 -> v3 -> nothing: foreign part identical at every step; at the end the whole ruleset is as before', () =>
  withNetns((ns) => {
    loadForeign(ns);
    const full = [saved(ns, 4), saved(ns, 6)];
    const before = foreign(ns, []);
    let last: unknown;
    for (const v of ['v1', 'v2', 'v3']) {
      const d = desiredOf(v, target);
      last = converge(ns, d, last).after;
      assert.is(foreign(ns, [d]), before, v);
      assert.equal(iptablesApplier.plan(d.firewall, live(ns), last, ctx).transactions, [], `${v}: second plan`);
    }
    const gone = converge(ns, undefined, last);
    assert.ok(gone.changes.some((c) => c.label === 'table ip raw' && c.action === 'delete'), 'the raw table netform made goes');
    assert.is(saved(ns, 4), full[0]);
    assert.is(saved(ns, 6), full[1]);
  }));

testOrSkip(why, 'rollback of committed tables gives them back byte for byte, counters included', () =>
  withNetns((ns) => {
    loadForeign(ns);
    const v1 = desiredOf('v1', target);
    const p1 = converge(ns, v1, undefined);
    const before = live(ns);
    const p2 = iptablesApplier.plan(desiredOf('v2', target).firewall, before, p1.after, ctx);
    const system = nodeSystem(ns.name);
    const v4 = p2.transactions.find((t) => t.family === 4)!;
    assert.equal(v4.tables, ['raw', 'filter', 'nat']);
    assert.is(iptablesApplier.commit(system, v4), undefined);
    const strip0 = (t: string) => t.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    assert.is.not(strip0(ns.check('iptables-save', ['-c'])), strip0(before.text['4']!));
    assert.is(iptablesApplier.rollback(system, v4, before), undefined);
    const strip = (t: string) => t.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    assert.is(strip(ns.check('iptables-save', ['-c'])), strip(before.text['4']!));
  }));

test.run();
