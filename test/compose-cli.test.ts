// The command line of `netform import` and `netform graph`: what a user types and sees.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli/main.ts';
import { REPO } from './support/examples.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'netform-compose-cli-'));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

function project(name: string, files: Record<string, string>): string {
  const d = path.join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(d, f), text);
  return d;
}

test('import: a netform file with the schema line, the same bytes twice, and it builds', async () => {
  const d = project('Shop.App', { 'compose.yaml': 'services:\n  web:\n    image: nginx\n    ports: ["8080:80"]\n  db: {image: pg, networks: [back]}\nnetworks: {back: {}}\n' });
  const out = path.join(d, 'netform.yaml');
  const a = await run('import', path.join(d, 'compose.yaml'), '-o', out);
  assert.is(a.code, 0, a.err);
  const first = readFileSync(out, 'utf8');
  assert.match(first, /^# yaml-language-server: \$schema=(\.\.\/)+.*schemas\/netform\.schema\.json\n/);
  const schemaRef = /\$schema=(\S+)/.exec(first)![1]!;
  assert.ok(existsSync(path.resolve(d, schemaRef)), `the schema line points at the schema: ${schemaRef}`);
  assert.match(first, /project "shopapp"/);
  assert.match(first, /\n {2}shopapp-web-1:\n/);
  const b = await run('import', path.join(d, 'compose.yaml'), '-o', out);
  assert.is(b.code, 0);
  assert.is(readFileSync(out, 'utf8'), first);
  const built = await run('build', out, '-o', path.join(d, 'out'));
  assert.is(built.code, 0, built.err);
});

test('import: to stdout without -o; --project-name and --env-file', async () => {
  const d = project('p2', { 'compose.yaml': 'services:\n  web:\n    image: nginx\n    ports: ["${P:-80}:80"]\n', 'ci.env': 'P=9999\n' });
  const r = await run('import', path.join(d, 'compose.yaml'), '--project-name', 'named', '--env-file', path.join(d, 'ci.env'));
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /named-web-1:/);
  assert.match(r.out, /"9999:80"/);
});

test('import: --daemon names the daemon.json relative to the output, and it is read', async () => {
  const d = project('p3', { 'compose.yaml': 'services:\n  web: {image: nginx}\n', 'daemon.json': '{"bip": "192.168.5.1/24"}\n' });
  const out = path.join(d, 'sub', 'net.yaml');
  mkdirSync(path.dirname(out), { recursive: true });
  const r = await run('import', path.join(d, 'compose.yaml'), '--daemon', path.join(d, 'daemon.json'), '-o', out);
  assert.is(r.code, 0, r.err);
  assert.match(readFileSync(out, 'utf8'), /\ndaemon: \.\.\/daemon\.json\n/);
  writeFileSync(path.join(d, 'daemon.json'), '{"bip": "not-an-address"}\n');
  const bad = await run('import', path.join(d, 'compose.yaml'), '--daemon', path.join(d, 'daemon.json'), '-o', path.join(d, 'other.yaml'));
  assert.is(bad.code, 1);
  assert.match(bad.err, /daemon\.json/);
  assert.not.ok(existsSync(path.join(d, 'other.yaml')), 'nothing written');
});

test('import: a problem is reported at the compose line, and nothing is written', async () => {
  const d = project('p4', { 'compose.yaml': 'services:\n  web:\n    image: nginx\n    networks:\n      n: {ipv4_address: 10.1.2.3}\nnetworks:\n  n:\n    ipam: {config: [{subnet: 10.9.0.0/24}]}\n' });
  const out = path.join(d, 'net.yaml');
  const r = await run('import', path.join(d, 'compose.yaml'), '-o', out);
  assert.is(r.code, 1);
  assert.match(r.err, /compose\.yaml:5:25: error: services\.web\.networks\.n\.ipv4_address: /);
  assert.not.ok(existsSync(out));
});

test('import: a warning of a later stage is shown at the compose line too, and the file is written', async () => {
  const d = project('p5', { 'compose.yaml': 'services:\n  web:\n    image: nginx\n    ports:\n      - "3000"\n' });
  const out = path.join(d, 'net.yaml');
  const r = await run('import', path.join(d, 'compose.yaml'), '-o', out);
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /compose\.yaml:5:9: warning: services\.web\.ports\[0\]: no host port given/);
  assert.ok(existsSync(out));
});

test('import: usage errors', async () => {
  assert.is((await run('import')).code, 2);
  assert.is((await run('import', path.join(dir, 'missing.yaml'))).code, 2, 'a file that cannot be read');
});

test('graph: svg by default, dot and mermaid on request, --host, usage errors', async () => {
  const file = path.join(REPO, 'examples', 'compose-shop.yaml');
  const svg = await run('graph', file);
  assert.is(svg.code, 0, svg.err);
  // Graphviz writes "-" in text as &#45;.
  assert.match(svg.out, /^<\?xml[\s\S]*<svg[\s\S]*shop&#45;web&#45;1[\s\S]*<\/svg>\n?$/);
  const dot = await run('graph', file, '--format', 'dot', '--host', 'local');
  assert.match(dot.out, /^digraph netform \{/);
  const out = path.join(dir, 'g.mmd');
  assert.is((await run('graph', file, '--format', 'mermaid', '-o', out)).code, 0);
  assert.match(readFileSync(out, 'utf8'), /^flowchart LR\n/);
  assert.is((await run('graph', file, '--format', 'png')).code, 2);
  assert.is((await run('graph', file, '--host', 'nope')).code, 2);
  assert.match((await run('graph', '--help')).out, /--format/);
  assert.match((await run('import', '--help')).out, /--project-name/);
});

test('the built command line (bin/netform.js, the bundle) imports and draws too', () => {
  const bin = path.join(REPO, 'bin', 'netform.js');
  const imp = spawnSync(process.execPath, [bin, 'import', path.join(REPO, 'test', 'fixtures', 'compose', 'awesome-compose', 'flask-redis', 'compose.yaml')], { encoding: 'utf8' });
  assert.is(imp.status, 0, imp.stderr);
  assert.match(imp.stdout, /flask-redis-web-1:/);
  const svg = spawnSync(process.execPath, [bin, 'graph', path.join(REPO, 'examples', 'compose-shop.yaml')], { encoding: 'utf8' });
  assert.is(svg.status, 0, svg.stderr);
  assert.match(svg.stdout, /<\/svg>\n$/);
});

test('cleanup', () => {
  rmSync(dir, { recursive: true, force: true });
});

test.run();
