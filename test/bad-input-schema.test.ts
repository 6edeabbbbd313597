// Bad input, table-driven: each case is a YAML snippet and the exact diagnostics it must produce, as
// `CODE@line:col` (the start of the underlined span). Codes and positions only, never the prose.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { locate } from '../src/diagnostics/format.ts';
import { parseSource } from '../src/parse/index.ts';
import { validateSchema } from '../src/schema/index.ts';
import type { Diagnostic } from '../src/diagnostics/diagnostic.ts';

/** parse, then (only when parsing found no error, as compile.ts does) validate. */
function check(text: string): { diags: Diagnostic[]; got: string[] } {
  const p = parseSource(text, 'case.yaml');
  const diags = p.diagnostics.some((d) => d.severity === 'error') ? p.diagnostics : [...p.diagnostics, ...validateSchema(p.value)];
  const got = diags
    .map((d) => {
      const pos = locate(d, p.doc, p.lineCounter);
      return `${d.code}@${pos.line}:${pos.col}`;
    })
    .sort();
  return { diags, got };
}

const V = 'version: 1\n';

type Case = readonly [name: string, yaml: string, expected: readonly string[]];

const cases: Case[] = [
  // --- YAML syntax --------------------------------------------------------------------------------------
  ['unclosed double quote (points at the opening quote)', `${V}name_resolution: "hosts\n`, ['YAML_SYNTAX@2:18']],
  ['unclosed single quote spanning lines', `${V}host:\n  name: 'local\n  routes: []\n`, ['YAML_SYNTAX@3:9']],
  ['unclosed flow sequence', `${V}host:\n  routes: [10.0.0.0/8\nnetworks: {}\n`, ['YAML_SYNTAX@4:1']],
  ['mapping items at different columns', `${V}networks:\n  a:\n    driver: bridge\n   internal: true\n`, ['YAML_SYNTAX@5:1']],
  ['tab as indentation', `${V}containers:\n\tweb: {}\n`, ['YAML_SYNTAX@3:1']],
  ['nested mapping in a compact mapping', `${V}networks: a: b\n`, ['YAML_SYNTAX@2:11']],
  ['two documents', `${V}---\nversion: 1\n`, ['YAML_SYNTAX@2:1']],
  ['alias to an unknown anchor', `${V}containers:\n  web:\n    dns: *servers\n`, ['YAML_SYNTAX@4:10']],
  ['alias cycle', `${V}containers:\n  web: &w\n    labels: [*w]\n`, ['YAML_SYNTAX@4:14']],
  [
    'alias bomb (billion laughs) is refused, not expanded',
    `${V}x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n${Array.from({ length: 8 }, (_, i) => `x${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]\n`).join('')}`,
    ['YAML_SYNTAX@1:1'],
  ],
  ['a list used as a key', `${V}networks:\n  ? [a, b]\n  : {}\n`, ['YAML_SYNTAX@3:5']],
  // --- duplicate keys (reported at the repetition, the whole key underlined) --------------------------------
  ['duplicate top-level key', `${V}version: 1\n`, ['YAML_SYNTAX@2:1']],
  ['duplicate nested key', `${V}containers:\n  web:\n    image: a\n    image: b\n`, ['YAML_SYNTAX@5:5']],
  ['duplicate key after an empty value', `${V}containers:\n  web:\n  web: {}\n`, ['YAML_SYNTAX@4:3']],
  ['1 and "1" are the same key', `${V}networks:\n  n:\n    labels:\n      1: a\n      "1": b\n`, ['YAML_SYNTAX@6:7']],
  ['duplicate key in JSON', '{"version": 1, "version": 1}', ['YAML_SYNTAX@1:16']],
  // --- unknown keys, one per level (pointing at the key) ----------------------------------------------------
  ['unknown top-level key', `${V}netwroks: {}\n`, ['SCHEMA_UNKNOWN_KEY@2:1']],
  ['misspelt required key: one diagnostic, not two', 'verison: 1\n', ['SCHEMA_UNKNOWN_KEY@1:1']],
  ['unknown daemon.json key', `${V}daemon:\n  bipp: 10.0.0.1/24\n`, ['SCHEMA_UNKNOWN_KEY@3:3']],
  ['a removed daemon.json key', `${V}daemon:\n  oom-score-adjust: -500\n`, ['SCHEMA_UNKNOWN_KEY@3:3']],
  ['unknown host key', `${V}host:\n  resolv: x\n`, ['SCHEMA_UNKNOWN_KEY@3:3']],
  ['unknown network key', `${V}networks:\n  n:\n    enable_ipv7: true\n`, ['SCHEMA_UNKNOWN_KEY@4:5']],
  ['unknown ipam key', `${V}networks:\n  n:\n    ipam:\n      options: {}\n`, ['SCHEMA_UNKNOWN_KEY@5:7']],
  ['unknown ipam.config key (typo of a required key)', `${V}networks:\n  n:\n    ipam:\n      config:\n        - subnett: 10.0.0.0/24\n`, ['SCHEMA_UNKNOWN_KEY@6:11']],
  ['unknown container key', `${V}containers:\n  web:\n    ports: []\n    port: []\n`, ['SCHEMA_UNKNOWN_KEY@5:5']],
  ['unknown attachment key', `${V}containers:\n  web:\n    networks:\n      n: {ipv4: 10.0.0.2}\n`, ['SCHEMA_UNKNOWN_KEY@5:11']],
  ['unknown long-syntax port key', `${V}containers:\n  web:\n    ports:\n      - target: 80\n        hostip: 127.0.0.1\n`, ['SCHEMA_UNKNOWN_KEY@6:9']],
  ['unknown address-pool key', `${V}daemon:\n  default-address-pools:\n    - {base: 10.0.0.0/8, size: 24, mask: 8}\n`, ['SCHEMA_UNKNOWN_KEY@4:36']],
  // --- required keys (pointing at the nearest existing parent) --------------------------------------------
  ['version missing', 'networks: {}\n', ['SCHEMA_REQUIRED@1:1']],
  ['subnet missing from an ipam pool', `${V}networks:\n  n:\n    ipam:\n      config:\n        - gateway: 10.0.0.1\n`, ['SCHEMA_REQUIRED@6:11']],
  ['target missing from a long-syntax port', `${V}containers:\n  web:\n    ports: [{published: 80}]\n`, ['SCHEMA_REQUIRED@4:13']],
  ['size missing from an address pool', `${V}daemon:\n  default-address-pools:\n    - base: 10.0.0.0/8\n`, ['SCHEMA_REQUIRED@4:7']],
  // --- wrong types (pointing at the value) ------------------------------------------------------------------
  ['empty file', '', ['SCHEMA_TYPE@1:1']],
  ['comment-only file', '# nothing\n', ['SCHEMA_TYPE@1:1']],
  ['top level is a list', '- version: 1\n', ['SCHEMA_TYPE@1:1']],
  ['version as a string', 'version: "1"\n', ['SCHEMA_ENUM@1:10']],
  ['networks as a list', `${V}networks: [a, b]\n`, ['SCHEMA_TYPE@2:11']],
  ['daemon as a number', `${V}daemon: 5\n`, ['SCHEMA_TYPE@2:9']],
  ['daemon as an empty string', `${V}daemon: ""\n`, ['SCHEMA_RANGE@2:9']],
  ['YAML 1.1 boolean "no" is a string', `${V}daemon:\n  icc: no\n`, ['SCHEMA_TYPE@3:8']],
  ['quoted mtu', `${V}daemon:\n  mtu: "1500"\n`, ['SCHEMA_TYPE@3:8']],
  ['ports as a string', `${V}containers:\n  web:\n    ports: "8080:80"\n`, ['SCHEMA_TYPE@4:12']],
  ['driver_opts value as a list', `${V}networks:\n  n:\n    driver_opts:\n      com.docker.network.bridge.name: [a]\n`, ['SCHEMA_TYPE@5:39']],
  ['attachment as a string', `${V}containers:\n  web:\n    networks:\n      n: web\n`, ['SCHEMA_TYPE@5:10']],
  ['hostname as a number', `${V}containers:\n  web:\n    hostname: 42\n`, ['SCHEMA_TYPE@4:15']],
  // --- enums ------------------------------------------------------------------------------------------------
  ['network driver', `${V}networks:\n  n:\n    driver: weave\n`, ['SCHEMA_ENUM@4:13']],
  ['name_resolution', `${V}name_resolution: dns\n`, ['SCHEMA_ENUM@2:18']],
  ['ipam driver', `${V}networks:\n  n:\n    ipam: {driver: dhcp}\n`, ['SCHEMA_ENUM@4:20']],
  ['port protocol', `${V}containers:\n  web:\n    ports: [{target: 80, protocol: icmp}]\n`, ['SCHEMA_ENUM@4:36']],
  ['firewall backend', `${V}daemon: {firewall-backend: ebtables}\n`, ['SCHEMA_ENUM@2:28']],
  ['network_mode: one diagnostic for all alternatives', `${V}containers:\n  web:\n    network_mode: containr:db\n`, ['SCHEMA_ENUM@4:19']],
  // --- formats (addresses and prefixes) ---------------------------------------------------------------------
  ['bip prefix length 33', `${V}daemon:\n  bip: 192.168.1.5/33\n`, ['SCHEMA_FORMAT@3:8']],
  ['bip without a length', `${V}daemon:\n  bip: 192.168.1.5\n`, ['SCHEMA_FORMAT@3:8']],
  ['fixed-cidr-v6 given an IPv4 prefix', `${V}daemon:\n  fixed-cidr-v6: 10.0.0.0/8\n`, ['SCHEMA_FORMAT@3:18']],
  ['subnet with an octet over 255', `${V}networks:\n  n:\n    ipam:\n      config:\n        - subnet: 10.300.0.0/16\n`, ['SCHEMA_FORMAT@6:19']],
  ['gateway that is a prefix', `${V}networks:\n  n:\n    ipam:\n      config:\n        - {subnet: 10.0.0.0/24, gateway: 10.0.0.1/24}\n`, ['SCHEMA_FORMAT@6:42']],
  ['ipv4_address given an IPv6 address', `${V}containers:\n  web:\n    networks:\n      n: {ipv4_address: "2001:db8::2"}\n`, ['SCHEMA_FORMAT@5:25']],
  ['ipv6_address with two ::', `${V}containers:\n  web:\n    networks:\n      n: {ipv6_address: "2001::db8::2"}\n`, ['SCHEMA_FORMAT@5:25']],
  ['IPv4 with a leading zero', `${V}daemon:\n  dns: [10.0.0.01]\n`, ['SCHEMA_FORMAT@3:9']],
  ['container dns as one bad string', `${V}containers:\n  web:\n    dns: dns.google\n`, ['SCHEMA_FORMAT@4:10']],
  ['host route that is not a prefix', `${V}host:\n  routes: [10.0.0.0/8, fe80::1]\n`, ['SCHEMA_FORMAT@3:24']],
  ['aux address', `${V}networks:\n  n:\n    ipam:\n      config:\n        - subnet: 10.0.0.0/24\n          aux_addresses: {router: 10.0.0}\n`, ['SCHEMA_FORMAT@7:35']],
  ['extra_hosts list entry with a bad address', `${V}containers:\n  web:\n    extra_hosts: ["db:10.0.0.300"]\n`, ['SCHEMA_FORMAT@4:19']],
  ['extra_hosts map value', `${V}containers:\n  web:\n    extra_hosts: {db: gateway}\n`, ['SCHEMA_FORMAT@4:23']],
  ['hostname with an underscore', `${V}containers:\n  web:\n    hostname: web_1\n`, ['SCHEMA_FORMAT@4:15']],
  // --- patterns ---------------------------------------------------------------------------------------------
  ['port mapping with three ports', `${V}containers:\n  web:\n    ports: ["80:80:80"]\n`, ['SCHEMA_PATTERN@4:13']],
  ['port mapping with a bad protocol', `${V}containers:\n  web:\n    ports: ["80/icmp"]\n`, ['SCHEMA_PATTERN@4:13']],
  ['published port that is not a range', `${V}containers:\n  web:\n    ports: [{target: 80, published: "80-"}]\n`, ['SCHEMA_PATTERN@4:37']],
  ['expose entry', `${V}containers:\n  web:\n    expose: ["80/http"]\n`, ['SCHEMA_PATTERN@4:14']],
  ['MAC address', `${V}containers:\n  web:\n    mac_address: "02:42:ac:11:00"\n`, ['SCHEMA_PATTERN@4:18']],
  ['link', `${V}containers:\n  web:\n    links: ["db:a:b"]\n`, ['SCHEMA_PATTERN@4:13']],
  ['network name (the key)', `${V}networks:\n  -bad: {}\n`, ['SCHEMA_PATTERN@3:3']],
  ['one-character container name (the key)', `${V}containers:\n  a: {}\n`, ['SCHEMA_PATTERN@3:3']],
  ['network name in a container list', `${V}containers:\n  web:\n    networks: [my/net]\n`, ['SCHEMA_PATTERN@4:16']],
  ['host name', `${V}host:\n  name: ../etc\n`, ['SCHEMA_PATTERN@3:9']],
  // --- ranges -----------------------------------------------------------------------------------------------
  ['container port above 65535', `${V}containers:\n  web:\n    ports: [70000]\n`, ['SCHEMA_RANGE@4:13']],
  ['long-syntax target 0', `${V}containers:\n  web:\n    ports: [{target: 0}]\n`, ['SCHEMA_RANGE@4:22']],
  ['published port 65536', `${V}containers:\n  web:\n    ports: [{target: 80, published: 65536}]\n`, ['SCHEMA_RANGE@4:37']],
  ['exposed port 0', `${V}containers:\n  web:\n    expose: [0]\n`, ['SCHEMA_RANGE@4:14']],
  ['address pool size 0', `${V}daemon:\n  default-address-pools: [{base: 10.0.0.0/8, size: 0}]\n`, ['SCHEMA_RANGE@3:52']],
  ['negative mtu', `${V}daemon:\n  mtu: -1\n`, ['SCHEMA_RANGE@3:8']],
  // --- everything at once -----------------------------------------------------------------------------------
  [
    'three errors in one file, three diagnostics',
    `${V}networks:\n  n:\n    driver: brigde\n    ipam:\n      config:\n        - subnet: 10.0.0.0/33\ncontainers:\n  web:\n    ports: ["8080:80:80"]\n`,
    ['SCHEMA_ENUM@4:13', 'SCHEMA_FORMAT@7:19', 'SCHEMA_PATTERN@10:13'],
  ],
  [
    'errors in several sections are all reported',
    'verison: 1\ndaemon: {mtu: x}\nhost: {name: ""}\nnetworks: {n: {internal: "yes"}}\ncontainers: {web: {ports: [0]}}\n',
    ['SCHEMA_PATTERN@3:14', 'SCHEMA_RANGE@5:28', 'SCHEMA_TYPE@2:15', 'SCHEMA_TYPE@4:26', 'SCHEMA_UNKNOWN_KEY@1:1'],
  ],
];

for (const [name, yaml, expected] of cases) {
  test(name, () => {
    const { diags, got } = check(yaml);
    assert.equal(got, [...expected].sort(), `${name}\n${diags.map((d) => `  ${d.code} ${JSON.stringify(d.path)} ${d.message}`).join('\n')}`);
  });
}

// Input that must NOT be reported: the edges of what is allowed.
const valid: [string, string][] = [
  ['JSON input', '{"version": 1, "networks": {"n": {"driver": "bridge"}}, "containers": {"web": {"networks": ["n"]}}}'],
  ['JSON with tabs inside flow collections', '{\n\t"version": 1,\n\t"containers": {\n\t\t"web": {}\n\t}\n}\n'],
  ['null and empty containers, null networks', `${V}networks:\n  n:\ncontainers:\n  web:\n  db: {}\n`],
  ['empty sections', `${V}networks:\ncontainers:\n`],
  ['daemon.json empty strings mean unset', `${V}daemon: {bip: "", fixed-cidr: "", default-gateway: "", ip: "", firewall-backend: ""}\n`],
  ['daemon as a path', `${V}daemon: ./daemon.json\n`],
  ['non-network daemon.json keys take any value', `${V}daemon: {log-driver: journald, log-opts: {tag: x}, storage-opts: [a], debug: true, features: {cdi: true}}\n`],
  ['host bits in bip and fixed-cidr', `${V}daemon: {bip: 192.168.1.5/24, fixed-cidr: 192.168.1.5/25, bip6: "2001:db8::1/64"}\n`],
  ['on/off/yes are plain strings in labels', `${V}networks: {n: {labels: {a: on, b: yes, c: 1, d: true}}}\n`],
  ['driver_opts numbers and booleans', `${V}networks: {n: {driver_opts: {com.docker.network.driver.mtu: 1400, com.docker.network.bridge.enable_icc: false}}}\n`],
  [
    'every port syntax',
    `${V}containers:\n  web:\n    ports: ["80", "8080:80", "127.0.0.1:5353:53/udp", "9000-9002:9000-9002", "[::1]:8080:80", "::1:8081:80", "127.0.0.1::80", 443, {target: 80, published: "8000-8010", host_ip: "::", protocol: sctp, mode: host}]\n    expose: ["80", 443, "1000-1002/udp"]\n`,
  ],
  ['extra_hosts forms', `${V}containers:\n  a1:\n    extra_hosts: ["somehost:162.242.195.82", "otherhost=50.31.209.229", "myhost:host-gateway", "h:::1", "h=::1", "h:[::1]"]\n  a2:\n    extra_hosts: {somehost: 162.242.195.82, v6: "::1", gw: host-gateway, b: "[::1]"}\n`],
  ['network_mode forms', `${V}containers:\n  a1: {network_mode: host}\n  a2: {network_mode: "container:a1"}\n  a3: {network_mode: none}\n`],
  ['anchors and aliases', `${V}containers:\n  a1: {dns: &d [10.0.0.1]}\n  a2: {dns: *d}\n`],
  ['IPv4-mapped IPv6 address', `${V}containers: {web: {networks: {n: {ipv6_address: "::ffff:10.0.0.1"}}}}\n`],
];

for (const [name, yaml] of valid) {
  test(`valid: ${name}`, () => {
    const { diags } = check(yaml);
    assert.equal(diags.map((d) => `${d.code} ${JSON.stringify(d.path)} ${d.message}`), []);
  });
}

test('an unknown tag is a warning, not an error', () => {
  const { diags, got } = check(`${V}containers:\n  web: !service {}\n`);
  assert.equal(got, ['YAML_WARNING@3:8']);
  assert.is(diags[0]?.severity, 'warning');
});

test('YAML 1.2 core schema is used even under a %YAML 1.1 directive', () => {
  const p = parseSource('%YAML 1.1\n---\nversion: 1\nnetworks: {n: {labels: {a: no, b: on, c: 0x1F}}}\n', 'x.yaml');
  assert.equal(p.diagnostics, []);
  assert.equal((p.value as { networks: { n: { labels: unknown } } }).networks.n.labels, { a: 'no', b: 'on', c: 31 });
});

test('unknown key: the diagnostic path ends with the key and atKey is set', () => {
  const { diags } = check(`${V}networks:\n  n:\n    ipam:\n      config:\n        - subnett: 10.0.0.0/24\n`);
  assert.is(diags.length, 1);
  assert.equal(diags[0]?.path, ['networks', 'n', 'ipam', 'config', 0, 'subnett']);
  assert.is(diags[0]?.atKey, true);
});

test('a missing required key is reported with the key in the path', () => {
  const { diags } = check(`${V}containers: {web: {ports: [{published: 80}]}}\n`);
  assert.equal(
    diags.map((d) => d.path),
    [['containers', 'web', 'ports', 0, 'target']],
  );
});

test.run();
