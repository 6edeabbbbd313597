// apply --only: the host of a dockerd with "iptables": false, whose links its own setup made (here the
// build's setup.sh), and netform applying only the rules, then only the files. Plans of each part see
// nothing else to do, the v1 matrix holds, and destroy removes the rules and files and leaves the links
// to their owner; teardown.sh then gives the host back as it was.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apply, plan } from '../../src/apply/index.ts';
import { compile } from '../../src/compile.ts';
import { writeBuild } from '../e2e/harness/deploy.ts';
import { run, tool } from '../e2e/harness/exec.ts';
import { testOrSkip } from '../support/skip.ts';
import { netnsUnavailable } from '../support/netns.ts';
import { FIXTURES } from './support.ts';
import { dropHost, makeHost, probe, snapshot, type ApplyHost } from './sandbox.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'nft']);

function script(h: ApplyHost, dir: string, name: 'setup.sh' | 'teardown.sh'): void {
  const env = { ...process.env, NETFORM_HOST_NETNS: h.target.hostNetns, NETFORM_NETNS_PREFIX: h.target.prefix, PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin` };
  const r = run(tool('sh'), [path.join(dir, 'local', name)], { env });
  if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
}

testOrSkip(why, '--only firewall and --only files on links made by setup.sh; destroy leaves the links to their owner', async () => {
  const h = await makeHost(['v1']);
  const work = mkdtempSync(path.join(tmpdir(), 'nfapply-only-'));
  try {
    const before = snapshot(h);
    const file = path.join(FIXTURES, 'v1.yaml');
    const built = compile({ file, text: readFileSync(file, 'utf8') });
    writeBuild(work, built.files!);
    script(h, work, 'setup.sh');
    const links = snapshot(h);
    const desired = h.desired('v1');
    const o = { desired, target: h.target, stateDir: h.stateDir };

    // The links are setup.sh's: netform refuses to take them over.
    try {
      await plan({ ...o, only: 'network' });
      assert.unreachable('--only network over links netform did not make');
    } catch (e) {
      assert.match((e as Error).message, /already exists and netform did not make it/);
    }
    const fw = await apply({ ...o, only: 'firewall' });
    assert.is(fw.error, undefined, fw.error);
    assert.ok(fw.plan.changes.length > 0 && fw.plan.changes.every((c) => c.part === 'firewall'), 'only rules');
    assert.equal(snapshot(h).links, links.links, 'no link touched');
    const files = await apply({ ...o, only: 'files' });
    assert.is(files.error, undefined, files.error);
    assert.ok(files.plan.changes.length > 0 && files.plan.changes.every((c) => c.part === 'files'));
    for (const only of ['firewall', 'files'] as const) assert.equal((await plan({ ...o, only })).plan.summary, { add: 0, change: 0, destroy: 0 }, `--only ${only}: nothing left to do`);
    assert.equal(await probe(h, 'v1'), [], 'v1 matrix with links by setup.sh, rules and files by netform');

    const gone = await apply({ target: h.target, stateDir: h.stateDir });
    assert.is(gone.error, undefined, gone.error);
    assert.ok(gone.plan.changes.every((c) => c.part !== 'network'), 'destroy removes only what netform applied: no link');
    const after = snapshot(h);
    assert.equal(after.links, links.links, 'the links are still there');
    script(h, work, 'teardown.sh');
    // teardown.sh leaves the sysctls setup.sh set (as dockerd leaves ip_forward on); all else is back.
    assert.equal({ ...snapshot(h), sysctls: '' }, { ...before, sysctls: '' }, 'after teardown.sh the host is as before');
  } finally {
    rmSync(work, { recursive: true, force: true });
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();
