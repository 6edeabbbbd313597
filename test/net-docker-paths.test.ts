// Addresses judged as the Docker code path that reads each field judges them (src/net's parseIP /
// parseAddr / parseCIDR), seen from a whole compile: the verdict, where it points, and the text written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile.ts';
import { locate } from '../src/diagnostics/format.ts';

const H = 'version: 1\nhost: {resolv_conf: "nameserver 10.0.0.1\\n"}\n';
const build = (yaml: string) => compile({ file: 'net.yaml', text: yaml });
const at = (r: ReturnType<typeof build>, code: string): string[] =>
  r.diagnostics
    .filter((d) => d.code === code)
    .map((d) => {
      const src = r.sources.get(d.file ?? 'net.yaml')!;
      const pos = locate(d, src.parsed!.doc, src.parsed!.lineCounter);
      return `${pos.line}:${pos.col}`;
    });

test('a port published on an IPv4-mapped host address is IPv4 (the port mapper sees a net.IP)', () => {
  const r = build(`${H}networks:\n  n: {ipam: {config: [{subnet: 10.5.0.0/24}]}}\ncontainers:\n  web:\n    networks: [n]\n    ports: ["[::ffff:127.0.0.1]:8080:80"]\n`);
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error'), []);
  const v4 = r.files!.get('local/iptables.rules')!;
  const v6 = r.files!.get('local/ip6tables.rules')!;
  assert.match(v4, '-A DOCKER -d 127.0.0.1/32 ! -i br-');
  assert.match(v4, '-A PREROUTING -d 127.0.0.1/32 ! -i lo -p tcp -m tcp --dport 8080 -j DROP');
  assert.not.match(v6, '8080');
});

test('extra_hosts: a mapped address is written unmapped (buildSandboxOptions: ParseAddr, Unmap)', () => {
  const r = build(`${H}containers:\n  web:\n    extra_hosts: ["h:::ffff:10.1.1.1", "g=[2001:DB8::0:1]"]\n`);
  const hosts = r.files!.get('local/containers/web/hosts')!;
  assert.match(hosts, '10.1.1.1\th\n');
  assert.match(hosts, '2001:db8::1\tg\n');
});

test('static addresses: mapped IPv6 and unspecified addresses are refused (normalizeEndpointIPAMConfig)', () => {
  const r = build(`${H}networks:
  n: {enable_ipv6: true, ipam: {config: [{subnet: 10.5.0.0/24}, {subnet: "fd00:1::/64"}]}}
containers:
  a1:
    networks: {n: {ipv6_address: "::ffff:10.5.0.9"}}
  b1:
    networks: {n: {ipv4_address: 0.0.0.0}}
  c1:
    networks: {n: {ipv6_address: "::"}}
  d1:
    networks: {n: {ipv4_address: 10.5.0.9, ipv6_address: "fd00:1::9"}}
`);
  assert.equal(at(r, 'BAD_ADDRESS'), ['7:34', '9:34', '11:34']);
  assert.is(r.files, undefined);
});

test('host bits of bip are the gateway, the masked network the subnet (net.ParseCIDR)', () => {
  const r = build(`${H}daemon: {bip: 192.168.7.5/24, fixed-cidr: 192.168.7.128/25}\ncontainers:\n  web: {}\n`);
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error'), []);
  const docker0 = r.topology!.bridges.find((b) => b.network === 'bridge')!;
  assert.equal(docker0.addresses, ['192.168.7.5/24']);
  assert.match(r.files!.get('local/containers/web/hosts')!, '192.168.7.128\tweb');
});

test.run();
