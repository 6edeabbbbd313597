// The 39 compose files of docker/awesome-compose (test/fixtures/compose/awesome-compose, CC0): each is
// imported with `netform import` as a user would, the file it writes builds, and the build has the
// networks, containers, names and published ports Compose's documentation says it deploys
// (test/fixtures/compose/awesome-compose-expected.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli/main.ts';
import { compile } from '../src/compile.ts';
import { isDefaultBridge } from '../src/model/network-types.ts';
import { EXPECTED, HOSTNAMES } from './fixtures/compose/awesome-compose-expected.ts';
import { REPO } from './support/examples.ts';

const CORPUS = path.join(REPO, 'test', 'fixtures', 'compose', 'awesome-compose');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'netform-awesome-'));
let built = 0;

const sorted = (xs: Iterable<string>) => [...xs].sort();

test('the corpus is the 39 samples, and the expectations name each once', () => {
  const dirs = sorted(new Set(EXPECTED.map((e) => e.dir)));
  assert.is(dirs.length, 39);
  assert.is(EXPECTED.length, 39);
  for (const d of dirs) assert.ok(existsSync(path.join(CORPUS, d)), d);
});

for (const e of EXPECTED) {
  test(`awesome-compose ${e.dir}: imports, builds, and deploys what Compose would`, async () => {
    const file = ['compose.yaml', 'compose.yml'].map((f) => path.join(CORPUS, e.dir, f)).find((f) => existsSync(f))!;
    const out = path.join(tmp, `${e.dir}.yaml`);
    let err = '';
    const code = await main(['import', file, '-o', out], { out: () => {}, err: (s) => (err += s) });
    assert.is(code, 0, err);
    assert.not.match(err, /error:/);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=\S+netform\.schema\.json\n/);
    const r = compile({ file: out, text });
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.map((d) => d.message), []);
    const t = r.topologies![0]!;
    const model = r.model!;
    assert.equal(sorted(model.networks.filter((n) => !isDefaultBridge(n)).map((n) => n.name)), sorted(e.networks), 'networks');
    assert.equal(sorted(t.containers.map((c) => c.name)), sorted(Object.keys(e.containers)), 'containers');
    for (const [name, c] of Object.entries(e.containers)) {
      const node = t.containers.find((x) => x.name === name)!;
      if (c.mode === 'host') {
        assert.is(node.networking.kind, 'host', `${name} network_mode`);
        assert.equal(t.endpoints.filter((x) => x.container === name), [], `${name} joins no network`);
      }
      const eps = t.endpoints.filter((x) => x.container === name);
      assert.equal(sorted(eps.map((x) => x.network)), sorted(Object.keys(c.networks ?? {})), `${name} networks`);
      for (const ep of eps) {
        assert.equal(sorted(new Set(ep.aliases)), sorted(new Set(c.networks![ep.network]!)), `${name} names on ${ep.network}`);
        if (c.ipv4?.[ep.network]) assert.is(ep.ipv4, c.ipv4[ep.network], `${name} address on ${ep.network}`);
      }
      const ports = t.ports.filter((p) => p.container === name && p.hostIP === '0.0.0.0').map((p) => `${p.hostPort}:${p.containerPort}/${p.proto}`);
      assert.equal(sorted(ports), sorted(c.ports ?? []), `${name} published ports`);
      if (HOSTNAMES[name]) assert.is(node.hostname, HOSTNAMES[name], `${name} hostname`);
    }
    built++;
  });
}

test('awesome-compose: every sample imported and built', () => {
  console.log(`awesome-compose: ${built}/${EXPECTED.length} imported and built`);
  rmSync(tmp, { recursive: true, force: true });
  assert.is(built, EXPECTED.length);
});

test.run();
