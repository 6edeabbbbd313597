// `firewall-backend: nftables` end to end, for what moby's goldens and scenario documents do not show:
// several networks (chain order, verdict-map element order), legacy links, trusted host interfaces,
// bridge-accept-fwmark, allow-direct-routing, IPv6, ip6tables/iptables off, isolated and internal
// networks, SCTP and port ranges, what dockerd refuses, and the model's gates (Docker 28, swarm mode).
// Expected lines are derived by hand from moby's nftabler (daemon/libnetwork/drivers/bridge/internal/
// nftabler/*.go at Docker 29), in the form `nft -s list` prints them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, type CompileResult } from '../src/compile.ts';
import type { NftablesRules } from '../src/firewall/index.ts';
import { listTable } from '../src/firewall/nftables/text/index.ts';
import { testSecrets } from './support/examples.ts';

const build = (text: string): CompileResult =>
  compile({ file: 'nft.yaml', text: `version: 1\nhost: {resolv_conf: "nameserver 10.0.0.1\\n"}\n${text}` });
const errors = (r: CompileResult): string[] => r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.path.join('.')}`);
const ok = (text: string): CompileResult => {
  const r = build(text);
  assert.equal(errors(r), [], 'unexpected errors');
  return r;
};
const rules = (r: CompileResult): NftablesRules => {
  const fw = r.topology!.firewall;
  if (fw.backend !== 'nftables') throw new Error(`expected the nftables backend, got ${fw.backend}`);
  return fw;
};
/** One chain (or map) of a table as `nft -s list` prints it, without its braces. */
function block(r: CompileResult, table: string, head: string): string[] {
  const [family, name] = table.split(' ') as ['ip' | 'ip6', string];
  const t = rules(r).tables.find((x) => x.name === name && x.family === (family === 'ip' ? 4 : 6));
  assert.ok(t, `no table ${table}`);
  const lines = listTable(t, { counters: false, dialect: 'current' }).split('\n');
  const start = lines.indexOf(`\t${head} {`);
  assert.ok(start >= 0, `no ${head} in ${table}`);
  const end = lines.indexOf('\t}', start);
  return lines.slice(start + 1, end).map((l) => l.trim());
}
const NFT = 'daemon:\n  firewall-backend: nftables\n';

test('two networks: each bridge gets its four chains after the daemon\'s, in creation order; map elements as nft sorts them', () => {
  const r = ok(`${NFT}networks:\n  zz: {driver_opts: {com.docker.network.bridge.name: br-long-name}}\n  a: {driver_opts: {com.docker.network.bridge.name: b1}}\n`);
  const t = rules(r).tables[0]!;
  assert.equal(t.chains.map((c) => c.name).slice(6), [
    'filter-forward-in__docker0', 'filter-forward-out__docker0', 'nat-postrouting-in__docker0', 'nat-postrouting-out__docker0',
    'filter-forward-in__br-long-name', 'filter-forward-out__br-long-name', 'nat-postrouting-in__br-long-name', 'nat-postrouting-out__br-long-name',
    'filter-forward-in__b1', 'filter-forward-out__b1', 'nat-postrouting-in__b1', 'nat-postrouting-out__b1',
  ]);
  // An ifname is compared as a little-endian 16-byte number: shorter names first.
  assert.equal(block(r, 'ip docker-bridges', 'map filter-forward-in-jumps'), [
    'type ifname : verdict',
    'elements = { "b1" : jump filter-forward-in__b1,',
    '"docker0" : jump filter-forward-in__docker0,',
    '"br-long-name" : jump filter-forward-in__br-long-name }',
  ]);
  assert.equal(rules(r).tables.map((x) => `${x.family} ${x.name}`), ['4 docker-bridges', '6 docker-bridges']);
  assert.not.ok(r.files!.has('local/iptables.rules'));
});

test('legacy links on the default bridge with icc off: link rules between the fwmark and ICC groups (link.go)', () => {
  const r = ok(`daemon:
  firewall-backend: nftables
  icc: false
  bridge-accept-fwmark: "0x1/0xff"
containers:
  db: {expose: [5432, 53/udp]}
  web: {links: ["db:database"]}
`);
  assert.equal(block(r, 'ip docker-bridges', 'chain filter-forward-in__docker0'), [
    'ct state established,related counter accept',
    'meta mark & 0x000000ff == 0x00000001 counter accept comment "ALLOW FW MARK"',
    'ip saddr 172.17.0.3 ip daddr 172.17.0.2 udp dport 53 counter accept',
    'ip saddr 172.17.0.2 udp sport 53 ip daddr 172.17.0.3 counter accept',
    'ip saddr 172.17.0.3 ip daddr 172.17.0.2 tcp dport 5432 counter accept',
    'ip saddr 172.17.0.2 tcp sport 5432 ip daddr 172.17.0.3 counter accept',
    'iifname "docker0" counter drop comment "ICC"',
    'counter drop comment "UNPUBLISHED PORT DROP"',
  ]);
  // No link rules in the IPv6 table (link.go applies to table4 only); a mark without mask is a plain value.
  const plain = ok(`${NFT}  bridge-accept-fwmark: "7"\n`);
  assert.ok(block(plain, 'ip docker-bridges', 'chain filter-forward-in__docker0').includes('meta mark 0x00000007 counter accept comment "ALLOW FW MARK"'));
});

test('trusted host interfaces join the bridge in the direct-access drop; allow-direct-routing removes the drop', () => {
  const net = `networks:
  n:
    ipam: {config: [{subnet: 10.9.0.0/24}]}
    driver_opts: {com.docker.network.bridge.name: brn, com.docker.network.bridge.trusted_host_interfaces: "eth1:vxlan100:lan"}
containers:
  c1: {networks: [n]}
`;
  assert.equal(block(ok(`${NFT}  bridge: none\n${net}`), 'ip docker-bridges', 'chain raw-PREROUTING').slice(1), [
    'ip daddr 10.9.0.2 iifname != { "lan", "brn", "eth1", "vxlan100" } counter drop comment "DROP DIRECT ACCESS"',
  ]);
  assert.equal(block(ok(`${NFT}  bridge: none\n  allow-direct-routing: true\n${net}`), 'ip docker-bridges', 'chain raw-PREROUTING').slice(1), []);
});

test('IPv6: DNAT skips link-local sources, ICMPv6 in routed mode, no loopback drop for [::1]', () => {
  const r = ok(`daemon:
  firewall-backend: nftables
  bridge: none
networks:
  v6:
    enable_ipv6: true
    ipam: {config: [{subnet: 10.6.0.0/24}, {subnet: "fd00:6::/64"}]}
    driver_opts: {com.docker.network.bridge.name: br6, com.docker.network.bridge.gateway_mode_ipv6: routed}
containers:
  c1: {networks: [v6], ports: ["[::1]:8080:80", "127.0.0.1:8081:81/sctp"]}
`);
  assert.equal(block(r, 'ip6 docker-bridges', 'chain filter-forward-in__br6'), [
    'ct state established,related counter accept',
    'meta l4proto ipv6-icmp counter accept comment "ICMP"',
    'iifname "br6" counter accept comment "ICC"',
    'ip6 daddr fd00:6::2 tcp dport 80 counter accept',
    'counter drop comment "UNPUBLISHED PORT DROP"',
  ]);
  // Routed IPv6: the routed mapper zeroes the host port, so no DNAT in ip6; IPv4 is nat.
  assert.equal(block(r, 'ip6 docker-bridges', 'chain nat-prerouting-and-output'), []);
  assert.equal(block(r, 'ip docker-bridges', 'chain nat-prerouting-and-output'), [
    'iifname != "br6" ip daddr 127.0.0.1 sctp dport 8081 counter dnat to 10.6.0.2:81 comment "DNAT"',
  ]);
  assert.equal(block(r, 'ip docker-bridges', 'chain raw-PREROUTING').slice(1), [
    'ip daddr 10.6.0.2 iifname != "br6" counter drop comment "DROP DIRECT ACCESS"',
    'iifname != "lo" ip daddr 127.0.0.1 sctp dport 8081 counter drop comment "DROP REMOTE LOOPBACK"',
  ]);
  const nat6 = ok(`daemon: {firewall-backend: nftables, bridge: none}
networks:
  v6: {enable_ipv6: true, ipam: {config: [{subnet: 10.6.0.0/24}, {subnet: "fd00:6::/64"}]}, driver_opts: {com.docker.network.bridge.name: br6}}
containers:
  c1: {networks: [v6], ports: ["8080:80"]}
`);
  assert.equal(block(nat6, 'ip6 docker-bridges', 'chain nat-prerouting-and-output'), [
    'iifname != "br6" ip6 saddr != fe80::/10 tcp dport 8080 counter dnat to [fd00:6::2]:80 comment "DNAT"',
  ]);
});

test('a port range publishes each port; one container port on two host ports gets one ACCEPT (IgnoreExist)', () => {
  const r = ok(`${NFT}  bridge: none
networks: {n: {ipam: {config: [{subnet: 10.7.0.0/24}]}, driver_opts: {com.docker.network.bridge.name: brn}}}
containers:
  c1: {networks: [n], ports: ["9000-9001:7000-7001", "8080:80", "8081:80"]}
`);
  assert.equal(block(r, 'ip docker-bridges', 'chain filter-forward-in__brn').slice(2, -1), [
    'ip daddr 10.7.0.2 tcp dport 80 counter accept',
    'ip daddr 10.7.0.2 tcp dport 7000 counter accept',
    'ip daddr 10.7.0.2 tcp dport 7001 counter accept',
  ]);
  assert.equal(block(r, 'ip docker-bridges', 'chain nat-prerouting-and-output'), [
    'iifname != "brn" tcp dport 8080 counter dnat to 10.7.0.2:80 comment "DNAT"',
    'iifname != "brn" tcp dport 8081 counter dnat to 10.7.0.2:80 comment "DNAT"',
    'iifname != "brn" tcp dport 9000 counter dnat to 10.7.0.2:7000 comment "DNAT"',
    'iifname != "brn" tcp dport 9001 counter dnat to 10.7.0.2:7001 comment "DNAT"',
  ]);
});

test('userland-proxy off: dockerd refuses a second host port for one container port ("MASQ TO OWN PORT" exists), at the port', () => {
  const r = build(`daemon: {firewall-backend: nftables, userland-proxy: false}
containers:
  c1: {ports: ["8080:80", "8081:80"]}
`);
  assert.equal(errors(r), ['UNSUPPORTED containers.c1.ports.1']);
  assert.match(r.diagnostics.find((d) => d.severity === 'error')!.message, /MASQ TO OWN PORT/);
  assert.not.ok(r.files, 'files written despite an error');
  ok(`daemon: {firewall-backend: iptables, userland-proxy: false}\ncontainers:\n  c1: {ports: ["8080:80", "8081:80"]}\n`);
});

test('internal and isolated networks: the drops, the ICC verdict, nothing for ports', () => {
  const r = ok(`${NFT}  bridge: none
networks:
  i:
    internal: true
    ipam: {config: [{subnet: 10.8.0.0/24}]}
    driver_opts: {com.docker.network.bridge.name: bri, com.docker.network.bridge.gateway_mode_ipv4: isolated, com.docker.network.bridge.enable_icc: "false"}
containers:
  c1: {networks: [i], ports: ["8080:80"]}
`);
  assert.equal(block(r, 'ip docker-bridges', 'chain filter-forward-in__bri'), [
    'ct state established,related counter accept',
    'iifname != "bri" counter drop comment "INTERNAL NETWORK INGRESS"',
    'counter drop comment "ICC"',
  ]);
  assert.equal(block(r, 'ip docker-bridges', 'chain raw-PREROUTING').slice(1), []);
  assert.equal(block(r, 'ip docker-bridges', 'chain nat-prerouting-and-output'), []);
});

test('iptables / ip6tables off: no table for that family', () => {
  assert.equal(rules(ok(`${NFT}  ip6tables: false\n`)).tables.map((t) => t.family), [4]);
  const r = build(`${NFT}  iptables: false\n`);
  assert.equal(errors(r), []);
  assert.equal(rules(r).tables.map((t) => t.family), [6]);
  assert.match(r.diagnostics.find((d) => d.code === 'FIREWALL_OFF')!.message, /^iptables: false: .*no masquerading/);
  assert.not.match(r.diagnostics.find((d) => d.code === 'FIREWALL_OFF')!.message, /DOCKER-USER/);
});

test('Docker 28 has no firewall-backend key; the error says what 28.2-28.5 had', () => {
  const r = build('engine: "28"\ndaemon: {firewall-backend: nftables}\n');
  assert.equal(errors(r), ['UNSUPPORTED daemon.firewall-backend']);
  assert.match(r.diagnostics.find((d) => d.severity === 'error')!.message, /DOCKER_FIREWALL_BACKEND=nftables/);
});

test('setup.sh names nftables.rules; forwarding is on, for the nftables backend\'s reason', () => {
  const r = ok(NFT);
  assert.match(r.files!.get('local/setup.sh')!, /Firewall rules are in nftables\.rules\n# \(load it with nft -f\)/);
  const forward = r.topology!.hostSysctls.find((s) => s.key.join('.') === 'net.ipv4.ip_forward');
  assert.equal([forward?.value, forward?.reason], ['1', 'Docker, nftables backend: forwarding must be on (checkIPv4Forwarding)']);
});


const SWARM = `hosts:
  node1: {address: 192.168.56.11, interfaces: [eth0], open_swarm_ports: true}
  node2: {address: 192.168.56.12, interfaces: [eth0], role: worker}
networks:
  secret: {driver: overlay, attachable: true, driver_opts: {encrypted: ""}}
containers:
  a1: {host: node1, networks: [secret]}
  b1: {host: node2, networks: [secret]}
`;

test('swarm mode: refused with iptables on (IsSwarmCompatible); with iptables off, the docker-overlay table and NETFORM-SWARM', () => {
  const refused = compile({ file: 'swarm.yaml', text: `version: 1\ndaemon: {firewall-backend: nftables}\n${SWARM}` }, undefined, { secrets: testSecrets() });
  assert.equal(errors(refused), ['UNSUPPORTED daemon.firewall-backend']);
  assert.match(refused.diagnostics.find((d) => d.severity === 'error')!.message, /incompatible with swarm mode/);

  const r = compile({ file: 'swarm.yaml', text: `version: 1\ndaemon: {firewall-backend: nftables, iptables: false}\n${SWARM}` }, undefined, { secrets: testSecrets() });
  assert.equal(errors(r), []);
  const node1 = r.topologies!.find((t) => t.host === 'node1')!.firewall;
  assert.is(node1.backend, 'nftables');
  if (node1.backend !== 'nftables') return;
  assert.equal(node1.tables.map((t) => `${t.family === 4 ? 'ip' : 'ip6'} ${t.name}`), ['ip6 docker-bridges', 'ip docker-overlay']);
  const overlay = listTable(node1.tables[1]!, { counters: false, dialect: 'current' });
  assert.match(overlay, /\t\ttype route hook output priority mangle; policy accept;\n\t\tudp dport 4789 @th,96,24 @encrypted-vnis counter meta mark set 0x00d0c4e3\n/);
  assert.match(overlay, /\t\ttype filter hook input priority raw; policy accept;\n\t\tmeta ipsec missing udp dport 4789 @th,96,24 @encrypted-vnis counter drop\n/);
  assert.match(overlay, /\t\telements = \{ 0x[0-9a-f]+ \}\n/);
  // netform's own chain stays in iptables; the encryption rules are not there twice.
  const ipt = r.files!.get('node1/iptables.rules')!;
  assert.match(ipt, /-A NETFORM-SWARM -p udp -m udp --dport 4789 -j ACCEPT/);
  assert.not.match(ipt, /bpf|MARK/);
  assert.ok(r.files!.get('node1/nftables.rules')!.includes('table ip docker-overlay\ndelete table ip docker-overlay\n'));
});

test.run();
