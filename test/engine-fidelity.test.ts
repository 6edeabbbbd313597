// What differs between releases in routes, bridge addresses and legacy-link rules, each checked on every
// engine against the release that does it (the moby code is cited in src/model/engine-types.ts):
// - a container whose only network is internal gets a default route through it up to 24 (20.10 here),
//   never published ports there, and never that route when it has another network;
// - an IPv6 bridge also carries fe80::1/64 up to 26 (20.10 here), internal or not, kept apart from the
//   network's own addresses (its gateway and subnets);
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

  test(`engine ${engine}: IPv6 bridges ${engine === '20.10' ? 'carry' : 'do not carry'} fe80::1/64, internal or not, before the network's IPv6 address`, () => {
    const daemon = engine === '20.10' ? 'daemon: {ipv6: true, fixed-cidr-v6: "fd00:20::/64", experimental: true, ip6tables: true}\n' : 'daemon: {ipv6: true, fixed-cidr-v6: "fd00:20::/64"}\n';
    const nets = `networks:\n  v6: {enable_ipv6: true, ipam: {config: [{subnet: 10.60.0.0/24}, {subnet: "fd00:60::/64"}]}}\n  v6int: {internal: true, enable_ipv6: true, ipam: {config: [{subnet: 10.61.0.0/24}, {subnet: "fd00:61::/64"}]}}\n  v4: {}\n`;
    const r = build(engine, `${daemon}${nets}containers:\n  c1: {networks: [v6, v4]}\n  c2: {networks: [v6int]}\n`);
    const bridges = new Map(r.topology!.bridges.map((b) => [b.network, b]));
    const ll = engine === '20.10' ? 'fe80::1/64' : undefined;
    for (const [net, v4, v6] of [['v6', '10.60.0.1/24', 'fd00:60::1/64'], ['v6int', '10.61.0.1/24', 'fd00:61::1/64'], ['bridge', '172.17.0.1/16', 'fd00:20::1/64']] as const) {
      const b = bridges.get(net)!;
      assert.is(b.linkLocalAddress, ll, net);
      assert.equal(b.addresses, [v4, v6], `${net}: the network's own addresses only`);
      const added = [...r.files!.get('local/setup.sh')!.matchAll(new RegExp(`^addr add (\\S+) dev ${b.name}( |$)`, 'gm'))].map((m) => m[1]);
      assert.equal(added, ll ? [v4, ll, v6] : [v4, v6], `${net}: setup.sh adds them in dockerd's order`);
    }
    assert.is(bridges.get('v4')!.linkLocalAddress, undefined, 'not on an IPv4-only bridge');
  });

  test(`engine ${engine}: legacy link ports ${engine === '29' ? 'ascending' : 'highest first (nat.SortPortMap)'}`, () => {
    const r = build(engine, `daemon: {icc: false}\ncontainers:\n  db: {expose: [5432, 80, 9000]}\n  web: {links: ["db:database"]}\n`);
    const rules = r.files!.get('local/iptables.rules')!;
    const order = [...rules.matchAll(/-s 172\.17\.0\.3\/32 -d 172\.17\.0\.2\/32 .*--dport (\d+) -j ACCEPT/g)].map((m) => Number(m[1]));
    assert.equal(order, engine === '29' ? [80, 5432, 9000] : [9000, 5432, 80]);
  });
}

test('engine 20.10: a network whose IPv6 gateway is fe80::1/64 has that address once; fe80::1 of another length cannot be made (27 on: both build)', () => {
  const daemon = 'daemon: {experimental: true, ip6tables: true}\n';
  const net = (subnet: string) => `networks:\n  ll: {enable_ipv6: true, ipam: {config: [{subnet: 10.60.0.0/24}, {subnet: "${subnet}"}]}}\ncontainers:\n  c1: {networks: [ll]}\n`;
  const r = build('20.10', daemon + net('fe80::/64'));
  const b = r.topology!.bridges.find((x) => x.network === 'll')!;
  assert.equal([b.addresses, b.linkLocalAddress], [['10.60.0.1/24', 'fe80::1/64'], undefined]);
  assert.is([...r.files!.get('local/setup.sh')!.matchAll(/^addr add fe80::1\/64 dev /gm)].length, 1, 'added once');
  const refused = compile({ file: 'f.yaml', text: `version: 1\nengine: "20.10"\nhost: {resolv_conf: ""}\n${daemon}${net('fe80::/80')}` });
  assert.equal(refused.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.path.join('.')}`), ['UNSUPPORTED networks.ll.ipam.config.1.subnet']);
  for (const engine of ['27', '29']) build(engine, net('fe80::/80'));
});

test('engine 20.10: published ports count in the link order by their host port (nat.SortPortMap)', () => {
  // Host and container ports rise together, so Less is a strict order here and Go's map order cannot
  // change the result: 90 (host 9090), 80 (host 8080), then 22 (exposed only, host port 0).
  const r = build('20.10', `daemon: {icc: false}\ncontainers:\n  db: {expose: [22], ports: ["8080:80", "9090:90"]}\n  web: {links: ["db:database"]}\n`);
  const rules = r.files!.get('local/iptables.rules')!;
  const order = [...rules.matchAll(/-s 172\.17\.0\.3\/32 -d 172\.17\.0\.2\/32 .*--dport (\d+) -j ACCEPT/g)].map((m) => Number(m[1]));
  assert.equal(order, [90, 80, 22]);
});

test.run();
