// `engine:` end to end, for what the recorded dumps (docker-20.10 fixtures, v28.5.2 iptablesdoc) do not
// cover: the key's parsing and errors, the settings a release does not have, and the layouts of Docker 27
// and 20.10 that no recording shows (ip6tables without IPv6 networks, routed mode, SCTP, IPv6 internal
// networks, port order). Expected lines are derived by hand from moby's code at the tag named in each test.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, type CompileResult } from '../src/compile.ts';
import { renderIptablesS } from '../src/firewall/iptables/text/index.ts';
import type { TableName } from '../src/firewall/iptables/types.ts';
import { iptablesRules } from './support/firewall.ts';

const build = (text: string): CompileResult => compile({ file: 'engine.yaml', text: `version: 1\nhost: {resolv_conf: "nameserver 10.0.0.1\\n"}\n${text}` });
const errors = (r: CompileResult) => r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.path.join('.')}`);
const ok = (text: string): CompileResult => {
  const r = build(text);
  assert.equal(errors(r), [], 'unexpected errors');
  return r;
};
const listing = (r: CompileResult, family: 4 | 6, table: TableName): string[] => {
  const fw = iptablesRules(r.topology!.firewall);
  const rs = family === 4 ? fw.v4 : fw.v6;
  assert.ok(rs, `no IPv${family} ruleset`);
  return renderIptablesS(rs, table).trimEnd().split('\n').filter((l) => !l.startsWith('-P '));
};
const file = (r: CompileResult, rel: string): string => r.files!.get(`local/${rel}`)!;

// ----- the key ---------------------------------------------------------------------------------------

test('engine: default 29; "28", "27", "20.10" and the whole numbers 27..29 are accepted', () => {
  assert.is(ok('').model!.engine, '29');
  assert.is(ok('').topology!.engine, '29');
  for (const [v, e] of [['"28"', '28'], ['"27"', '27'], ['"20.10"', '20.10'], ['28', '28'], ['29', '29'], ['27', '27']] as const) {
    assert.is(ok(`engine: ${v}`).model!.engine, e, v);
  }
});

test('engine: unquoted 20.10 (the YAML float 20.1) is an error that says so; other versions list the supported ones', () => {
  const r = build('engine: 20.10');
  assert.equal(errors(r), ['BAD_OPTION engine']);
  assert.match(r.diagnostics.find((d) => d.severity === 'error')!.message, /20\.1\b.*"20\.10"/);
  assert.equal(errors(build('engine: 26')), ['UNSUPPORTED engine']);
  assert.equal(errors(build('engine: 28.5')), ['UNSUPPORTED engine']);
  assert.equal(errors(build('engine: "26"')), ['SCHEMA_ENUM engine']);
  assert.equal(errors(build('engine: "20.10.24"')), ['SCHEMA_ENUM engine']);
});

// ----- what a release does not have ---------------------------------------------------------------------

test('settings a release does not have are refused, with their path', () => {
  assert.equal(errors(build('engine: "27"\ndaemon: {bip6: "fd00:1::1/64", ipv6: true, fixed-cidr-v6: "fd00:1::/64"}')), ['UNSUPPORTED daemon.bip6']);
  assert.equal(errors(build('engine: "28"\ndaemon: {firewall-backend: iptables}')), ['UNSUPPORTED daemon.firewall-backend']);
  assert.equal(errors(build('engine: "27"\ndaemon: {ip-forward-no-drop: true}')), ['UNSUPPORTED daemon.ip-forward-no-drop']);
  assert.equal(errors(build('engine: "20.10"\ndaemon: {ip6tables: true}')), ['UNSUPPORTED daemon.ip6tables']);
  ok('engine: "20.10"\ndaemon: {ip6tables: true, experimental: true}');
  assert.equal(
    errors(build('engine: "20.10"\nnetworks: {n: {driver_opts: {com.docker.network.bridge.gateway_mode_ipv4: routed}}}')),
    ['UNSUPPORTED networks.n.driver_opts.com.docker.network.bridge.gateway_mode_ipv4'],
  );
  ok('engine: "27"\nnetworks: {n: {driver_opts: {com.docker.network.bridge.gateway_mode_ipv4: routed}}}');
  assert.equal(
    errors(build('engine: "27"\nnetworks: {n: {driver_opts: {com.docker.network.bridge.gateway_mode_ipv4: nat-unprotected}}}')),
    ['UNSUPPORTED networks.n.driver_opts.com.docker.network.bridge.gateway_mode_ipv4'],
  );
  assert.equal(errors(build('engine: "27"\nnetworks: {n: {enable_ipv4: false, enable_ipv6: true}}')), ['UNSUPPORTED networks.n.enable_ipv4']);
  assert.equal(errors(build('engine: "20.10"\nnetworks: {n: {enable_ipv6: true}}')), ['UNSUPPORTED networks.n.enable_ipv6']);
  assert.equal(errors(build('engine: "27"\ndaemon: {ipv6: true}')), ['UNSUPPORTED daemon.ipv6']);
  assert.equal(
    errors(build('engine: "20.10"\nnetworks: {n: {enable_ipv6: true, ipam: {config: [{subnet: "fd00:9::/64"}]}, driver_opts: {com.docker.network.host_ipv4: 192.0.2.9}}}')),
    ['UNSUPPORTED networks.n.driver_opts.com.docker.network.host_ipv4'],
  );
  assert.equal(errors(build('engine: "27"\ncontainers: {c1: {networks: {bridge: {gw_priority: 1}}}}')), ['UNSUPPORTED containers.c1.networks.bridge']);
});

test('ip6tables defaults to false in 20.10 (no ip6tables.rules) and to true from 27', () => {
  assert.not.ok(ok('engine: "20.10"').files!.has('local/ip6tables.rules'));
  assert.ok(ok('engine: "27"').files!.has('local/ip6tables.rules'));
});

// ----- Docker 27 ---------------------------------------------------------------------------------------

test('27: ip6tables without IPv6 networks: isolation rules for docker0 (setINC runs per family), DOCKER-USER, policy DROP', () => {
  // v27.5.1 bridge_linux.go isolateNetwork and setup_ip_forwarding.go; libnetwork/controller.go SetupUserChains.
  const r = ok('engine: "27"');
  assert.equal(listing(r, 6, 'filter'), [
    '-N DOCKER',
    '-N DOCKER-ISOLATION-STAGE-1',
    '-N DOCKER-ISOLATION-STAGE-2',
    '-N DOCKER-USER',
    '-A FORWARD -j DOCKER-USER',
    '-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2',
    '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
    '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP',
    '-A DOCKER-ISOLATION-STAGE-2 -j RETURN',
    '-A DOCKER-USER -j RETURN',
  ]);
  assert.match(file(r, 'ip6tables.rules'), /^:FORWARD DROP \[0:0\]$/m);
  assert.equal(listing(r, 6, 'nat'), ['-N DOCKER']);
  assert.not.match(file(r, 'ip6tables.rules'), /\*raw/);
});

test('27: a routed network gets no MASQUERADE, SKIP DNAT, DNAT or ICMP rule; its port ACCEPT is appended', () => {
  // v27.5.1 setup_ip_tables_linux.go setupIPTablesInternal (`if nat && config.EnableIPMasquerade`) and
  // port_mapping_linux.go (routed: HostPort 0, so setPerPortNAT returns; setPerPortForwarding appends).
  const r = ok(`engine: "27"
networks:
  r: {ipam: {config: [{subnet: 10.7.0.0/24}]}, driver_opts: {com.docker.network.bridge.name: r0, com.docker.network.bridge.gateway_mode_ipv4: routed}}
containers:
  c1: {networks: [r], ports: ["8080:80"]}`);
  const filter = listing(r, 4, 'filter');
  assert.ok(filter.includes('-A DOCKER -d 10.7.0.2/32 ! -i r0 -o r0 -p tcp -m tcp --dport 80 -j ACCEPT'));
  assert.not.ok(filter.some((l) => l.includes('icmp')));
  const nat = listing(r, 4, 'nat');
  assert.not.ok(nat.some((l) => /\br0\b/.test(l) || l.includes('10.7.0.')), nat.join('\n'));
});

test('27: IPv6 internal DROPs carry ! -o / ! -i (20.10: the IPv4 form); 27 has DOCKER-USER in ip6tables, 20.10 not', () => {
  const yaml = (e: string) => `engine: "${e}"
daemon: {ip6tables: true, experimental: true}
networks:
  i: {internal: true, enable_ipv6: true, ipam: {config: [{subnet: 10.8.0.0/24}, {subnet: "fd00:8::/64"}]}, driver_opts: {com.docker.network.bridge.name: i0}}`;
  const v27 = listing(ok(yaml('27')), 6, 'filter');
  assert.ok(v27.includes('-A DOCKER-ISOLATION-STAGE-1 ! -s fd00:8::/64 ! -i i0 -o i0 -j DROP'), v27.join('\n'));
  assert.ok(v27.includes('-A DOCKER-ISOLATION-STAGE-1 ! -d fd00:8::/64 -i i0 ! -o i0 -j DROP'));
  assert.ok(v27.includes('-A FORWARD -j DOCKER-USER'));
  const v20 = listing(ok(yaml('20.10')), 6, 'filter');
  assert.ok(v20.includes('-A DOCKER-ISOLATION-STAGE-1 ! -s fd00:8::/64 -o i0 -j DROP'), v20.join('\n'));
  assert.not.ok(v20.some((l) => l.includes('DOCKER-USER')));
});

test('<= 27 fills SCTP checksums in mangle for published SCTP ports; 28 does not', () => {
  const yaml = (e: string) => `engine: "${e}"\ncontainers: {c1: {ports: ["3868:3868/sctp"]}}`;
  assert.equal(listing(ok(yaml('27')), 4, 'mangle'), ['-A POSTROUTING -p sctp -m sctp --sport 3868 -j CHECKSUM --checksum-fill']);
  assert.not.match(file(ok(yaml('28')), 'iptables.rules'), /\*mangle/);
});

test('27: /etc/hosts spells fe00::0 and ff00::0; MACs are 02:42 + the IPv4 address; host-gateway is the IPv4 gateway only', () => {
  const r = ok(`engine: "27"
daemon: {ipv6: true, fixed-cidr-v6: "fd00:27::/64"}
containers:
  c1: {extra_hosts: ["gw:host-gateway"]}`);
  const hosts = file(r, 'containers/c1/hosts');
  assert.match(hosts, /^fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n/m);
  assert.match(hosts, /^172\.17\.0\.1\tgw\n(?!fd00)/m);
  const ep = r.topology!.endpoints.find((e) => e.container === 'c1')!;
  assert.is(ep.mac, '02:42:ac:11:00:02');
  // deferIPv6Alloc: the default bridge's IPv6 address is built from the MAC.
  assert.is(ep.ipv6, 'fd00:27::242:ac11:2');
  const r28 = ok('engine: "28"\ncontainers: {c1: {}}');
  assert.match(file(r28, 'containers/c1/hosts'), /^fe00::\tip6-localnet$/m);
  assert.not.match(r28.topology!.endpoints[0]!.mac, /^02:42:ac:11/);
});

test('<= 27: a host-network container with --add-host gets a built /etc/hosts with the old spelling', () => {
  const hosts = (e: string): string => {
    const text = `version: 1\nengine: "${e}"\nhost: {resolv_conf: "", etc_hosts: "127.0.0.1 localhost\\n"}\ncontainers: {h1: {network_mode: host, extra_hosts: ["db:10.0.0.5"]}}`;
    const r = compile({ file: 'h.yaml', text });
    assert.equal(errors(r), []);
    return file(r, 'containers/h1/hosts');
  };
  assert.is(hosts('20.10').split('\n')[2], 'fe00::0\tip6-localnet');
  assert.is(hosts('28').split('\n')[2], 'fe00::\tip6-localnet');
});

test('27: the embedded-DNS resolv.conf lists host servers bare and falls back to Google when there are none', () => {
  // v27.5.1 internal/resolvconf TransformForIntNS: HostLoopback only for loopback / zoned / IPv6 without IPv6.
  const r = ok(`engine: "27"
networks: {n: {}}
containers: {c1: {networks: [n]}}`);
  assert.match(file(r, 'containers/c1/resolv.conf'), /^# ExtServers: \[10\.0\.0\.1\]$/m);
  const none = compile({ file: 'e.yaml', text: 'version: 1\nengine: "27"\nhost: {resolv_conf: ""}\nnetworks: {n: {}}\ncontainers: {c1: {networks: [n]}}' });
  const text = none.files!.get('local/containers/c1/resolv.conf')!;
  assert.match(text, /^# Used default nameservers\.\n# ExtServers: \[8\.8\.8\.8 8\.8\.4\.4\]$/m);
  assert.ok(ok('networks: {n: {}}\ncontainers: {c1: {networks: [n]}}').files!.get('local/containers/c1/resolv.conf')!.includes('# ExtServers: [host(10.0.0.1)]'));
});

// ----- Docker 20.10 port order ------------------------------------------------------------------------

test('20.10 orders a container\'s bindings as nat.SortPortMap does (highest host port first); 27 as cmpPortBinding', () => {
  const yaml = (e: string) => `engine: "${e}"\ncontainers: {c1: {ports: ["8000:80", "9000:90", "7000:70/udp"]}}`;
  const dnat = (e: string) => listing(ok(yaml(e)), 4, 'nat').filter((l) => l.includes('DNAT')).map((l) => /--dport (\d+)/.exec(l)![1]);
  assert.equal(dnat('20.10'), ['9000', '8000', '7000']);
  assert.equal(dnat('27'), ['7000', '8000', '9000']);
});

test.run();
