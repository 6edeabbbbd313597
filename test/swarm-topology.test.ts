// Several hosts, swarm mode and the other drivers, through the whole pipeline: what each host's dockerd
// would have (addresses, VNIs, interface order, docker_gwbridge, the ingress sandbox, overlay peers,
// macvlan/ipvlan links) for the bundled examples and small inputs written here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile.ts';
import type { Topology } from '../src/topology/types.ts';
import { buildExample, testSecrets } from './support/examples.ts';

const byHost = (ts: readonly Topology[] | undefined, host: string): Topology => {
  const t = ts?.find((x) => x.host === host);
  if (!t) throw new Error(`no topology for host ${host}`);
  return t;
};
const ep = (t: Topology, container: string, network: string) => t.endpoints.find((e) => e.container === container && e.network === network);
const ifnames = (t: Topology, container: string) => t.endpoints.filter((e) => e.container === container).map((e) => `${e.ifname}:${e.network}`);

function build(yaml: string) {
  const r = compile({ file: 'case.yaml', text: yaml }, undefined, { secrets: testSecrets() });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.is(errors.length, 0, errors.map((d) => d.message).join('; '));
  return r;
}

test('swarm-overlay: one folder per host, each with its own containers only', () => {
  const r = buildExample('swarm-overlay');
  assert.equal(r.topologies?.map((t) => t.host), ['node1', 'node2']);
  const files = [...r.files!.keys()];
  assert.ok(files.includes('node1/containers/alpha/hosts'));
  assert.ok(!files.some((f) => f.startsWith('node1/containers/beta/')), 'beta runs on node2');
  assert.ok(!files.some((f) => f.includes('ingress_sbox')), 'the ingress sandbox gets no files');
});

test('swarm-overlay: swarm IPAM (ingress first, sandboxes in host order, a service VIP before its task) and VNIs', () => {
  const r = buildExample('swarm-overlay');
  const n1 = byHost(r.topologies, 'node1');
  const n2 = byHost(r.topologies, 'node2');
  assert.is(ep(n1, 'ingress_sbox', 'ingress')?.ipv4, '10.0.0.2');
  assert.is(ep(n2, 'ingress_sbox', 'ingress')?.ipv4, '10.0.0.3');
  // web's VIP takes 10.0.0.4 on ingress and 10.0.1.4 on the overlay, before its task.
  assert.is(ep(n2, 'web.1', 'ingress')?.ipv4, '10.0.0.5');
  assert.is(ep(n1, 'alpha', 'my-attachable-overlay')?.ipv4, '10.0.1.2');
  assert.is(ep(n2, 'beta', 'my-attachable-overlay')?.ipv4, '10.0.1.3');
  assert.is(ep(n2, 'web.1', 'my-attachable-overlay')?.ipv4, '10.0.1.5');
  assert.equal(n2.overlays?.map((o) => [o.network, o.vni, o.mtu]), [['ingress', 4096, 1450], ['my-attachable-overlay', 4097, 1450]]);
  // docker_gwbridge: 172.18.0.0/16 after docker0, the sandbox first.
  assert.is(ep(n1, 'ingress_sbox', 'docker_gwbridge')?.ipv4, '172.18.0.2');
  assert.is(ep(n1, 'alpha', 'docker_gwbridge')?.ipv4, '172.18.0.3');
});

test('swarm-overlay: interface order and routes as Docker joins them', () => {
  const n2 = byHost(buildExample('swarm-overlay').topologies, 'node2');
  // A task publishing in ingress mode: ingress, then docker_gwbridge (joined right after the first
  // endpoint that needs a gateway), then its overlay.
  assert.equal(ifnames(n2, 'web.1'), ['eth0:ingress', 'eth1:docker_gwbridge', 'eth2:my-attachable-overlay']);
  assert.equal(ifnames(n2, 'beta'), ['eth0:my-attachable-overlay', 'eth1:docker_gwbridge']);
  const beta = n2.containers.find((c) => c.name === 'beta')!;
  assert.equal(beta.routes, [{ family: 4, destination: 'default', via: '172.18.0.1', device: 'eth1' }]);
  assert.is(ep(n2, 'beta', 'my-attachable-overlay')?.mac, '02:42:0a:00:01:03', 'overlay MACs are GenerateMACFromIP');
});

test('swarm-overlay: static forwarding state points at the other host', () => {
  const r = buildExample('swarm-overlay');
  const o1 = byHost(r.topologies, 'node1').overlays!.find((o) => o.network === 'my-attachable-overlay')!;
  assert.is(o1.local, '192.168.56.11');
  assert.equal(o1.floods, ['192.168.56.12']);
  assert.equal(o1.peers.map((p) => [p.container, p.ipv4, p.vtep]), [['beta', '10.0.1.3', '192.168.56.12'], ['web.1', '10.0.1.5', '192.168.56.12']]);
  assert.equal(o1.bridgeAddresses, ['10.0.1.1/24']);
});

test('swarm-overlay: hosts files name peers on a shared overlay on any host, not docker_gwbridge ones', () => {
  const files = buildExample('swarm-overlay').files!;
  const alpha = files.get('node1/containers/alpha/hosts')!;
  assert.match(alpha, /^10\.0\.1\.3\tbeta$/m);
  assert.match(alpha, /^10\.0\.1\.5\tweb\.1/m);
  assert.not.match(alpha, /172\.18\./);
});

test('a container on a bridge network and an overlay gets no docker_gwbridge; an internal overlay alone gets none either', () => {
  const r = build(`version: 1
host: {resolv_conf: ""}
networks:
  ov: {driver: overlay, attachable: true}
  back: {driver: overlay, attachable: true, internal: true}
  front: {}
containers:
  both: {networks: [ov, front]}
  hidden: {networks: [back]}
`);
  const t = r.topology!;
  // docker_gwbridge joined as eth1 after ov, front took eth2, then docker_gwbridge left (clearDefaultGW).
  assert.equal(ifnames(t, 'both'), ['eth0:ov', 'eth2:front']);
  assert.equal(ifnames(t, 'hidden'), ['eth0:back']);
  assert.equal(t.containers.find((c) => c.name === 'hidden')!.routes, []);
});

test('ports of an overlay container in host mode are published through docker_gwbridge', () => {
  const t = build(`version: 1
host: {resolv_conf: ""}
networks:
  ov: {driver: overlay, attachable: true}
containers:
  web: {networks: [ov], ports: ["8080:80"]}
`).topology!;
  const nat = t.ports.filter((p) => p.mapper === 'nat');
  assert.equal(nat.map((p) => [p.network, p.hostPort, p.containerIP]), [['docker_gwbridge', 8080, ep(t, 'web', 'docker_gwbridge')!.ipv4]]);
});

test('article-drivers: the custom ingress, encrypted MTU, pinned order of VNIs, VLAN parent and ipvlan', () => {
  const r = buildExample('article-drivers');
  const m = byHost(r.topologies, 'manager1');
  const w = byHost(r.topologies, 'worker1');
  const ingress = m.overlays!.find((o) => o.network === 'my-ingress')!;
  assert.equal([ingress.vni, ingress.mtu, ingress.bridgeAddresses], [4096, 1150, ['10.11.0.2/16']]);
  assert.is(ep(m, 'ingress_sbox', 'my-ingress')?.ipv4, '10.11.0.1', 'the first free address: the gateway is .2');
  assert.is(m.overlays!.find((o) => o.network === 'my-attachable-multi-host-network')!.mtu, 1424);
  assert.equal(m.parentLinks, [{ name: 'eth0.50', kind: 'vlan', link: 'eth0', vlanId: 50, network: 'macvlan50' }]);
  assert.equal(ep(m, 'sensor', 'macvlan50')?.attachment, { kind: 'macvlan', parent: 'eth0.50', mode: 'bridge' });
  assert.equal(ep(w, 'probe', 'ipvlan210')?.attachment, { kind: 'ipvlan', parent: 'eth1', mode: 'l2', flag: 'bridge' });
  assert.is(w.parentLinks, undefined, 'eth1 exists on worker1: nothing to create');
  assert.ok(!m.endpoints.some((e) => e.network === 'ipvlan210'), 'ipvlan210 exists on worker1 only');
});

test('article-drivers: ESP between the two hosts; keys only in xfrm-states.secret', () => {
  const r = buildExample('article-drivers');
  const m = byHost(r.topologies, 'manager1');
  assert.equal(m.xfrm?.policies.map((p) => [p.selector.src, p.selector.dst, p.selector.dport]), [['192.168.56.11/32', '192.168.56.12/32', 4789]]);
  const secret = r.files!.get('manager1/xfrm-states.secret')!;
  assert.match(secret, /aead 'rfc4106\(gcm\(aes\)\)' 0x000102030405060708090a0b0c0d0e0f/);
  for (const [name, text] of r.files!) {
    if (name.endsWith('.secret')) continue;
    assert.not.match(text, /000102030405060708090a0b0c0d0e0f/, `${name} holds key material`);
  }
  const rules = r.files!.get('manager1/iptables.rules')!;
  assert.match(rules, /-A INPUT -p udp -m policy --dir in --pol none -m udp --dport 4789 -m bpf --bytecode "[0-9 ,]+" -j DROP/);
});

test('routing mesh: ingress_sbox balances every task of a service, on any host, behind its VIP', () => {
  const r = buildExample('article-drivers');
  for (const host of ['manager1', 'worker1']) {
    const sbox = byHost(r.topologies, host).containers.find((c) => c.name === 'ingress_sbox')!;
    assert.equal(sbox.loadBalancer?.vips, ['10.11.0.4/32'], 'my-nginx VIP on my-ingress');
    assert.equal(sbox.loadBalancer?.services, [{ fwMark: 256, destinations: ['10.11.0.5', '10.11.0.6'] }]);
  }
  const setup = r.files!.get('worker1/setup.sh')!;
  assert.match(setup, /ipvsadm -R <<'EOF'\n-A -f 256 -s rr\n-a -f 256 -r 10\.11\.0\.5:0 -m -w 1\n-a -f 256 -r 10\.11\.0\.6:0 -m -w 1\nEOF\n/);
});

test('no swarm, one host: nothing of the above appears', () => {
  const t = buildExample('my-net').topology!;
  assert.is(t.overlays, undefined);
  assert.ok(!t.bridges.some((b) => b.name === 'docker_gwbridge'));
  assert.ok(!t.containers.some((c) => c.sandbox));
});

test.run();
