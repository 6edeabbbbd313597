// apply --try rolls back on a failing probe or without confirm and keeps a confirmed apply; concurrent
// applies wait for each other; a saved plan is refused once the host changed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apply, confirm, plan } from '../../src/apply/index.ts';
import { testOrSkip } from '../support/skip.ts';
import { ok, why } from './rollback-steps.ts';
import { dropHost, makeHost, snapshot } from './sandbox.ts';

testOrSkip(why, 'apply --try rolls back on a failing probe and without confirm; keeps a confirmed apply; applies wait for each other; a stale plan is refused', async () => {
  const h = await makeHost(['v1', 'v2']);
  try {
    await ok(h, 'v1');
    const s1 = snapshot(h);
    const ns = `${h.target.prefix}cache`;
    const failed = await apply({ desired: h.desired('v2'), target: h.target, stateDir: h.stateDir, try: { seconds: 30, probes: [`ip netns exec ${ns} false`] } });
    assert.equal(failed.tried?.confirmed, false);
    assert.match(failed.tried!.reason!, /probe failed/);
    assert.equal(snapshot(h), s1, 'failing probe: rolled back');
    const timedOut = await apply({ desired: h.desired('v2'), target: h.target, stateDir: h.stateDir, try: { seconds: 1, probes: [`ip netns exec ${ns} true`] } });
    assert.equal(timedOut.tried?.confirmed, false);
    assert.equal(snapshot(h), s1, 'no confirm: rolled back');

    const tried = apply({ desired: h.desired('v2'), target: h.target, stateDir: h.stateDir, try: { seconds: 60, probes: [`ip netns exec ${ns} true`] } });
    let confirmed = false;
    for (let i = 0; i < 600 && !confirmed; i++) {
      await sleep(50);
      try {
        confirm({ target: h.target, stateDir: h.stateDir });
        confirmed = true;
      } catch {
        // not waiting yet
      }
    }
    assert.equal((await tried).tried, { confirmed: true });
    const s2 = snapshot(h);
    assert.not.equal(s2, s1);

    // Two applies at once: the second waits for the first, then finds nothing to do. The first holds
    // the host's lock from another process (flock on the state directory's lock file, as a netform
    // apply in another process does) for a second after it finished, so that the second one really
    // starts while the lock is taken, however fast the first apply is.
    const a = await apply({ desired: h.desired('v1'), target: h.target, stateDir: h.stateDir });
    assert.is(a.error, undefined);
    assert.ok(a.plan.summary.destroy > 0);
    const holder = spawn('flock', ['-x', path.join(h.stateDir, 'lock'), 'sh', '-c', 'echo locked; sleep 1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout.on('data', () => resolve()));
    const waited: string[] = [];
    const started = Date.now();
    const b = await apply({ desired: h.desired('v1'), target: h.target, stateDir: h.stateDir, log: (l) => waited.push(l) });
    assert.is(b.error, undefined);
    assert.ok(waited.some((l) => /waiting for/.test(l)), `the second apply waited: ${waited.join(' | ')}`);
    assert.ok(Date.now() - started >= 500, 'the second apply went on only once the lock was free');
    assert.equal(b.plan.summary, { add: 0, change: 0, destroy: 0 });
    assert.equal(snapshot(h), s1);

    // A saved plan is refused once the host changed, and applies while it has not.
    const saved = await plan({ desired: h.desired('v2'), target: h.target, stateDir: h.stateDir });
    h.runner.check('iptables', ['-I', 'DOCKER', '-s', '192.0.2.99', '-j', 'ACCEPT']);
    try {
      await apply({ target: h.target, stateDir: h.stateDir, saved });
      assert.unreachable('stale plan');
    } catch (e) {
      assert.match((e as Error).message, /stale plan/);
    }
    h.runner.check('iptables', ['-D', 'DOCKER', '-s', '192.0.2.99', '-j', 'ACCEPT']);
    const fresh = await apply({ target: h.target, stateDir: h.stateDir, saved });
    assert.is(fresh.error, undefined);
    await ok(h, undefined);
  } finally {
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();

