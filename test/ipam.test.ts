// IPAM as Docker 29 does it: subnets from the default pools avoiding host routes and nameservers,
// gateways first free (in the sub-pool when there is one), containers lowest free in file order,
// statics reserved first.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile.ts';
import { addrString, mustParseAddr, parsePrefix, valueString } from '../src/net/index.ts';
import { lowestFreeSubnet, DEFAULT_LOCAL_POOLS, ulaPool } from '../src/ipam/pools.ts';

const build = (yaml: string) => {
  const r = compile({ file: 't.yaml', text: yaml });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.map((d) => `${d.code}: ${d.message}`), []);
  return r.topology!;
};
const addr = (t: ReturnType<typeof build>, c: string, n: string) => t.endpoints.find((e) => e.container === c && e.network === n);
const bridge = (t: ReturnType<typeof build>, n: string) => t.bridges.find((b) => b.network === n)!;

test('IPv6 text is RFC 5952 canonical, as Go prints it (a mapped address keeps its dotted tail)', () => {
  for (const [input, out] of [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['fd49:efd7:54aa:0:0:0:0:1', 'fd49:efd7:54aa::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::ffff:102:304', '::ffff:1.2.3.4'],
    ['fe80::1:2:3:4:5:6', 'fe80:0:1:2:3:4:5:6'],
  ]) assert.is(addrString(mustParseAddr(input!)), out, input);
});

test('pools: the first free /16 of 172.17-172.31, then 192.168.x.0/20, skipping taken prefixes', () => {
  const taken = [parsePrefix('172.17.0.0/16')!, parsePrefix('172.18.5.0/24')!];
  assert.is(valueString(4, lowestFreeSubnet(DEFAULT_LOCAL_POOLS, 4, taken)!.address), '172.19.0.0');
  const all = [parsePrefix('172.16.0.0/12')!];
  const p = lowestFreeSubnet(DEFAULT_LOCAL_POOLS, 4, all)!;
  assert.is(`${valueString(4, p.address)}/${p.length}`, '192.168.0.0/20');
  assert.is(lowestFreeSubnet(DEFAULT_LOCAL_POOLS, 4, [parsePrefix('0.0.0.0/0')!]), undefined);
});

test('the IPv6 pool is a ULA /48 derived from the host name, split into /64s', () => {
  const p = ulaPool('local');
  assert.match(p.base, /^fd[0-9a-f]{0,2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/48$/);
  assert.is(p.size, 64);
  assert.is.not(ulaPool('other').base, p.base);
});

test('docker0 takes 172.17.0.0/16 unless a host route or nameserver is there', () => {
  let t = build('version: 1\nhost: {resolv_conf: "nameserver 10.0.0.1\\n"}\n');
  assert.equal(bridge(t, 'bridge').addresses, ['172.17.0.1/16']);
  t = build('version: 1\nhost: {resolv_conf: "nameserver 172.17.0.53\\n", routes: [172.18.0.0/16]}\n');
  assert.equal(bridge(t, 'bridge').addresses, ['172.19.0.1/16']);
});

test('bip sets subnet and gateway; fixed-cidr restricts container addresses only', () => {
  const t = build(`version: 1
daemon: {bip: 10.50.0.9/16, fixed-cidr: 10.50.8.0/24}
host: {resolv_conf: ""}
containers:
  c1: {}
  c2: {}
`);
  assert.equal(bridge(t, 'bridge').addresses, ['10.50.0.9/16']);
  // Docker 29 (addrset.AddAnyInRange) hands out the sub-pool's first address even when it ends in .0:
  // only the subnet's own network and broadcast addresses are reserved.
  assert.is(addr(t, 'c1', 'bridge')!.ipv4, '10.50.8.0');
  assert.is(addr(t, 'c1', 'bridge')!.ipv4PrefixLength, 16);
  assert.is(addr(t, 'c2', 'bridge')!.ipv4, '10.50.8.1');
});

test('a user network: gateway first free of ip_range, statics reserved before dynamic addresses', () => {
  const t = build(`version: 1
host: {resolv_conf: ""}
networks:
  n1:
    ipam: {config: [{subnet: 10.10.0.0/24, ip_range: 10.10.0.128/25}]}
containers:
  dyn1: {networks: [n1]}
  fixed: {networks: {n1: {ipv4_address: 10.10.0.130}}}
  dyn2: {networks: [n1]}
`);
  assert.equal(bridge(t, 'n1').addresses, ['10.10.0.128/24']);
  assert.is(addr(t, 'dyn1', 'n1')!.ipv4, '10.10.0.129');
  assert.is(addr(t, 'fixed', 'n1')!.ipv4, '10.10.0.130');
  assert.is(addr(t, 'dyn2', 'n1')!.ipv4, '10.10.0.131');
});

test('networks without subnets take successive pools in file order; IPv6 from the ULA pool', () => {
  const t = build(`version: 1
host: {resolv_conf: ""}
networks:
  a: {}
  b: {enable_ipv6: true}
containers:
  c1: {networks: [b]}
`);
  assert.equal(bridge(t, 'a').addresses, ['172.18.0.1/16']);
  assert.is(bridge(t, 'b').addresses[0], '172.19.0.1/16');
  assert.match(bridge(t, 'b').addresses[1]!, /^fd[0-9a-f:]+::1\/64$/);
  assert.match(addr(t, 'c1', 'b')!.ipv6!, /::2$/);
});

test('host-gateway resolves to the default bridge gateway; default routes go via the gateway endpoint', () => {
  const t = build(`version: 1
host: {resolv_conf: ""}
networks:
  back: {internal: true}
containers:
  c1:
    networks: [back, bridge]
    extra_hosts: ["host.docker.internal:host-gateway"]
`);
  const c = t.containers.find((x) => x.name === 'c1')!;
  assert.equal(c.routes.map((r) => `${r.family} ${r.via} ${r.device}`), ['4 172.17.0.1 eth1']);
  assert.ok(c.hosts.kind === 'built' && c.hosts.spec.extraHosts.some((h) => h.ip === '172.17.0.1'));
});

test('published ports: exact ports, ranges pick the first free port, ephemeral ports start at 32768', () => {
  const t = build(`version: 1
host: {resolv_conf: ""}
containers:
  a1: {ports: ["8080:80", "8080:80/udp"]}
  a2: {ports: ["8080-8082:80", "90"]}
`);
  const m = (c: string) => t.ports.filter((p) => p.container === c && p.hostIP === '0.0.0.0').map((p) => `${p.hostPort}->${p.containerPort}/${p.proto}`);
  assert.equal(m('a1'), ['8080->80/tcp', '8080->80/udp']);
  // Sorted as dockerd programs them (PortBindingReq.Compare: both are ranges, so by container port).
  assert.equal(m('a2'), ['8081->80/tcp', '32768->90/tcp']);
});

test.run();
