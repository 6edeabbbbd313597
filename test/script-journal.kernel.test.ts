// What setup.sh's rollback removes is exactly what its run created, for every kind of object a build
// makes: namespaces, bridges, veth host ends, parent links (not the macvlan/ipvlan links made inside a
// container, nor the overlay veths made in an overlay namespace, nor the VXLAN devices moved into one),
// and the xfrm SAs and policies (the same delete lines as teardown.sh's). The scripts of real builds
// run against a recording `ip` that fails the last step (the overlay ports, or the last container);
// what the rollback then asks `ip` to delete is compared with the topology. Kernel behaviour itself is
// test/script-safety.kernel.test.ts's; here `ip` is a stand-in so that overlays and xfrm need no kernel support.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile.ts';
import { renderXfrmTeardown } from '../src/render/xfrm/index.ts';
import { example as exampleInput, REPO, TEST_KEYS_FILE } from './support/examples.ts';
import { findExecutable, netnsUnavailable } from './support/netns.ts';
import { testOrSkip } from './support/skip.ts';
import { parseSecrets } from '../src/topology/overlay/secrets.ts';

const reason = netnsUnavailable(['flock', 'mktemp']);
const IP = findExecutable('ip') ?? 'ip';

/**
 * A stand-in for ip and bridge: lists nothing, accepts every batch except the one whose input holds
 * $FAIL_LINE (it then says "Command failed FILE:1", as ip does), and appends what it is asked to
 * delete (`-force -batch -`) to $LOG.
 */
const FAKE = `#!/bin/sh
case "$*" in
  *"-force -batch -"*) { echo "== $*"; cat; } >> "$LOG"; exit 0 ;;
  *"-batch"*)
    f=$(for a in "$@"; do :; done; printf '%s' "$a")
    if [ "$f" = - ]; then f=$(mktemp); cat > "$f"; fi
    if grep -q -- "$FAIL_LINE" "$f"; then echo "Command failed $f:1" >&2; exit 1; fi
    exit 0 ;;
esac
[ -t 0 ] || cat > /dev/null
exit 0
`;

interface Rollback {
  readonly netns: string[];
  readonly host: string[];
}

/** Runs a host's setup.sh with the stand-in; returns what its rollback deleted. */
function rollbackOf(setup: string, secret: string | undefined, failLine: string, hostNs: string): Rollback {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netform-journal-'));
  try {
    for (const tool of ['ip', 'bridge', 'ipvsadm']) {
      writeFileSync(path.join(dir, tool), FAKE);
      chmodSync(path.join(dir, tool), 0o755);
    }
    writeFileSync(path.join(dir, 'setup.sh'), setup);
    if (secret !== undefined) writeFileSync(path.join(dir, 'xfrm-states.secret'), secret, { mode: 0o600 });
    const log = path.join(dir, 'log');
    writeFileSync(log, '');
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}`, LOG: log, FAIL_LINE: failLine, NETFORM_HOST_NETNS: hostNs, NETFORM_NETNS_PREFIX: 'P-' };
    const r = spawnSync('sh', [path.join(dir, 'setup.sh')], { env, encoding: 'utf8' });
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, /rolling back what this run created/);
    const sections = readFileSync(log, 'utf8').split(/^== /m).filter(Boolean);
    const lines = (s: string | undefined) => (s ?? '').split('\n').slice(1).filter(Boolean);
    return { netns: lines(sections.find((s) => !s.startsWith('-n '))), host: lines(sections.find((s) => s.startsWith('-n '))) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function build(example: string, secrets?: string) {
  const file = path.join(REPO, exampleInput(example).file);
  const keys = secrets ? parseSecrets(readFileSync(secrets, 'utf8'), secrets).keys : undefined;
  const r = compile({ file, text: readFileSync(file, 'utf8') }, undefined, keys ? { secrets: keys } : {});
  assert.ok(r.files && r.topologies, JSON.stringify(r.diagnostics));
  return r;
}

const hostNs = `nfj-${randomBytes(3).toString('hex')}`;
if (!reason) {
  test.before(() => void spawnSync(IP, ['netns', 'add', hostNs]));
  test.after(() => void spawnSync(IP, ['netns', 'del', hostNs]));
}

for (const [example, failLine] of [['article-drivers', '^link set dev veth[0-9a-f]* master br0$'], ['e2e-macvlan', 'route add default'], ['my-net', 'route add default']] as const) {
  testOrSkip(reason, `${example}: the rollback deletes exactly what the run created`, () => {
    const r = build(example, example === 'article-drivers' ? TEST_KEYS_FILE : undefined);
    for (const t of r.topologies!) {
      const secret = r.files!.get(`${t.host}/xfrm-states.secret`);
      const got = rollbackOf(r.files!.get(`${t.host}/setup.sh`)!, secret, failLine, hostNs);
      const own = t.containers.filter((c) => c.networking.kind === 'netns').map((c) => c.name);
      const namespaces = [...own, ...(t.overlays ?? []).map((o) => o.namespace)];
      assert.equal(got.netns.sort(), namespaces.map((n) => `netns del P-${n}`).sort(), `${t.host}: namespaces`);
      const hostLinks = [
        ...t.bridges.map((b) => b.name),
        ...t.endpoints.filter((e) => !e.attachment).map((e) => e.hostIfname),
        ...(t.parentLinks ?? []).map((l) => l.name),
      ];
      const xfrm = t.xfrm ? renderXfrmTeardown(t.xfrm).trimEnd().split('\n') : [];
      assert.equal(got.host.filter((l) => l.startsWith('link del ')).sort(), hostLinks.map((l) => `link del ${l}`).sort(), `${t.host}: host links`);
      assert.equal(got.host.filter((l) => l.startsWith('xfrm ')).sort(), [...xfrm].sort(), `${t.host}: xfrm`);
      assert.is(got.host.length, hostLinks.length + xfrm.length, `${t.host}: nothing else`);
      if (example === 'article-drivers') assert.ok(xfrm.length > 0 && (t.overlays ?? []).length > 0, 'the case covers overlays and xfrm');
      if (example === 'e2e-macvlan') assert.ok(t.endpoints.some((e) => e.attachment), 'the case covers links made inside a container');
    }
  });
}

test.run();
