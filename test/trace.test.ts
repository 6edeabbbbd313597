// The packet tracer on the examples, path by path: what it says, which rules and translations it shows,
// and where it answers unknown (with the reason) rather than guess. The e2e matrices hold it to what a
// kernel does (test/e2e/tracer.test.ts, and the e2e suite itself).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, resultLocator } from '../src/compile.ts';
import { defaultWorld, trace, TraceError, type Party, type Trace, type TraceQuery } from '../src/trace/index.ts';
import { formatTrace } from '../src/trace/format.ts';
import { parseParty, parseTarget } from '../src/trace/spec.ts';
import { buildExample } from './support/examples.ts';

const built = new Map<string, ReturnType<typeof buildExample>>();
function ex(name: string) {
  let b = built.get(name);
  if (!b) built.set(name, (b = buildExample(name)));
  return b;
}

function run(name: string, from: string, to: string, extra: Partial<TraceQuery> = {}): Trace {
  const src = parseParty(from) as Party;
  const dst = parseTarget(to) as { party: Party; port: number; proto: 'tcp' | 'udp' | 'sctp' };
  const b = ex(name);
  return trace(b.topologies!, { from: src, to: dst.party, port: dst.port, proto: dst.proto, ...extra }, { locate: resultLocator(b) });
}

test('a published port from outside: DNAT to the container, the rule with its YAML line, the reply translated back', () => {
  const t = run('my-net', 'outside', 'host:8080');
  assert.is(t.verdict, 'reach');
  assert.equal(t.request.outcome === 'delivered' && [t.request.where, t.request.address, t.request.port, t.request.peer], ['container my-nginx', '172.18.0.2', 80, '203.0.113.2']);
  assert.equal(t.translations.filter((x) => x.leg === 'request').map((x) => [x.kind, x.from, x.to, x.source]), [['dnat', '203.0.113.1:8080', '172.18.0.2:80', 'examples/my-net.yaml:18:13']]);
  assert.equal(t.translations.filter((x) => x.leg === 'reply').map((x) => x.kind), ['un-dnat']);
  const dnat = t.steps.find((s) => s.rule?.includes('-j DNAT'))!;
  assert.is(dnat.chain, 'nat DOCKER');
  assert.is(dnat.source, 'examples/my-net.yaml:18:13');
  assert.match(formatTrace(t), /=> delivered to my-nginx 172\.18\.0\.2:80 from 203\.0\.113\.2 \(DNAT\)/);
});

test('direct routing to a container address is dropped in raw PREROUTING (Docker 28+), and allowed before', () => {
  const t = run('my-net', 'outside', 'my-nginx:80');
  assert.is(t.verdict, 'blocked');
  assert.equal(t.request.outcome === 'dropped' && t.request.source, 'examples/my-net.yaml:17:16');
  assert.match(t.reason!, /-A PREROUTING -d 172\.18\.0\.2\/32 ! -i br-\w+ -j DROP/);
  assert.is(run('engine-20.10-default-bridge', 'outside', 'web:80').verdict, 'reach');
});

test('egress is masqueraded behind the uplink address; an internal network has no way out', () => {
  const t = run('my-net', 'my-nginx', 'outside:9000');
  assert.is(t.verdict, 'reach');
  assert.equal(t.translations.filter((x) => x.leg === 'request').map((x) => x.kind), ['masquerade']);
  assert.match(formatTrace(t), /=> delivered to outside 203\.0\.113\.2:9000 from 203\.0\.113\.1 \(masqueraded\)/);
  const k = run('e2e-internal', 'keeper', 'outside:9000');
  assert.is(k.verdict, 'blocked');
  assert.match(k.reason!, /no route to/);
});

test('icc off: two containers of one bridge are dropped by the ICC rule (br_netfilter, which Docker turns on)', () => {
  const t = run('e2e-icc-off', 'quiet2', 'quiet1:80');
  assert.is(t.verdict, 'blocked');
  assert.ok(t.steps.some((s) => s.action.includes('br_netfilter')));
  assert.match(t.reason!, /-i (br-\w+|quiet\w*) -o \1 -j DROP/);
  assert.is(run('e2e-icc-off', 'loud1', 'loud2:80').verdict, 'reach');
});

test('hairpin: a container to its own published port, masqueraded to the gateway (no userland proxy)', () => {
  const t = run('e2e-noproxy', 'c1', 'host:8080');
  assert.is(t.verdict, 'reach');
  const gateway = ex('e2e-noproxy').topology!.bridges.find((b) => b.network === 'n1')!.addresses[0]!.split('/')[0];
  assert.equal(t.request.outcome === 'delivered' && [t.request.where, t.request.peer], ['container c1', gateway]);
  assert.equal(t.translations.filter((x) => x.leg === 'request').map((x) => x.kind), ['dnat', 'masquerade']);
  // The host's loopback reaches it too: route_localnet lets 127.0.0.1 leave through the bridge.
  assert.is(run('e2e-noproxy', 'host', '127.0.0.1:8080').verdict, 'reach');
});

test('what the tracer does not model is unknown, with the reason: docker-proxy, IPVS', () => {
  const proxy = run('engine-28-user-networks', 'q1', 'host:8081');
  assert.is(proxy.verdict, 'unknown');
  assert.match(proxy.reason!, /docker-proxy listens on 0\.0\.0\.0:8081/);
  const mesh = run('swarm-overlay', 'outside', 'host:8080', { host: 'node1' });
  assert.is(mesh.verdict, 'unknown');
  assert.match(mesh.reason!, /IPVS/);
});

test('overlay across hosts: VXLAN between the underlay addresses, the containers\' own addresses', () => {
  const t = run('swarm-overlay', 'alpha', 'beta@my-attachable-overlay:80');
  assert.is(t.verdict, 'reach');
  assert.equal(t.request.outcome === 'delivered' && [t.request.where, t.request.peer], ['container beta', '10.0.1.2']);
  assert.ok(t.steps.some((s) => /VNI 4097 to 192\.168\.56\.12:4789/.test(s.action)));
  assert.equal(t.translations, []);
});

test('macvlan: a child and its parent\'s own namespace do not hear each other; the LAN reaches the child', () => {
  const world = ex('e2e-macvlan');
  const t = trace(world.topologies!, { from: { kind: 'host' }, to: { kind: 'container', name: 'printer' }, port: 631, proto: 'tcp' }, {
    world: { hosts: { local: { uplink: { ifname: 'uplink0', v4: '203.0.113.1/24' }, lans: { eth1: '192.168.77.2/24' } } }, outside: { v4: '203.0.113.2/24' }, outsideRoutes: [], lans: { eth1: { outside: '192.168.77.1/24' } }, hostDefaultRoute: false, outsideOwnsTheRest: false, outsideForwards: false },
  });
  assert.is(t.verdict, 'blocked');
  assert.match(t.reason!, /no neighbour|do not hear each other/);
  assert.is(run('e2e-macvlan', 'outside', 'printer:631').verdict, 'reach');
});

test('a verdict that depends on a host setting the topology leaves alone is unknown, and says which', () => {
  // Docker 20.10 turns br_netfilter on for icc off only: without the userland proxy and with icc on, a
  // container reaching a neighbour's published port needs bridged traffic un-DNATed on its way back.
  const yaml = `version: 1
engine: "20.10"
daemon: {userland-proxy: false}
host: {resolv_conf: "nameserver 10.0.0.1\\n"}
networks: {n: {}}
containers:
  c1: {networks: [n], ports: ["8080:80"]}
  c2: {networks: [n]}
`;
  const r = compile({ file: 'x.yaml', text: yaml }, undefined, { files: false });
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error'), []);
  const t = trace(r.topologies!, { from: { kind: 'container', name: 'c2' }, to: { kind: 'host' }, port: 8080, proto: 'tcp' });
  assert.is(t.verdict, 'unknown');
  assert.match(t.reason!, /br_netfilter/);
  const known = (brNetfilter: boolean) => trace(r.topologies!, { from: { kind: 'container', name: 'c2' }, to: { kind: 'host' }, port: 8080, proto: 'tcp' }, { world: { ...defaultWorld(r.topologies!), facts: { brNetfilter } } }).verdict;
  assert.equal([known(true), known(false)], ['reach', 'blocked']);
});

test('a query that names nothing is a TraceError', () => {
  assert.throws(() => run('my-net', 'nobody', 'host:80'), (e: unknown) => e instanceof TraceError && /no container "nobody"/.test((e as Error).message));
  assert.throws(() => run('swarm-overlay', 'host', 'outside:80'), (e: unknown) => e instanceof TraceError && /several hosts/.test((e as Error).message));
  assert.equal(parseTarget('fd00::1:80'), { error: '"fd00::1:80": write an IPv6 address in brackets ([fd00::2]:80)' });
  assert.equal(parseTarget('[fd00::1]:53/udp'), { party: { kind: 'address', address: 'fd00::1' }, port: 53, proto: 'udp' });
});

test.run();
