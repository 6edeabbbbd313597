// The e2e matrix format (harness/matrix.ts) and its checks against an example (harness/world.ts),
// and every matrix in test/e2e/matrices/ against its example: these run anywhere, root or not.
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildExample, exampleNames, MATRICES } from '../support/examples.ts';
import { missingFeatures, requiredFeatures } from './harness/kernel.ts';
import { parseMatrix, splitHostPort } from './harness/matrix.ts';
import { matrixPath, prepareExample } from './harness/run-example.ts';
import { planSandbox } from './harness/sandbox.ts';
import { addressOf, checkMatrix, namespaceOf, outsideRoute, planWorld, type World } from './harness/world.ts';

const GOOD = `
servers:
  my-nginx: [tcp/80, udp/53]
  outside: [tcp/9000]
outside_routes: [my-net]
probes:
  - {tcp: outside -> uplink:8080, reach: my-nginx:80, source: outside}
  - {udp6: "outside -> [fd0e:2e::1]:53", blocked: my-nginx:53, needs: br_netfilter}
  - {udp: host -> my-nginx@my-net:53, arrives: my-nginx:53, known_bug: "example"}
  - {tcp: my-nginx -> outside:9000, reach: outside:9000}
  - {udp: host -> my-nginx@my-net:53, reach: my-nginx:53}
  - {getent: my-nginx -> my-nginx, resolves: my-nginx@my-net}
  - {hosts: my-nginx, has: [my-nginx], lacks: [other]}
  - {links: host, has: [docker0], only: [lo, docker0]}
`;

function world(name = 'my-net', m?: Parameters<typeof planWorld>[3]): World {
  const b = buildExample(name);
  return planWorld('t-', b.topologies!, b.model!.hosts, m);
}

test('splitHostPort: names, IPv4, bracketed IPv6; rejects a bad port', () => {
  assert.equal(splitHostPort('web@front:80'), { addr: 'web@front', port: 80 });
  assert.equal(splitHostPort('[fd00::1]:8080'), { addr: 'fd00::1', port: 8080 });
  assert.equal(splitHostPort('10.0.0.1:53'), { addr: '10.0.0.1', port: 53 });
  assert.is(splitHostPort('uplink:0'), undefined);
  assert.is(splitHostPort('uplink:70000'), undefined);
  assert.is(splitHostPort('uplink'), undefined);
});

test('parseMatrix: every probe kind and marker', () => {
  const m = parseMatrix(GOOD, 'x.e2e.yaml');
  assert.equal([...m.servers.keys()], ['my-nginx', 'outside']);
  assert.equal(m.outsideRoutes, ['my-net']);
  assert.equal(
    m.probes.map((p) => p.kind),
    ['conn', 'conn', 'conn', 'conn', 'conn', 'getent', 'hosts', 'links'],
  );
  const [a, b, c] = m.probes;
  assert.equal(a, { kind: 'conn', proto: 'tcp', family: 4, from: 'outside', to: { addr: 'uplink', port: 8080 }, expect: 'reach', server: { server: 'my-nginx', port: 80 }, source: 'outside', text: 'tcp: outside -> uplink:8080' });
  assert.is(b?.kind === 'conn' && b.family, 6);
  assert.is(b?.needs, 'br_netfilter');
  assert.is(c?.kind === 'conn' && c.expect, 'arrives');
  assert.is(c?.knownBug, 'example');
});

test('parseMatrix: a YAML error names the file', () => {
  assert.throws(() => parseMatrix('probes: [', 'broken.e2e.yaml'), /^broken\.e2e\.yaml: /);
});

test('parseMatrix: reports every problem at once, with the probe it is in', () => {
  const bad = `
servers:
  web: [tcp/80, sctp/9]
probes:
  - {ping: a -> b}
  - {tcp: outside -> uplink, reach: web:80}
  - {tcp: outside -> uplink:80}
  - {tcp: outside -> uplink:80, blocked: web:80, source: outside}
  - {hosts: web, has: x}
  - {tcp: outside -> uplink:80, reach: web:80, needs: magic, colour: red}
`;
  try {
    parseMatrix(bad, 'bad.e2e.yaml');
    assert.unreachable('parseMatrix accepted a bad matrix');
  } catch (e) {
    const lines = (e as Error).message.split('\n').slice(1).map((l) => l.trim());
    assert.equal(lines, [
      'servers.web: "sctp/9" is not proto/port (tcp, udp or http)',
      'probes[0] (ping: a -> b): unknown probe kind "ping" (tcp, udp, http, tcp6, udp6, http6, getent, hosts, links)',
      'probes[1] (tcp: outside -> uplink): expected "FROM -> ADDRESS:PORT"',
      'probes[2] (tcp: outside -> uplink:80): expected exactly one of reach:, arrives: or blocked: SERVER:PORT',
      'probes[3] (tcp: outside -> uplink:80): source: only with reach or arrives, as an address spec',
      'probes[4] (hosts: web): has / lacks: expected lists of names',
      'probes[5] (tcp: outside -> uplink:80): needs: only br_netfilter is known',
      'probes[5] (tcp: outside -> uplink:80): unknown key "colour"',
    ]);
  }
});

test('checkMatrix: names must exist, servers must be declared and reached by some probe', () => {
  const m = parseMatrix(
    `
servers:
  my-nginx: [tcp/80, tcp/81]
  ghost: [tcp/1]
outside_routes: [nowhere]
probes:
  - {tcp: outside -> uplink:8080, reach: my-nginx:80}
  - {tcp: outside -> my-nginx@my-net:82, blocked: my-nginx:82}
  - {tcp6: outside -> my-nginx@my-net:80, reach: my-nginx:80}
  - {hosts: nobody}
`,
    'x.e2e.yaml',
  );
  assert.equal(checkMatrix(m, world()), [
    'servers.ghost: "ghost" is not a container of this example (nor host, outside)',
    'outside_routes: no bridge network "nowhere"',
    'tcp: outside -> my-nginx@my-net:82: no tcp server "my-nginx:82" in servers',
    'tcp6: outside -> my-nginx@my-net:80: my-nginx has no IPv6 address on my-net',
    'hosts: nobody: "nobody" is not a container of this example (nor host, outside)',
    'servers.my-nginx: tcp/81 is never the reach: or arrives: of a probe (add a positive control)',
    'servers.ghost: tcp/1 is never the reach: or arrives: of a probe (add a positive control)',
  ]);
  assert.equal(checkMatrix(parseMatrix(GOOD, 'x'), world()), []);
  // A probe that may be skipped (needs:) or is expected to fail (known_bug:) is no positive control.
  const weak = parseMatrix(GOOD.replace('  - {udp: host -> my-nginx@my-net:53, reach: my-nginx:53}\n', ''), 'x');
  assert.equal(checkMatrix(weak, world()), ['servers.my-nginx: udp/53 is never the reach: or arrives: of a probe (add a positive control)']);
});

test('addresses and namespaces resolve against the topology and the sandbox', () => {
  const w = world();
  assert.is(addressOf(w, 'uplink', 4), '203.0.113.1');
  assert.is(addressOf(w, 'outside', 6), 'fd0e:2e::2');
  assert.is(addressOf(w, 'lo', 6), '::1');
  assert.is(addressOf(w, 'gw@my-net', 4), '172.18.0.1');
  assert.is(addressOf(w, 'my-nginx@my-net', 4), '172.18.0.2');
  assert.is(addressOf(w, '10.0.0.5', 4), '10.0.0.5');
  assert.throws(() => addressOf(w, '10.0.0.5', 6), /not an IPv6 address/);
  assert.is(namespaceOf(w, 'my-nginx'), 't-c-my-nginx');
  assert.is(namespaceOf(w, 'host'), 't-host');
});

test('the sandbox keeps clear of the subnets an example uses', () => {
  const s = planSandbox('p-', [{ name: 'local', linkNames: [] }], ['203.0.113.1/24', 'fd0e:2e::1/64']);
  assert.is(s.v4.host, '198.18.0.1');
  assert.is(s.v6.host, 'fd0e:2e:1::1');
  assert.throws(() => planSandbox('p-', [{ name: 'local', linkNames: ['uplink0'] }], []), /uses the link name uplink0/);
});

test('several hosts: a namespace and a prefix each, uplinks on one outside bridge, an underlay', () => {
  const w = world('swarm-overlay');
  const [n1, n2] = w.sandbox.hosts;
  assert.equal([n1?.name, n1?.ns, n1?.containerPrefix, n1?.uplink.v4], ['node1', 't-h1-node1', 't-c1-', '203.0.113.1']);
  assert.equal([n2?.name, n2?.ns, n2?.containerPrefix, n2?.uplink.v4], ['node2', 't-h2-node2', 't-c2-', '203.0.113.3']);
  assert.equal(n1?.underlay, { ifname: 'eth0', address: '192.168.56.11', length: 24 });
  assert.is(w.sandbox.underlayNs, 't-underlay');
  assert.is(w.sandbox.v4.outside, '203.0.113.2');
  // Containers are found on their host; host and uplink must name one.
  assert.is(namespaceOf(w, 'alpha'), 't-c1-alpha');
  assert.is(namespaceOf(w, 'beta'), 't-c2-beta');
  assert.is(namespaceOf(w, 'host:node2'), 't-h2-node2');
  assert.throws(() => namespaceOf(w, 'host'), /ambiguous with several hosts: write host:HOST \(node1, node2\)/);
  assert.throws(() => namespaceOf(w, 'host:node3'), /no host "node3"/);
  assert.throws(() => namespaceOf(w, 'ingress_sbox'), /on several hosts/);
  assert.is(addressOf(w, 'beta@my-attachable-overlay', 4), '10.0.1.3');
  assert.is(addressOf(w, 'gw@my-attachable-overlay', 4), '10.0.1.1');
  assert.is(addressOf(w, 'uplink@node2', 4), '203.0.113.3');
  assert.is(addressOf(w, 'underlay@node1', 4), '192.168.56.11');
  assert.throws(() => addressOf(w, 'uplink', 4), /write uplink@HOST/);
  assert.throws(() => outsideRoute(w, 'bridge'), /on several hosts: write bridge@HOST/);
  assert.equal(outsideRoute(w, 'bridge@node2').host.name, 'node2');
});

test('lans: host interfaces joined to the outside, with the outside\'s address there', () => {
  const lans = parseMatrix('lans: {eth1: {outside: 192.168.77.1/24, host: 192.168.77.2/24}}\nprobes: [{links: host}]', 'x').lans;
  const w = world('e2e-macvlan', { lans });
  assert.equal(w.sandbox.lans, [{ ifname: 'eth1', bridge: 'lan0', outside: '192.168.77.1/24' }]);
  assert.equal(w.sandbox.hosts[0]?.lans, [{ ifname: 'eth1', segment: 'lan0', address: '192.168.77.2/24' }]);
  assert.is(addressOf(w, 'outside@eth1', 4), '192.168.77.1');
  assert.throws(() => world('e2e-macvlan', { lans: parseMatrix('lans: {eth7: {outside: 10.9.0.1/24}}\nprobes: [{links: host}]', 'x').lans }), /no host of the example lists eth7/);
  assert.throws(() => parseMatrix('lans: {eth1: {outside: 192.168.77.1, mtu: 9000}}\nprobes: [{links: host}]', 'x'), /lans\.eth1: unknown key "mtu"[^]*lans\.eth1\.outside: expected/);
});


test('several hosts: a server on one host is named host:HOST, also in a verdict', () => {
  const m = parseMatrix('servers:\n  host:node2: [udp/7946]\nprobes:\n  - {udp: host:node1 -> underlay@node2:7946, reach: host:node2:7946, source: underlay@node1}\n', 'x');
  const [p] = m.probes;
  assert.equal(p?.kind === 'conn' && [p.from, p.to, p.server], ['host:node1', { addr: 'underlay@node2', port: 7946 }, { server: 'host:node2', port: 7946 }]);
  assert.equal(checkMatrix(m, world('swarm-overlay')), []);
});

test('kernel features: what an example needs, and the reason when this kernel lacks some', () => {
  const need = (name: string) => requiredFeatures(buildExample(name).topologies!);
  assert.equal(need('my-net'), ['veth', 'bridge']);
  assert.equal(need('swarm-overlay'), ['veth', 'bridge', 'vxlan']);
  assert.equal(need('e2e-macvlan'), ['veth', 'bridge', 'macvlan']);
  const have = new Map([['veth', undefined], ['bridge', undefined], ['vxlan', undefined], ['macvlan', 'Error: Unknown device type.']] as const);
  assert.is(missingFeatures(need('swarm-overlay'), have), undefined);
  assert.is(missingFeatures(need('e2e-macvlan'), have), 'this kernel has no macvlan [Error: Unknown device type.]');
});

test('every example has a matrix (iptablesdoc-* and nftablesdoc-* optional), every matrix an example', () => {
  const names = exampleNames();
  // iptablesdoc-* and nftablesdoc-* model moby's own harness: they run when they have a matrix.
  assert.equal(
    names.filter((n) => !/^(ip|nf)tablesdoc-/.test(n) && !existsSync(matrixPath(n))),
    [],
    'examples without test/e2e/matrices/<name>.e2e.yaml',
  );
  const orphans = readdirSync(MATRICES).filter((f) => !f.endsWith('.e2e.yaml') || !names.includes(f.slice(0, -'.e2e.yaml'.length)));
  assert.equal(orphans, [], 'files in test/e2e/matrices/ that are not the matrix of an example');
});

test('every matrix is valid for its example', () => {
  const problems: string[] = [];
  for (const n of exampleNames().filter((name) => existsSync(matrixPath(name)))) {
    try {
      prepareExample(n, 'check-');
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  assert.equal(problems, []);
});

test.run();
