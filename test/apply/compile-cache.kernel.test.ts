// The compile cache through the built command line (dist/netform.cjs, which has a build id), in a
// scratch host namespace: an apply keeps its compile in the state directory, the plan of the unchanged
// file uses it and finds no changes, and an edit of the input or of the daemon.json it names is planned
// as a change all the same (the cache never hides one). A failed apply keeps nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { delNetns, netnsWithPrefix } from '../e2e/harness/namespaces.ts';
import { bundleUnavailable, REPO } from '../ansible/support.ts';
import { testOrSkip } from '../support/skip.ts';
import { netnsUnavailable, withNetns } from '../support/netns.ts';

const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save']) ?? bundleUnavailable();

const SITE = (extra: string) => `version: 1
daemon: daemon.json
name_resolution: hosts
host:
  name: local
  resolv_conf: "nameserver 10.0.0.1\\n"
networks:
  front:
    ipam:
      config:
        - subnet: 10.63.1.0/24
containers:
  web:
    image: nginx
    networks: [front]
    ports: ["8080:80"]
${extra}`;

const DB = `  db:
    image: postgres
    networks: [front]
`;

const cacheFiles = (state: string) => (existsSync(state) ? readdirSync(state) : []).filter((f) => /^compile-[0-9a-f]+\.json$/.test(f));

testOrSkip(why, 'the compile cache: a plan of the unchanged file uses it; an edit of the input or of its daemon.json is still a change', () =>
  withNetns(async (ns) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nfapply-cache-'));
    const prefix = `nfc${ns.name.slice(-8)}-`;
    const state = path.join(dir, 'state');
    const file = path.join(dir, 'site.yaml');
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'netform.js'), ...args, '--state-dir', state], {
        encoding: 'utf8',
        env: { ...process.env, NETFORM_HOST_NETNS: ns.name, NETFORM_NETNS_PREFIX: prefix },
      });
      return { code: r.status, out: `${r.stdout}${r.stderr}` };
    };
    try {
      writeFileSync(file, SITE(''));
      writeFileSync(path.join(dir, 'daemon.json'), '{"userland-proxy": false}\n');
      // The first apply writes the lock, so its compile (with no lock before) is not kept.
      let r = cli('apply', file);
      assert.is(r.code, 0, r.out);
      assert.equal(cacheFiles(state), [], 'a compile that wrote the lock is not kept');
      r = cli('plan', file, '--detailed-exitcode');
      assert.is(r.code, 0, r.out);
      assert.equal(cacheFiles(state).length, 1, 'the plan kept its compile');
      r = cli('plan', file, '--detailed-exitcode');
      assert.is(r.code, 0, `the cached plan: no changes\n${r.out}`);

      writeFileSync(path.join(dir, 'daemon.json'), '{"userland-proxy": false, "mtu": 1400}\n');
      r = cli('plan', file, '--detailed-exitcode');
      assert.is(r.code, 2, `an edited daemon.json is a change\n${r.out}`);
      assert.match(r.out, /1400/);
      writeFileSync(path.join(dir, 'daemon.json'), '{"userland-proxy": false}\n');
      r = cli('plan', file, '--detailed-exitcode');
      assert.is(r.code, 0, `daemon.json as applied: no changes\n${r.out}`);

      writeFileSync(file, SITE(DB));
      r = cli('plan', file, '--detailed-exitcode');
      assert.is(r.code, 2, `an edited input is a change\n${r.out}`);
      assert.match(r.out, new RegExp(`${prefix}db`));

      // An apply that fails (to a fresh state directory, the links are someone else's) keeps nothing.
      writeFileSync(file, SITE(''));
      const fresh = path.join(dir, 'state-2');
      const again = spawnSync(process.execPath, [path.join(REPO, 'bin', 'netform.js'), 'apply', file, '--state-dir', fresh], {
        encoding: 'utf8',
        env: { ...process.env, NETFORM_HOST_NETNS: ns.name, NETFORM_NETNS_PREFIX: prefix },
      });
      assert.is(again.status, 1, `${again.stdout}${again.stderr}`);
      assert.equal(cacheFiles(fresh), [], 'nothing kept after a failed apply');
    } finally {
      for (const n of netnsWithPrefix(prefix)) {
        delNetns(n);
        rmSync(path.join('/etc/netns', n), { recursive: true, force: true });
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }),
);

test.run();
