// setup.sh and teardown.sh run for real, in scratch network namespaces (a namespace standing for the
// host, NETFORM_HOST_NETNS, and the containers' under a prefix of this run): a guard listing that
// fails stops setup before it changes anything; a rollback removes what its run created and never a
// link it did not create, even one with a name it wanted; two setups started together are serialised
// by the lock (one completes, the other refuses) instead of undoing each other; a hostile input file
// name cannot add a command to setup.sh. `ip` failures are injected with a shim first on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile.ts';
import { REPO } from './support/examples.ts';
import { runCli } from './support/cli.ts';
import { findExecutable, netnsUnavailable } from './support/netns.ts';
import { testOrSkip } from './support/skip.ts';

const reason = netnsUnavailable(['flock', 'mktemp']);
const IP = findExecutable('ip') ?? 'ip';
const TAG = `nfss-${randomBytes(2).toString('hex')}`;
const scratch = mkdtempSync(path.join(os.tmpdir(), `${TAG}-`));
const EXAMPLE = readFileSync(path.join(REPO, 'examples', 'my-net.yaml'), 'utf8');
/** What my-net's setup.sh creates in the host namespace. */
const BRIDGES = ['docker0', 'br-0dfc683164d0'];
const VETH = 'vethf06cdc5';

interface Box {
  readonly host: string;
  readonly prefix: string;
  readonly env: NodeJS.ProcessEnv;
}

let boxes = 0;
/** A fresh host namespace and container prefix, deleted (with whatever is left in them) afterwards. */
async function withBox(fn: (b: Box) => Promise<void>, shim?: string): Promise<void> {
  const n = boxes++;
  const host = `${TAG}-${n}-host`;
  const prefix = `${TAG}-${n}-c-`;
  ipOk(['netns', 'add', host]);
  const env = { ...process.env, NETFORM_HOST_NETNS: host, NETFORM_NETNS_PREFIX: prefix, PATH: `${shim ? `${shim}:` : ''}${process.env.PATH ?? ''}:/usr/sbin:/sbin` };
  try {
    await fn({ host, prefix, env });
  } finally {
    for (const ns of namespaces(`${TAG}-${n}-`)) spawnSync(IP, ['netns', 'del', ns]);
  }
}

function ipOk(args: string[]): string {
  const r = spawnSync(IP, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const namespaces = (prefix: string): string[] => ipOk(['netns', 'list']).split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(prefix));
const links = (host: string): string[] => ipOk(['-n', host, '-o', 'link', 'show']).split('\n').filter(Boolean).map((l) => l.split(': ')[1]!.replace(/@.*/, ''));

/** setup.sh and teardown.sh of `yaml` (the file named `name`), written under a fresh directory. */
function scripts(yaml = EXAMPLE, name = 'my-net.yaml'): string {
  const r = compile({ file: name, text: yaml });
  assert.ok(r.files, JSON.stringify(r.diagnostics));
  const dir = mkdtempSync(path.join(scratch, 'build-'));
  for (const f of ['setup.sh', 'teardown.sh']) writeFileSync(path.join(dir, f), r.files!.get(`local/${f}`)!);
  return dir;
}

interface ScriptRun {
  readonly status: number | null;
  readonly stderr: string;
}

function runScript(dir: string, name: string, env: NodeJS.ProcessEnv, cwd = scratch): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const p = spawn('sh', [path.join(dir, name)], { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (status) => resolve({ status, stderr }));
  });
}

/** A directory holding an `ip` that runs `body` (sh) first, then the real ip. */
function shim(body: string): string {
  const dir = mkdtempSync(path.join(scratch, 'shim-'));
  writeFileSync(path.join(dir, 'ip'), `#!/bin/sh\n${body}\nexec ${IP} "$@"\n`);
  chmodSync(path.join(dir, 'ip'), 0o755);
  return dir;
}

/** Nothing of my-net's is left: no container namespace, none of its links in the host. */
function assertClean(b: Box, except: readonly string[] = []): void {
  assert.equal(namespaces(b.prefix), []);
  const left = links(b.host).filter((l) => [...BRIDGES, VETH].includes(l) && !except.includes(l));
  assert.equal(left, []);
}

test.after(() => rmSync(scratch, { recursive: true, force: true }));

testOrSkip(reason, 'setup then teardown: everything made, then everything gone', () => withBox(async (b) => {
  const dir = scripts();
  const s = await runScript(dir, 'setup.sh', b.env);
  assert.is(s.status, 0, s.stderr);
  assert.equal(namespaces(b.prefix), [`${b.prefix}my-nginx`]);
  for (const l of [...BRIDGES, VETH]) assert.ok(links(b.host).includes(l), l);
  const t = await runScript(dir, 'teardown.sh', b.env);
  assert.is(t.status, 0, t.stderr);
  assertClean(b);
}));

for (const [what, pattern, message] of [
  ['links', '*"link show"*', /cannot list the links \(ip link show failed\); nothing was changed/],
  ['namespaces', '*"netns list"*', /cannot list the network namespaces \(ip netns list failed\); nothing was changed/],
] as const) {
  testOrSkip(reason, `a failing guard listing (${what}) is a failure: setup stops before changing anything`, () => withBox(async (b) => {
    const bin = shim(`case "$*" in ${pattern}) echo "ip: injected failure" >&2; exit 1 ;; esac`);
    // A foreign bridge with a name setup would create: a guard that took the failed listing for
    // "nothing exists" would fail on it, and a by-name rollback would delete it.
    ipOk(['-n', b.host, 'link', 'add', 'name', 'docker0', 'type', 'bridge']);
    const s = await runScript(scripts(), 'setup.sh', { ...b.env, PATH: `${bin}:${b.env.PATH}` });
    assert.is(s.status, 1);
    assert.match(s.stderr, message);
    assert.ok(links(b.host).includes('docker0'), 'the foreign bridge is still there');
    assertClean(b, ['docker0']);
  }));
}

testOrSkip(reason, 'a link that appears after the guard: setup fails there, and its rollback removes only what it made', () => withBox(async (b) => {
  // The shim creates a foreign bridge named as setup's veth just before setup's veth batch runs, and
  // marks it with an address of its own to tell it from anything setup would make.
  const flag = path.join(mkdtempSync(path.join(scratch, 'flag-')), 'done');
  const bin = shim(`case "$*" in *"-batch "*/links.*) if [ ! -e ${flag} ]; then touch ${flag}; ${IP} -n "$NETFORM_HOST_NETNS" link add name ${VETH} address 02:00:00:00:be:ef type bridge; fi ;; esac`);
  const s = await runScript(scripts(), 'setup.sh', { ...b.env, PATH: `${bin}:${b.env.PATH}` });
  assert.is(s.status, 1, s.stderr);
  assert.match(s.stderr, /File exists/);
  assert.match(s.stderr, /rolling back what this run created/);
  assert.ok(existsSync(flag), 'the shim ran');
  const foreign = ipOk(['-n', b.host, '-o', 'link', 'show', 'dev', VETH]);
  assert.match(foreign, /02:00:00:00:be:ef/, 'the foreign link survived the rollback');
  assertClean(b, [VETH]);
}));

testOrSkip(reason, 'a foreign bridge appearing before the first batch: nothing of setup\'s is left, the bridge stays', () => withBox(async (b) => {
  const bin = shim(`case "$*" in *"-batch "*/bridges) ${IP} -n "$NETFORM_HOST_NETNS" link add name docker0 address 02:00:00:00:be:ef type bridge 2>/dev/null ;; esac`);
  const s = await runScript(scripts(), 'setup.sh', { ...b.env, PATH: `${bin}:${b.env.PATH}` });
  assert.is(s.status, 1, s.stderr);
  assert.match(ipOk(['-n', b.host, '-o', 'link', 'show', 'dev', 'docker0']), /02:00:00:00:be:ef/);
  assertClean(b, ['docker0']);
}));

testOrSkip(reason, 'two setups started together: serialised by the lock, one completes, the other refuses; 3 rounds', () => withBox(async (b) => {
  const dir = scripts();
  for (let round = 0; round < 3; round++) {
    const both = await Promise.all([runScript(dir, 'setup.sh', b.env), runScript(dir, 'setup.sh', b.env)]);
    const codes = both.map((r) => r.status).sort();
    assert.equal(codes, [0, 1], both.map((r) => r.stderr).join('\n---\n'));
    const refused = both.find((r) => r.status === 1)!;
    assert.match(refused.stderr, /already exists; run teardown\.sh first/);
    assert.not.match(refused.stderr, /rolling back/);
    // The winner's objects are all there: nobody rolled them back.
    assert.equal(namespaces(b.prefix), [`${b.prefix}my-nginx`]);
    for (const l of [...BRIDGES, VETH]) assert.ok(links(b.host).includes(l), `round ${round}: ${l}`);
    const t = await runScript(dir, 'teardown.sh', b.env);
    assert.is(t.status, 0, t.stderr);
    assertClean(b);
  }
}));

testOrSkip(reason, 'hostile input file names: setup.sh keeps them in its comment, and running it runs nothing of theirs', async () => {
  // The scripts run in `cwd`: a command smuggled in by a name would make PWNED there.
  const cwd = mkdtempSync(path.join(scratch, 'cwd-'));
  const pwned = path.join(cwd, 'PWNED');
  const names = [
    'x\ntouch PWNED\n#.yaml',
    'x\r\ntouch PWNED\n.yaml',
    '$(touch PWNED).yaml',
    '`touch PWNED`.yaml',
    "'; touch PWNED; '.yaml",
    'x\u2028touch PWNED\u2029.yaml',
    'x\\\ntouch PWNED.yaml',
  ];
  for (const name of names) {
    const dir = mkdtempSync(path.join(scratch, 'hostile-'));
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    writeFileSync(file, EXAMPLE);
    const out = path.join(dir, 'out');
    const r = await runCli(['build', file, '-o', out]);
    assert.is(r.code, 0, r.err);
    const setup = readFileSync(path.join(out, 'local', 'setup.sh'), 'utf8');
    const generated = setup.split('\n').filter((l) => l.startsWith('# Generated from '));
    assert.is(generated.length, 1);
    assert.not.match(setup, /^touch /m, 'no line of the name begins a command');
    assert.is(spawnSync('sh', ['-n', path.join(out, 'local', 'setup.sh')]).status, 0);
    await withBox(async (b) => {
      const s = await runScript(path.join(out, 'local'), 'setup.sh', b.env, cwd);
      assert.is(s.status, 0, s.stderr);
      const t = await runScript(path.join(out, 'local'), 'teardown.sh', b.env, cwd);
      assert.is(t.status, 0, t.stderr);
    });
    assert.not.ok(existsSync(pwned), `${JSON.stringify(name)} ran a command`);
  }
});

test.run();
