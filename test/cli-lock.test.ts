// The lock file on the command line (docs/lock.md): build writes <input>.lock beside the input when
// allocations are new and keeps them when the input is edited; --frozen-lock refuses a lock that would
// change and writes nothing; validate reports what is out of date; --lock and --no-lock.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EXIT } from '../src/cli/main.ts';
import { defaultLockPath } from '../src/cli/lock-file.ts';
import { readTree } from '../src/cli/output-dir.ts';
import { runCli, withScratch } from './support/cli.ts';

const SITE = `version: 1
host:
  name: local
  resolv_conf: "nameserver 10.0.0.1\\n"
networks:
  front:
    driver: bridge
  back:
    driver: bridge
containers:
  web:
    image: nginx
    networks: [front, back]
    ports: ["80"]
  api:
    image: api
    networks: [back]
  db:
    image: postgres
    networks: [back]
`;

/** SITE with a network inserted at the top, a container inserted in the middle, api removed and the networks reordered. */
const EDITED = `version: 1
host:
  name: local
  resolv_conf: "nameserver 10.0.0.1\\n"
networks:
  zero:
    driver: bridge
  back:
    driver: bridge
  front:
    driver: bridge
containers:
  web:
    image: nginx
    networks: [front, back]
    ports: ["80"]
  newbie:
    image: newbie
    networks: [zero, back]
    ports: ["80"]
  db:
    image: postgres
    networks: [back]
`;

interface Endpoint {
  container: string;
  network: string;
  ipv4?: string;
  ipv6?: string;
  mac: string;
  bridge: string;
  hostIfname: string;
}

/** Each endpoint's addresses, MAC, bridge and host-side veth, each port binding's host port and each bridge, from a build's topology.json. */
function allocations(out: string): Map<string, string> {
  const t = JSON.parse(readFileSync(path.join(out, 'local', 'topology.json'), 'utf8')) as { endpoints: Endpoint[]; ports: { container: string; hostIP: string; hostPort: number; containerPort: number; proto: string }[]; bridges: { network: string; name: string; mac: string; addresses: string[] }[] };
  const m = new Map<string, string>();
  for (const e of t.endpoints) m.set(`${e.container} ${e.network}`, `${e.ipv4} ${e.ipv6} ${e.mac} ${e.bridge} ${e.hostIfname}`);
  for (const p of t.ports) m.set(`port ${p.container} ${p.hostIP} ${p.containerPort}/${p.proto}`, String(p.hostPort));
  for (const b of t.bridges) m.set(`bridge ${b.network}`, `${b.name} ${b.mac} ${b.addresses.join(' ')}`);
  return m;
}

const moved = (a: Map<string, string>, b: Map<string, string>) => [...a].filter(([k, v]) => b.has(k) && b.get(k) !== v).map(([k]) => k);

test('the lock is beside the input, its last extension replaced', () => {
  assert.is(defaultLockPath('site.yaml'), 'site.lock');
  assert.is(defaultLockPath(path.join('a.b', 'site.e2e.yml')), path.join('a.b', 'site.e2e.lock'));
  assert.is(defaultLockPath(path.join('conf', 'site')), path.join('conf', 'site.lock'));
});

test('build writes site.lock when allocations are new, and leaves it alone when nothing changed; the output is the one a build without lock makes', withScratch('netform-lock', async (dir) => {
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, SITE);
  const first = await runCli(['build', site, '-o', path.join(dir, 'out')]);
  assert.is(first.code, EXIT.OK, first.err);
  assert.match(first.out, /site\.lock: 21 allocations added\n/);
  const lock = readFileSync(path.join(dir, 'site.lock'), 'utf8');
  assert.match(lock, /^version: 1$/m);
  const second = await runCli(['build', site, '-o', path.join(dir, 'out')]);
  assert.is(second.code, EXIT.OK, second.err);
  assert.not.match(second.out, /site\.lock/);
  assert.is(readFileSync(path.join(dir, 'site.lock'), 'utf8'), lock);
  const plain = await runCli(['build', site, '-o', path.join(dir, 'plain'), '--no-lock']);
  assert.is(plain.code, EXIT.OK, plain.err);
  assert.equal(readTree(path.join(dir, 'plain')), readTree(path.join(dir, 'out')));
  assert.equal(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temporary file left');
}));

test('an edit that inserts, removes and reorders: existing allocations stay, the lock gains and frees lines', withScratch('netform-lock', async (dir) => {
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, SITE);
  assert.is((await runCli(['build', site, '-o', path.join(dir, 'v1')])).code, EXIT.OK);
  const lock1 = readFileSync(path.join(dir, 'site.lock'), 'utf8');
  writeFileSync(site, EDITED);
  const r = await runCli(['build', site, '-o', path.join(dir, 'v2')]);
  assert.is(r.code, EXIT.OK, r.err);
  assert.match(r.out, /site\.lock: \d+ allocations added, 2 freed\n/);
  assert.equal(moved(allocations(path.join(dir, 'v1')), allocations(path.join(dir, 'v2'))), []);
  const lock2 = readFileSync(path.join(dir, 'site.lock'), 'utf8');
  assert.equal(lock1.split('\n').filter((l) => !/\bapi\b/.test(l) && !lock2.split('\n').includes(l)), []);
  // Without the lock the same edit moves existing containers.
  assert.is((await runCli(['build', site, '-o', path.join(dir, 'plain'), '--no-lock'])).code, EXIT.OK);
  assert.ok(moved(allocations(path.join(dir, 'v1')), allocations(path.join(dir, 'plain'))).length > 0);
}));

/** Dual stack and a port range: the same edit as EDITED (a network at the top, a container in the middle). */
const DUAL = `version: 1
host:
  name: local
  resolv_conf: "nameserver 10.0.0.1\\n"
networks:
  front:
    driver: bridge
    enable_ipv6: true
  back:
    driver: bridge
    enable_ipv6: true
containers:
  web:
    image: nginx
    networks: [front, back]
    ports: ["80", "8000-8010:81", "53/udp"]
  db:
    image: postgres
    networks: [back]
    ports: ["8000-8010:5432"]
`;

const DUAL_EDITED = DUAL.replace('networks:\n  front:', 'networks:\n  zero:\n    driver: bridge\n    enable_ipv6: true\n  front:').replace(
  '  db:\n',
  '  newbie:\n    image: newbie\n    networks: [zero, back, front]\n    ports: ["80", "8000-8010:81", "53/udp"]\n  db:\n',
);

test('dual stack and port ranges, through build: a network inserted at the top and a container in the middle move no address, MAC, bridge, veth or host port', withScratch('netform-lock', async (dir) => {
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, DUAL);
  assert.is((await runCli(['build', site, '-o', path.join(dir, 'v1')])).code, EXIT.OK);
  writeFileSync(site, DUAL_EDITED);
  const r = await runCli(['build', site, '-o', path.join(dir, 'v2')]);
  assert.is(r.code, EXIT.OK, r.err);
  assert.match(r.out, /site\.lock: \d+ allocations added\n/);
  const v1 = allocations(path.join(dir, 'v1'));
  const v2 = allocations(path.join(dir, 'v2'));
  assert.ok([...v1.values()].some((v) => /:/.test(v.split(' ')[1]!)), 'IPv6 addresses are compared');
  assert.ok(v1.size === 14 && [...v1.keys()].every((k) => v2.has(k)), 'every allocation of v1 is still there');
  assert.equal(moved(v1, v2), []);
  // New items take the lowest free around the pinned ones: newbie gets the next port of the range.
  assert.is(v2.get('port newbie 0.0.0.0 81/tcp'), '8002');
  // Without the lock, the same edit moves what was there.
  assert.is((await runCli(['build', site, '-o', path.join(dir, 'plain'), '--no-lock'])).code, EXIT.OK);
  const plain = moved(v1, allocations(path.join(dir, 'plain')));
  assert.ok(plain.includes('bridge front') && plain.includes('db back'), plain.join(', '));
}));

test('--frozen-lock: exit 1 with the allocations that would change at their lines, nothing written', withScratch('netform-lock', async (dir) => {
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, SITE);
  const none = await runCli(['build', site, '-o', path.join(dir, 'out'), '--frozen-lock']);
  assert.is(none.code, EXIT.FAILED);
  assert.match(none.err, /site\.yaml:1:1: error: there is no lock file .*site\.lock: a build would write it, with 21 allocations/);
  assert.ok(!existsSync(path.join(dir, 'site.lock')) && !existsSync(path.join(dir, 'out')));
  assert.is((await runCli(['build', site, '-o', path.join(dir, 'out')])).code, EXIT.OK);
  const lock = readFileSync(path.join(dir, 'site.lock'), 'utf8');
  const same = await runCli(['build', site, '-o', path.join(dir, 'out2'), '--frozen-lock']);
  assert.is(same.code, EXIT.OK, same.err);
  writeFileSync(site, EDITED);
  const r = await runCli(['build', site, '-o', path.join(dir, 'out3'), '--frozen-lock']);
  assert.is(r.code, EXIT.FAILED);
  assert.match(r.err, /site\.yaml:6:3: error: networks\.zero: not in .*site\.lock yet: hosts\.local\.networks\.zero: ipv4\.subnet 172\.20\.0\.0\/16, ipv4\.gateway 172\.20\.0\.1, id [0-9a-f]{12}, mac [0-9a-f:]{17}\n/);
  // newbie takes the address api freed.
  assert.match(r.err, /site\.yaml:19:22: error: containers\.newbie\.networks\[1\]: not in .*site\.lock yet: hosts\.local\.networks\.back\.containers\.newbie: ipv4 172\.19\.0\.3, mac /);
  assert.match(r.err, /site\.yaml:19:16: error: containers\.newbie\.networks\[0\]: not in .*site\.lock yet/);
  assert.match(r.err, new RegExp(`site\\.lock:${lock.split('\n').findIndex((l) => /^ {10}api:/.test(l)) + 1}:11: error: hosts\\.local\\.networks\\.back\\.containers\\.api: .*site\\.lock pins ipv4 172\\.19\\.0\\.3, mac [0-9a-f:]{17} here for something the input no longer has`));
  assert.ok(!existsSync(path.join(dir, 'out3')));
  assert.is(readFileSync(path.join(dir, 'site.lock'), 'utf8'), lock);
}));

test('check compares with what build would write: it reads the lock, and never writes it', withScratch('netform-lock', async (dir) => {
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, SITE);
  assert.is((await runCli(['build', site, '-o', path.join(dir, 'v1')])).code, EXIT.OK);
  const lock = readFileSync(path.join(dir, 'site.lock'), 'utf8');
  writeFileSync(site, EDITED);
  const golden = path.join(dir, 'golden');
  const made = await runCli(['check', site, '--golden', golden, '--update']);
  assert.is(made.code, EXIT.OK, made.err);
  assert.is(readFileSync(path.join(dir, 'site.lock'), 'utf8'), lock, 'check writes no lock');
  const frozen = await runCli(['check', site, '--golden', golden, '--frozen-lock']);
  assert.is(frozen.code, EXIT.FAILED);
  assert.match(frozen.err, /error: networks\.zero: not in .*site\.lock yet/);
  assert.is((await runCli(['build', site, '-o', path.join(dir, 'v2')])).code, EXIT.OK);
  assert.equal(readTree(golden), readTree(path.join(dir, 'v2')));
  const plain = await runCli(['check', site, '--golden', golden, '--no-lock']);
  assert.is(plain.code, EXIT.FAILED, 'without the lock the edit renumbers');
}));

test('--lock LOCK names another lock file; --no-lock with --lock or --frozen-lock is a usage error', withScratch('netform-lock', async (dir) => {
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, SITE);
  mkdirSync(path.join(dir, 'locks'));
  const lockFile = path.join(dir, 'locks', 'prod.lock');
  const r = await runCli(['build', site, '-o', path.join(dir, 'out'), '--lock', lockFile]);
  assert.is(r.code, EXIT.OK, r.err);
  assert.ok(existsSync(lockFile) && !existsSync(path.join(dir, 'site.lock')));
  const bad = await runCli(['build', site, '-o', path.join(dir, 'out'), '--no-lock', '--lock', lockFile, '--frozen-lock']);
  assert.is(bad.code, EXIT.TROUBLE);
  assert.match(bad.err, /--no-lock and --lock contradict each other/);
  assert.match(bad.err, /--no-lock and --frozen-lock contradict each other/);
  const two = await runCli(['validate', site, site, '--lock', lockFile]);
  assert.is(two.code, EXIT.TROUBLE);
  assert.match(two.err, /--lock names the lock of one FILE/);
}));

test('validate: a stale lock is a warning at its line (an error with --frozen-lock), a conflict an error; nothing is written', withScratch('netform-lock', async (dir) => {
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, SITE);
  const clean = await runCli(['validate', site]);
  assert.is(clean.code, EXIT.OK);
  assert.not.match(clean.err, /\.lock\b/);
  assert.ok(!existsSync(path.join(dir, 'site.lock')), 'validate writes no lock');
  assert.is((await runCli(['build', site, '-o', path.join(dir, 'out')])).code, EXIT.OK);
  const lock = readFileSync(path.join(dir, 'site.lock'), 'utf8');
  writeFileSync(site, EDITED);
  const json = await runCli(['validate', site, '--json']);
  assert.is(json.code, EXIT.OK, json.err);
  const ds = JSON.parse(json.out) as { file: string; line: number; col: number; code: string; severity: string }[];
  const stale = ds.filter((d) => d.code === 'LOCK_OUT_OF_DATE');
  assert.ok(stale.length >= 4 && stale.every((d) => d.severity === 'warning'));
  assert.ok(stale.some((d) => d.file.endsWith('site.lock') && d.line === lock.split('\n').findIndex((l) => /^ {10}api:/.test(l)) + 1 && d.col === 11));
  const frozen = await runCli(['validate', site, '--frozen-lock']);
  assert.is(frozen.code, EXIT.FAILED);
  assert.match(frozen.err, /error: .*not in .*site\.lock yet/);
  writeFileSync(site, `${SITE}  extra:\n    image: x\n    networks:\n      back:\n        ipv4_address: 172.19.0.3\n`);
  const conflict = await runCli(['validate', site]);
  assert.is(conflict.code, EXIT.FAILED);
  assert.match(conflict.err, /site\.yaml:25:23: error: containers\.extra\.networks\.back\.ipv4_address: 172\.19\.0\.3 is the address .*site\.lock:\d+:23 gives container "api" on network "back"/);
  assert.is(readFileSync(path.join(dir, 'site.lock'), 'utf8'), lock);
}));

test('a lock that cannot be read or written: one line, exit 2, nothing written', withScratch('netform-lock', async (dir) => {
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, SITE);
  mkdirSync(path.join(dir, 'site.lock'));
  const r = await runCli(['build', site, '-o', path.join(dir, 'out')]);
  assert.is(r.code, EXIT.TROUBLE);
  assert.match(r.err, /^netform: cannot read .*site\.lock: it is a directory\n$/);
  const v = await runCli(['validate', site]);
  assert.is(v.code, EXIT.TROUBLE);
  assert.match(v.err, /site\.lock: error: cannot read the file: it is a directory/);
  // /sys takes no new file, even from root.
  const w = await runCli(['build', site, '-o', path.join(dir, 'out2'), '--lock', '/sys/netform-test.lock']);
  assert.is(w.code, EXIT.TROUBLE);
  assert.match(w.err, /(^|\n)netform: cannot write \/sys\/netform-test\.lock: [^\n]+\n$/);
  assert.ok(!existsSync(path.join(dir, 'out2')), 'no output built from allocations the lock does not hold');
}));

test('the lock is written with the output: when DIR cannot be written, the lock is put back as it was (or not made)', withScratch('netform-lock', async (dir) => {
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, SITE);
  writeFileSync(path.join(dir, 'plain'), 'a file, not a directory\n');
  const blocked = path.join(dir, 'plain', 'out');
  const first = await runCli(['build', site, '-o', blocked]);
  assert.is(first.code, EXIT.TROUBLE);
  assert.match(first.err, /(^|\n)netform: cannot write .*plain\/out: a part of the path is not a directory/);
  assert.not.match(first.out, /site\.lock/);
  assert.ok(!existsSync(path.join(dir, 'site.lock')), 'no lock without its output');
  assert.is((await runCli(['build', site, '-o', path.join(dir, 'out')])).code, EXIT.OK);
  const lock = readFileSync(path.join(dir, 'site.lock'), 'utf8');
  writeFileSync(site, EDITED);
  const edited = await runCli(['build', site, '-o', blocked]);
  assert.is(edited.code, EXIT.TROUBLE);
  assert.is(readFileSync(path.join(dir, 'site.lock'), 'utf8'), lock, 'the lock as it was before the build');
  assert.equal(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temporary file left');
}));

test.run();
