// netform's rules in built-in chains: kept once each, in the build's order, among other tools' rules
// whose order is never changed; the first one of a chain goes where dockerd puts it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planAnchors, type AnchorMode } from '../../src/apply/firewall/iptables/anchors.ts';

const ours = (s: string) => s.startsWith('-j DOCKER') || s.includes('MASQUERADE');
const head = (): AnchorMode => 'head';
const tail = (): AnchorMode => 'tail';

/** The chain after the edit, simulated as iptables-restore runs it. */
function applyEdit(live: string[], edit: ReturnType<typeof planAnchors>): string[] {
  if (!edit) return live;
  const out = [...live];
  for (const d of edit.deletes) out.splice(out.indexOf(d), 1);
  for (const i of edit.inserts) {
    if (i.at === 'append') out.push(i.spec);
    else out.splice(i.at - 1, 0, i.spec);
  }
  return out;
}

test('nothing to do when netform rules are there once, in order, wherever the other rules are', () => {
  const live = ['-j ufw-before', '-j DOCKER-USER', '-j KUBE', '-j DOCKER-FORWARD', '-j ufw-after'];
  assert.is(planAnchors(live, ours, ['-j DOCKER-USER', '-j DOCKER-FORWARD'], head), undefined);
});

test('first apply: inserted at the head in the build order, foreign rules keep their order', () => {
  const live = ['-j KUBE-FORWARD', '-j ufw-before-forward'];
  const edit = planAnchors(live, ours, ['-j DOCKER-USER', '-j DOCKER-FORWARD'], head)!;
  assert.equal(edit.deletes, []);
  assert.equal(applyEdit(live, edit), ['-j DOCKER-USER', '-j DOCKER-FORWARD', '-j KUBE-FORWARD', '-j ufw-before-forward']);
});

test('appended rules go to the end (nat PREROUTING -> DOCKER after kube-proxy)', () => {
  const live = ['-j KUBE-SERVICES'];
  const edit = planAnchors(live, ours, ['-j DOCKER'], tail)!;
  assert.equal(edit.inserts, [{ spec: '-j DOCKER', at: 'append' }]);
});

test('a new rule goes right after the one of netform that precedes it', () => {
  const live = ['-s 10.1/16 -j MASQUERADE', '-j KUBE-POSTROUTING', '-s 10.2/16 -j MASQUERADE'];
  const want = ['-s 10.1/16 -j MASQUERADE', '-s 10.3/16 -j MASQUERADE', '-s 10.2/16 -j MASQUERADE'];
  const edit = planAnchors(live, ours, want, head)!;
  assert.equal(edit.deletes, []);
  assert.equal(applyEdit(live, edit), ['-s 10.1/16 -j MASQUERADE', '-s 10.3/16 -j MASQUERADE', '-j KUBE-POSTROUTING', '-s 10.2/16 -j MASQUERADE']);
});

test('a new first rule goes right before the next one of netform', () => {
  const live = ['-j KUBE-POSTROUTING', '-s 10.2/16 -j MASQUERADE'];
  const edit = planAnchors(live, ours, ['-s 10.3/16 -j MASQUERADE', '-s 10.2/16 -j MASQUERADE'], head)!;
  assert.equal(applyEdit(live, edit), ['-j KUBE-POSTROUTING', '-s 10.3/16 -j MASQUERADE', '-s 10.2/16 -j MASQUERADE']);
});

test('duplicates: every copy deleted (each -D a precondition), one inserted back in place', () => {
  const live = ['-j DOCKER-USER', '-j DOCKER-FORWARD', '-j KUBE', '-j DOCKER-FORWARD'];
  const edit = planAnchors(live, ours, ['-j DOCKER-USER', '-j DOCKER-FORWARD'], head)!;
  assert.equal(edit.deletes, ['-j DOCKER-FORWARD', '-j DOCKER-FORWARD']);
  assert.equal(applyEdit(live, edit), ['-j DOCKER-USER', '-j DOCKER-FORWARD', '-j KUBE']);
});

test('out of order: the fewest rules move', () => {
  const live = ['-j DOCKER-FORWARD', '-j KUBE', '-j DOCKER-USER'];
  const edit = planAnchors(live, ours, ['-j DOCKER-USER', '-j DOCKER-FORWARD'], head)!;
  assert.is(edit.deletes.length, 1);
  const after = applyEdit(live, edit);
  assert.equal(after.filter(ours), ['-j DOCKER-USER', '-j DOCKER-FORWARD']);
  assert.equal(after.filter((s) => !ours(s)), ['-j KUBE']);
});

test('rules no longer wanted are deleted; nothing wanted leaves only the foreign rules', () => {
  const live = ['-j DOCKER-USER', '-j KUBE', '-j DOCKER-FORWARD'];
  const edit = planAnchors(live, ours, [], head)!;
  assert.equal(edit.inserts, []);
  assert.equal(applyEdit(live, edit), ['-j KUBE']);
});

test.run();
