// Table-driven bad input past the schema: each case is a YAML snippet, the diagnostic code it must
// raise and where (line:col of the offending token). Prose is free to change; codes and positions
// are the contract.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, type CompileResult } from '../src/compile.ts';
import type { Diagnostic } from '../src/diagnostics/diagnostic.ts';
import { locate } from '../src/diagnostics/format.ts';
import { REPO } from './support/examples.ts';

interface Case {
  name: string;
  yaml: string;
  code: Diagnostic['code'];
  at: string;
  severity?: 'error' | 'warning';
  file?: string;
}

const H = 'version: 1\nhost: {resolv_conf: "nameserver 10.0.0.1\\n"}\n';

const cases: Case[] = [
  { name: 'overlapping subnets', code: 'SUBNET_OVERLAP', at: '9:20', yaml: `${H}networks:
  a:
    ipam: {config: [{subnet: 10.1.0.0/16}]}
  b:
    ipam:
      config:
        - {subnet: 10.1.2.0/24}
        - subnet: 10.1.2.0/24
` },
  { name: 'subnet overlapping a host route', code: 'SUBNET_OVERLAP', at: '6:25', yaml: `version: 1
host: {resolv_conf: "", routes: [10.0.0.0/8]}
networks:
  a:
    ipam:
      config: [{subnet: 10.9.0.0/16}]
` },
  { name: 'static address outside the subnet', code: 'ADDRESS_OUTSIDE_SUBNET', at: '9:25', yaml: `${H}networks:
  a:
    ipam: {config: [{subnet: 10.1.0.0/16}]}
containers:
  c1:
    networks:
      a: {ipv4_address: 10.2.0.5}
` },
  { name: 'duplicate static address', code: 'DUPLICATE_ADDRESS', at: '10:34', yaml: `${H}networks:
  a:
    ipam: {config: [{subnet: 10.1.0.0/16}]}
containers:
  c1:
    networks: {a: {ipv4_address: 10.1.0.5}}
  c2:
    networks: {a: {ipv4_address: 10.1.0.5}}
` },
  { name: 'gateway is the network address', code: 'BAD_GATEWAY', at: '5:52', yaml: `${H}networks:
  a:
    ipam: {config: [{subnet: 10.1.0.0/16, gateway: 10.1.0.0}]}
` },
  { name: 'gateway is the broadcast address', code: 'BAD_GATEWAY', at: '5:52', yaml: `${H}networks:
  a:
    ipam: {config: [{subnet: 10.1.0.0/16, gateway: 10.1.255.255}]}
` },
  { name: 'unknown network', code: 'UNKNOWN_NETWORK', at: '5:16', yaml: `${H}containers:
  c1:
    networks: [nope]
` },
  { name: 'network_mode of an unknown container', code: 'UNKNOWN_CONTAINER', at: '5:19', yaml: `${H}containers:
  c1:
    network_mode: container:ghost
` },
  { name: 'published port conflict', code: 'PORT_CONFLICT', at: '7:13', yaml: `${H}containers:
  web1:
    ports: ["8080:80"]
  web2:
    ports: ["8080:81"]
` },
  { name: 'network_mode host with networks', code: 'NETWORK_MODE_CONFLICT', at: '6:5', yaml: `${H}containers:
  c1:
    network_mode: host
    networks: [bridge]
` },
  { name: 'link outside the default bridge', code: 'LINK_NOT_DEFAULT_BRIDGE', at: '9:13', yaml: `${H}networks:
  a: {}
containers:
  db:
    networks: [a]
  web:
    links: [db]
` },
  { name: 'fixed-cidr outside bip', code: 'FIXED_CIDR_OUTSIDE_BIP', at: '4:15', yaml: `version: 1
daemon:
  bip: 10.5.0.1/24
  fixed-cidr: 10.6.0.0/25
host: {resolv_conf: ""}
` },
  { name: 'network MTU out of range', code: 'MTU_RANGE', at: '6:38', yaml: `${H}networks:
  a:
    driver_opts:
      com.docker.network.driver.mtu: "40"
` },
  { name: 'bridge name over 15 bytes', code: 'BAD_INTERFACE_NAME', at: '6:39', yaml: `${H}networks:
  a:
    driver_opts:
      com.docker.network.bridge.name: a-very-long-bridge-name
` },
  { name: 'ip_range outside the subnet', code: 'ADDRESS_OUTSIDE_RANGE', at: '5:53', yaml: `${H}networks:
  a:
    ipam: {config: [{subnet: 10.1.0.0/16, ip_range: 10.2.0.0/24}]}
` },
  { name: 'alias on the default bridge', code: 'BAD_NAME', at: '6:25', yaml: `${H}containers:
  c1:
    networks:
      bridge: {aliases: [x]}
` },
  { name: 'static address on the default bridge', code: 'BAD_ADDRESS', at: '7:23', yaml: `${H}containers:
  c1:
    networks:
      bridge:
        ipv4_address: 172.17.0.9
` },
  { name: 'ports in host mode are ignored (warning)', code: 'PORTS_IGNORED', at: '6:5', severity: 'warning', yaml: `${H}containers:
  c1:
    network_mode: host
    ports: ["80:80"]
` },
  { name: 'isolated gateway mode needs an internal network', code: 'BAD_OPTION', at: '6:52', yaml: `${H}networks:
  a:
    driver_opts:
      com.docker.network.bridge.gateway_mode_ipv4: isolated
` },
  // --- several hosts, swarm, overlay / macvlan / ipvlan (issue 4) ---------------------------------------
  { name: 'host and hosts together', code: 'HOST_AND_HOSTS', at: '3:1', yaml: `${H}hosts:
  a: {resolv_conf: ""}
` },
  { name: 'a container without host: among several hosts', code: 'UNKNOWN_HOST', at: '6:3', yaml: `version: 1
hosts:
  a: {resolv_conf: ""}
  b: {resolv_conf: ""}
containers:
  c1: {}
  c2: {}
` },
  { name: 'a container on an undeclared host', code: 'UNKNOWN_HOST', at: '7:11', yaml: `version: 1
hosts:
  a: {resolv_conf: ""}
  b: {resolv_conf: ""}
containers:
  c1:
    host: c
` },
  { name: 'two hosts with one underlay address', code: 'DUPLICATE_UNDERLAY', at: '4:16', yaml: `version: 1
hosts:
  a: {address: 192.0.2.1, resolv_conf: ""}
  b: {address: 192.0.2.1, resolv_conf: ""}
` },
  { name: 'a swarm host without its underlay address', code: 'NO_UNDERLAY_ADDRESS', at: '4:3', yaml: `version: 1
hosts:
  a: {address: 192.0.2.1, resolv_conf: ""}
  b: {resolv_conf: ""}
networks:
  ov: {driver: overlay}
` },
  { name: 'a plain container on a non-attachable overlay', code: 'NOT_ATTACHABLE', at: '7:16', yaml: `${H}networks:
  ov: {driver: overlay}
containers:
  c1:
    networks: [ov]
` },
  { name: 'joining the ingress network by name', code: 'NOT_ATTACHABLE', at: '8:16', yaml: `${H}networks:
  ov: {driver: overlay, attachable: true}
containers:
  c1:
    service: web
    networks: [ingress]
` },
  { name: 'two overlays pinned to one VNI', code: 'DUPLICATE_VNI', at: '9:67', yaml: `${H}networks:
  a:
    driver: overlay
    driver_opts: {com.docker.network.driver.overlay.vxlanid_list: "5000"}
  b:
    driver: overlay
    driver_opts: {com.docker.network.driver.overlay.vxlanid_list: "5000"}
` },
  { name: 'a macvlan parent the host does not have', code: 'UNKNOWN_PARENT', at: '6:27', yaml: `version: 1
host: {resolv_conf: "", interfaces: [eth0]}
networks:
  lan:
    driver: macvlan
    driver_opts: {parent: eth7}
` },
  { name: 'loopback as a macvlan parent', code: 'BAD_OPTION', at: '6:27', yaml: `${H}networks:
  lan:
    driver: macvlan
    driver_opts: {parent: lo}
` },
  { name: 'a VLAN id outside 1..4094', code: 'BAD_OPTION', at: '6:27', yaml: `${H}networks:
  lan:
    driver: macvlan
    driver_opts: {parent: eth0.4095}
` },
  { name: 'an unknown ipvlan mode', code: 'BAD_OPTION', at: '6:46', yaml: `${H}networks:
  l3:
    driver: ipvlan
    driver_opts: {parent: eth0, ipvlan_mode: l4}
` },
  { name: 'a container on a local network not created on its host', code: 'UNKNOWN_NETWORK', at: '11:9', yaml: `version: 1
hosts:
  a: {resolv_conf: ""}
  b: {resolv_conf: ""}
networks:
  front: {hosts: [a]}
containers:
  c1:
    host: b
    networks:
      - front
` },
  { name: 'endpoint_mode without service', code: 'NOT_A_SERVICE', at: '5:5', yaml: `${H}containers:
  c1:
    endpoint_mode: dnsrr
` },
  { name: 'an encrypted overlay built without keys', code: 'NO_SECRETS', at: '9:19', yaml: `version: 1
hosts:
  a: {address: 192.0.2.1, resolv_conf: ""}
  b: {address: 192.0.2.2, resolv_conf: ""}
networks:
  sec:
    driver: overlay
    attachable: true
    driver_opts: {encrypted: ""}
containers:
  c1: {host: a, networks: [sec]}
  c2: {host: b, networks: [sec]}
` },
  { name: 'two services publishing one ingress port', code: 'PORT_CONFLICT', at: '11:9', yaml: `${H}containers:
  a.1:
    service: a
    ports:
      - {target: 80, published: 8080, mode: ingress}
  b.1:
    service: b
    ports:
      - {target: 81, published: 8080, mode: ingress}
` },
  { name: 'open_swarm_ports outside swarm mode (warning)', code: 'IGNORED', at: '2:25', severity: 'warning', yaml: `version: 1
host: {resolv_conf: "", open_swarm_ports: true}
` },
  { name: 'mode ingress on a plain container (warning)', code: 'INGRESS_ON_CONTAINER', at: '6:45', severity: 'warning', yaml: `${H}containers:
  c1:
    ports:
      - {target: 80, published: 8080, mode: ingress}
` },
  { name: "the article's daemon.json: default gateway outside bip", code: 'ADDRESS_OUTSIDE_SUBNET', at: '6:22', file: 'test/fixtures/bad/article-daemon.json', yaml: readFileSync(path.join(REPO, 'test/fixtures/bad/article-daemon.yaml'), 'utf8') },
];

function run(c: Case): CompileResult {
  const file = 'test/fixtures/bad/case.yaml';
  return compile({ file, text: c.yaml }, (ref) => {
    const p = path.join('test/fixtures/bad', ref);
    return { file: p, text: readFileSync(path.join(REPO, p), 'utf8') };
  });
}

for (const c of cases) {
  test(`bad input: ${c.name} -> ${c.code} at ${c.at}`, () => {
    const r = run(c);
    const hits = r.diagnostics.filter((d) => d.code === c.code && d.severity === (c.severity ?? 'error'));
    assert.ok(hits.length > 0, `no ${c.code}; got ${r.diagnostics.map((d) => `${d.code}@${d.path.join('.')}`).join(', ')}`);
    const d = hits[0]!;
    const src = r.sources.get(d.file ?? 'test/fixtures/bad/case.yaml')!;
    const pos = locate(d, src.parsed!.doc, src.parsed!.lineCounter);
    assert.is(`${pos.line}:${pos.col}`, c.at, `${c.code} points at the wrong place: ${d.message}`);
    if (c.file) assert.is(d.file, c.file);
    if ((c.severity ?? 'error') === 'error') assert.is(r.files, undefined, 'an invalid input must not produce files');
  });
}

test('a network refused with its own error (driver host or none) is not also unknown where a container names it; an undeclared one still is', () => {
  const r = run({ name: '', code: 'UNSUPPORTED', at: '', yaml: `${H}networks:
  hn: {driver: host}
  nn: {driver: none}
containers:
  c1: {networks: [hn, nn, nowhere]}
` });
  const errors = r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.path.join('.')}`);
  assert.equal(errors, ['UNSUPPORTED networks.hn.driver', 'UNSUPPORTED networks.nn.driver', 'UNKNOWN_NETWORK containers.c1.networks.2']);
});

test.run();
