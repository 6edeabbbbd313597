// Mutation check: an edit that changes one port, one `internal` or one ICC setting of an example flips
// the traces it should, and only those: expectationChanges (what a plan shows of an edit) lists exactly
// the expectations whose verdict the edit changes, each traced before and after; on both firewall
// backends (the nftables run walks Docker 29's nft tables).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDocument } from 'yaml';
import { compile } from '../src/compile.ts';
import { readExpectations } from '../src/model/expectations.ts';
import { expectationChanges, traceExpectation } from '../src/trace/expect.ts';
import type { Topology } from '../src/topology/types.ts';
import { example, REPO } from './support/examples.ts';

function build(text: string, name: string): readonly Topology[] {
  const r = compile({ file: `${name}.yaml`, text }, undefined, { files: false });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.map((d) => d.message), [], `${name} does not build`);
  return r.topologies!;
}

interface Mutation {
  readonly example: string;
  readonly what: string;
  /** The YAML path to change and its new value. */
  readonly path: readonly (string | number)[];
  readonly value: unknown;
  /** Expectations of the example (all hold before the edit) and which of them the edit flips. */
  readonly expect: readonly string[];
  readonly flips: readonly string[];
}

const MUTATIONS: readonly Mutation[] = [
  {
    example: 'my-net',
    what: 'the published port 8080:80 becomes 8081:80',
    path: ['containers', 'my-nginx', 'ports', 0],
    value: '8081:80',
    expect: ['outside -> host:8080 reach my-nginx', 'outside -> host:8081 blocked my-nginx', 'outside -> my-nginx:80 blocked', 'my-nginx -> outside:443 reach'],
    flips: ['outside -> host:8080/tcp reach my-nginx', 'outside -> host:8081/tcp blocked my-nginx'],
  },
  {
    example: 'e2e-two-networks',
    what: 'web publishes 8053/udp as 8054/udp',
    path: ['containers', 'web', 'ports', 1],
    value: '8054:53/udp',
    expect: ['outside -> host:8053/udp reach web', 'outside -> host:8080 reach web', 'db -> host:8053/udp reach web', 'db -> web@front:80 blocked'],
    flips: ['outside -> host:8053/udp reach web', 'db -> host:8053/udp reach web'],
  },
  {
    example: 'e2e-internal',
    what: 'vault is no longer internal',
    path: ['networks', 'vault', 'internal'],
    value: false,
    expect: ['keeper -> outside:9000 blocked', 'outside -> keeper:53/udp blocked', 'clerk -> keeper@vault:80 reach', 'clerk -> outside:9000 reach', 'outside -> host:8080 blocked keeper'],
    flips: ['keeper -> outside:9000/tcp blocked', 'outside -> host:8080/tcp blocked keeper'],
  },
  {
    example: 'iptablesdoc-usernet-internal',
    what: 'bridgeICC is no longer internal',
    path: ['networks', 'bridgeICC', 'internal'],
    value: false,
    expect: ['c1 -> outside:9000 blocked', 'c2 -> outside:9000 blocked', 'host -> c1:80 reach'],
    flips: ['c1 -> outside:9000/tcp blocked'],
  },
  {
    example: 'e2e-icc-off',
    what: 'quiet turns ICC on',
    path: ['networks', 'quiet', 'driver_opts', 'com.docker.network.bridge.enable_icc'],
    value: 'true',
    expect: ['quiet2 -> quiet1:80 blocked', 'def1 -> def2:80 blocked', 'loud1 -> loud2:80 reach', 'outside -> host:8080 reach quiet1'],
    flips: ['quiet2 -> quiet1:80/tcp blocked'],
  },
  {
    example: 'engine-28-icc-noproxy',
    what: 'the daemon turns ICC on (docker0)',
    path: ['daemon', 'icc'],
    value: true,
    expect: ['db -> web:80 blocked', 'web -> db:5432 reach', 'web -> db:5433 blocked', 'svc -> host:8090 reach svc'],
    flips: ['db -> web:80/tcp blocked', 'web -> db:5433/tcp blocked'],
  },
];

/** The same edits on Docker 29's nftables backend, for the examples it can run (not engine 28's). */
const ON_NFTABLES = MUTATIONS.filter((m) => !m.example.startsWith('engine-'));

for (const [backend, list] of [['iptables', MUTATIONS], ['nftables', ON_NFTABLES]] as const) for (const m of list) {
  test(`${m.example}: ${m.what} flips ${m.flips.length} of ${m.expect.length} traces (${backend})`, () => {
    const text = readFileSync(path.join(REPO, example(m.example).file), 'utf8');
    const { expectations, diagnostics } = readExpectations(m.expect);
    assert.equal(diagnostics, []);
    // The example's own expectations (if any) are the file's business; these are the test's.
    const doc = parseDocument(text);
    doc.delete('expect');
    if (backend === 'nftables') doc.setIn(['daemon', 'firewall-backend'], 'nftables');
    const unchanged = doc.toString();
    assert.ok(doc.hasIn(m.path), `${m.example} has no ${m.path.join('.')}`);
    doc.setIn(m.path, m.value);
    const before = build(unchanged, m.example);
    const after = build(doc.toString(), m.example);
    assert.is(before[0]!.firewall.backend, backend);
    const changes = expectationChanges(before, after, expectations);
    assert.equal(changes.map((c) => c.expectation.text), m.flips);
    for (const c of changes) {
      // Every expectation holds before the edit; the flipped ones no longer hold after it.
      assert.ok('trace' in c.before && c.before.verdict === c.expectation.verdict, `${c.expectation.text}: before`);
      assert.ok('trace' in c.after && c.after.verdict !== c.expectation.verdict && c.after.verdict !== 'unknown', `${c.expectation.text}: after`);
    }
    // Every expectation holds before the edit (so a flip is a change from holding to not holding).
    for (const e of expectations) {
      const o = traceExpectation(before, e);
      assert.ok('trace' in o && o.verdict === e.verdict, `${e.text} does not hold before the edit`);
    }
  });
}

test.run();
