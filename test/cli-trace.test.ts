// The command line for the tracer: `trace` (text and --json), `expect:` in validate and build (an
// expectation the build contradicts fails at its line with the trace), `build --source-map` and `blame`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli/main.ts';
import { REPO } from './support/examples.ts';

const MY_NET = path.join('examples', 'my-net.yaml');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const cwd = process.cwd();
  process.chdir(REPO);
  try {
    const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  } finally {
    process.chdir(cwd);
  }
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'netform-cli-trace-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('trace: the rules that decided with their YAML lines, the translations, the verdict', async () => {
  const r = await run('trace', MY_NET, '--from', 'outside', '--to', 'host:8080');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^trace tcp\/IPv4: outside 203\.0\.113\.2 -> host local 203\.0\.113\.1:8080$/m);
  assert.match(r.out, /nat DOCKER: -A DOCKER ! -i br-\w+ -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172\.18\.0\.2:80 \(examples\/my-net\.yaml:18:13\)/);
  assert.match(r.out, /DNAT 203\.0\.113\.1:8080 -> 172\.18\.0\.2:80/);
  assert.match(r.out, /=> delivered to my-nginx 172\.18\.0\.2:80 from 203\.0\.113\.2 \(DNAT\)/);
  assert.match(r.out, /^verdict: reach$/m);
});

test('trace --json: verdict, translations, steps with the chain, the rule and its source', async () => {
  const r = await run('trace', MY_NET, '--from', 'outside', '--to', 'my-nginx:80', '--json');
  assert.is(r.code, 0, r.err);
  const t = JSON.parse(r.out);
  assert.is(t.verdict, 'blocked');
  const drop = t.steps.find((s: { rule?: string }) => s.rule?.endsWith('-j DROP'));
  assert.equal([drop.chain, drop.source], ['raw PREROUTING', 'examples/my-net.yaml:17:16']);
  assert.equal(t.translations, []);
});

test('trace: usage errors name the problem (exit 2); a file with errors exits 1', async () => {
  assert.is((await run('trace', MY_NET, '--from', 'outside')).code, 2);
  const nobody = await run('trace', MY_NET, '--from', 'nobody', '--to', 'host:80');
  assert.is(nobody.code, 2);
  assert.match(nobody.err, /no container "nobody"/);
  assert.match((await run('trace', MY_NET, '--from', 'outside', '--to', 'host:99999')).err, /out of range/);
});

test('expect: validate passes what holds, fails at the line of what the build contradicts, with the trace', withDir(async (dir) => {
  const file = path.join(dir, 'net.yaml');
  // my-net.yaml without its own expect: block (the test writes its own).
  const base = readFileSync(path.join(REPO, MY_NET), 'utf8').replace('../schemas/', `${REPO}/schemas/`).replace(/# What must hold[^]*$/, '');
  writeFileSync(file, `${base}expect:\n  - outside -> host:8080 reach\n  - {from: outside, to: my-nginx, port: 80, verdict: blocked}\n`);
  const ok = await run('validate', file);
  assert.is(ok.code, 0, ok.err);
  writeFileSync(file, `${base}expect:\n  - outside -> host:8080 reach\n  - outside -> my-nginx:80 reach\n`);
  const bad = await run('validate', file);
  assert.is(bad.code, 1);
  assert.match(bad.err, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:21:5: error: expect\\[1\\]: outside -> my-nginx:80/tcp reach: the tracer says blocked`));
  assert.match(bad.err, /raw PREROUTING: -A PREROUTING -d 172\.18\.0\.2\/32/);
  // The contradicting trace names each rule's YAML line.
  assert.match(bad.err, /-j DROP \(\S*net\.yaml:17:16\)/);
  // build refuses it too, and writes nothing.
  const out = path.join(dir, 'out');
  assert.is((await run('build', file, '-o', out)).code, 1);
  assert.not.ok(existsSync(out));
}));

test('build --source-map and blame: the YAML line of a rule, with a caret and what it sits in', withDir(async (dir) => {
  const out = path.join(dir, 'out');
  const b = await run('build', MY_NET, '-o', out, '--source-map');
  assert.is(b.code, 0, b.err);
  for (const f of ['iptables.rules', 'ip6tables.rules', 'setup.sh', 'teardown.sh', 'containers/my-nginx/hosts', 'containers/my-nginx/resolv.conf']) assert.ok(existsSync(path.join(out, 'local', `${f}.map`)), f);
  const rules = readFileSync(path.join(out, 'local', 'iptables.rules'), 'utf8').split('\n');
  const line = rules.findIndex((l) => l.includes('-j DNAT')) + 1;
  const r = await run('blame', `${out}/local/iptables.rules:${line}`);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /-j DNAT --to-destination 172\.18\.0\.2:80\n.*examples\/my-net\.yaml:18:13: containers\.my-nginx\.ports\[0\]\n +18 \|     ports: \["8080:80"\]\n +\| +\^{9}\n  within containers\.my-nginx\.ports \(line 18\), within containers\.my-nginx \(line 15\)/);
  const frame = await run('blame', `${out}/local/iptables.rules:1`);
  assert.match(frame.out, /engine 29 layout: the frame/);
  assert.match((await run('blame', `${out}/local/iptables.rules:9999`)).err, /no line 9999/);
  // Without maps, blame says how to get them.
  rmSync(path.join(out, 'local', 'setup.sh.map'));
  assert.match((await run('blame', `${out}/local/setup.sh:1`)).err, /build with --source-map/);
}));

test.run();
