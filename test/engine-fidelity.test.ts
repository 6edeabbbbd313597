// What differs between releases in routes, bridge addresses and legacy-link rules, each checked on every
// engine against the release that does it (the moby code is cited in src/model/engine-types.ts):
// - a container whose only network is internal gets a default route through it up to 24 (20.10 here),
//   never published ports there, and never that route when it has another network;
// - a legacy link's ACCEPT rules follow nat.SortPortMap (highest port first) from 20.10 to 28, and
//   ascending order in 29 (which ranges over a Go map).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile.ts';

const ENGINES = ['20.10', '27', '28', '29'] as const;

function build(engine: string, body: string) {
  const r = compile({ file: 'f.yaml', text: `version: 1\nengine: "${engine}"\nhost: {resolv_conf: "nameserver 10.0.0.1\\n"}\n${body}` });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.map((d) => d.message), [], engine);
  return r;
}

const INTERNAL = `networks:
  back: {internal: true, ipam: {config: [{subnet: 10.61.0.0/24}]}}
  front: {ipam: {config: [{subnet: 10.62.0.0/24}]}}
containers:
  only-internal: {networks: [back], ports: ["8081:80"]}
  both: {networks: [back, front]}
`;

for (const engine of ENGINES) {
  test(`engine ${engine}: a container on an internal network only ${engine === '20.10' ? 'routes through its gateway' : 'has no default route'}; one with another network routes through that one; no port is published on the internal network`, () => {
    const r = build(engine, INTERNAL);
    const t = r.topology!;
    const routes = (c: string) => (t.containers.find((x) => x.name === c) as unknown as { routes: { via?: string }[] }).routes.map((x) => x.via);
    assert.equal(routes('only-internal'), engine === '20.10' ? ['10.61.0.1'] : []);
    assert.equal(routes('both'), ['10.62.0.1']);
    assert.equal(t.ports.filter((p) => p.hostPort === 8081), []);
    const rules = r.files!.get('local/iptables.rules')!;
    assert.not.match(rules, /--dport 8081/);
    const setup = r.files!.get('local/setup.sh')!;
    assert.is(setup.includes('route add default via 10.61.0.1'), engine === '20.10');
  });

  test(`engine ${engine}: legacy link ports ${engine === '29' ? 'ascending' : 'highest first (nat.SortPortMap)'}`, () => {
    const r = build(engine, `daemon: {icc: false}\ncontainers:\n  db: {expose: [5432, 80, 9000]}\n  web: {links: ["db:database"]}\n`);
    const rules = r.files!.get('local/iptables.rules')!;
    const order = [...rules.matchAll(/-s 172\.17\.0\.3\/32 -d 172\.17\.0\.2\/32 .*--dport (\d+) -j ACCEPT/g)].map((m) => Number(m[1]));
    assert.equal(order, engine === '29' ? [80, 5432, 9000] : [9000, 5432, 80]);
  });
}

test('engine 20.10: published ports count in the link order by their host port (nat.SortPortMap)', () => {
  // Host and container ports rise together, so Less is a strict order here and Go's map order cannot
  // change the result: 90 (host 9090), 80 (host 8080), then 22 (exposed only, host port 0).
  const r = build('20.10', `daemon: {icc: false}\ncontainers:\n  db: {expose: [22], ports: ["8080:80", "9090:90"]}\n  web: {links: ["db:database"]}\n`);
  const rules = r.files!.get('local/iptables.rules')!;
  const order = [...rules.matchAll(/-s 172\.17\.0\.3\/32 -d 172\.17\.0\.2\/32 .*--dport (\d+) -j ACCEPT/g)].map((m) => Number(m[1]));
  assert.equal(order, [90, 80, 22]);
});

test.run();
