// A real plan's expectations: apply a file with `expect:` to a namespace host, edit the published port,
// and `netform plan --json` lists exactly the entries whose traced verdict the edit changes, traced
// through the build the apply kept in the state directory (topology.json, 0600) and the edited one;
// `plan` of the applied file lists none; destroy removes the kept build.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/main.ts';
import { testOrSkip } from '../support/skip.ts';
import { netnsUnavailable } from '../support/netns.ts';
import { FIXTURES } from './support.ts';
import { dropHost, makeHost, type ApplyHost } from './sandbox.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save', 'nft']);

async function cli(h: ApplyHost, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const env = { ...process.env, NETFORM_HOST_NETNS: h.target.hostNetns, NETFORM_NETNS_PREFIX: h.target.prefix };
  const code = await main([...args, '--state-dir', h.stateDir], { out: (s) => (out += s), err: (s) => (err += s), env });
  return { code, out, err };
}

const V1 = readFileSync(path.join(FIXTURES, 'v1.yaml'), 'utf8');
const withExpect = (text: string, entries: readonly string[]) => `${text}expect:\n${entries.map((e) => `  - ${e}\n`).join('')}`;

testOrSkip(why, 'plan lists the expect: entries whose verdict an edit changes, against the build the apply kept', async () => {
  const h = await makeHost(['v1']);
  const dir = mkdtempSync(path.join(tmpdir(), 'nfexpect-'));
  try {
    const applied = path.join(dir, 'applied.yaml');
    const edited = path.join(dir, 'edited.yaml');
    writeFileSync(applied, withExpect(V1, ['outside -> host:8080 reach web', 'outside -> host:8082 blocked web', 'client -> web:80 reach']));
    writeFileSync(edited, withExpect(V1.replace('ports: ["8080:80"]', 'ports: ["8082:80"]'), ['outside -> host:8080 blocked web', 'outside -> host:8082 reach web', 'client -> web:80 reach']));

    const first = await cli(h, ['apply', applied]);
    assert.is(first.code, 0, first.out + first.err);
    const kept = path.join(h.stateDir, 'topology.json');
    assert.is(statSync(kept).mode & 0o777, 0o600, 'the kept build is readable by root only');

    const same = await cli(h, ['plan', applied, '--json']);
    assert.is(same.code, 0, same.out + same.err);
    assert.equal((JSON.parse(same.out) as { expectations: unknown[] }).expectations, [], 'the applied file changes no verdict');

    const plan = await cli(h, ['plan', edited, '--json']);
    assert.is(plan.code, 0, plan.out + plan.err);
    const json = JSON.parse(plan.out) as { expectations: { expectation: string; source?: string; before: { verdict: string }; after: { verdict: string } }[] };
    assert.equal(
      json.expectations.map((e) => [e.expectation, e.before.verdict, e.after.verdict]),
      [
        ['outside -> host:8080/tcp blocked web', 'reach', 'blocked'],
        ['outside -> host:8082/tcp reach web', 'blocked', 'reach'],
      ],
    );
    assert.ok(json.expectations.every((e) => e.source?.startsWith(`${edited}:`)), 'each entry says where it is written');
    const text = await cli(h, ['plan', edited]);
    assert.match(text.out, /^ {2}~ outside -> host:8080\/tcp blocked web \(\S+:\d+:\d+\): reach -> blocked$/m);

    const gone = await cli(h, ['destroy']);
    assert.is(gone.code, 0, gone.out + gone.err);
    assert.not.ok(existsSync(kept), 'destroy removes the kept build');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const p of dropHost(h)) console.log(`cleanup: ${p}`);
  }
});

test.run();
