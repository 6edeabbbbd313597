// The packet tracer on Docker 29's nftables backend: each of the layout's paths (verdict maps by
// interface name, the DNAT chain behind `fib daddr type local`, the bridges' own chains, raw-PREROUTING's
// drops, masquerade reached by `iifname` in POSTROUTING, the overlay's encryption table), each step with
// its rule as nft lists it and its YAML line; and the same verdicts as the iptables backend on every
// example that builds with both, over a grid of queries. The e2e suite holds both to a kernel.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, resultLocator, type CompileResult } from '../src/compile.ts';
import { trace, type Party, type Trace, type TraceQuery } from '../src/trace/index.ts';
import { formatTrace } from '../src/trace/format.ts';
import { parseParty, parseTarget } from '../src/trace/spec.ts';
import type { Topology } from '../src/topology/types.ts';
import type { NftMatch, NftRule } from '../src/firewall/nftables/types.ts';
import { ChainIndex } from '../src/trace/chain-index.ts';
import type { MatchContext } from '../src/trace/netfilter.ts';
import { indexView } from '../src/trace/nftables.ts';
import { nftMatches, type NftTableData } from '../src/trace/nftables-match.ts';
import type { Packet } from '../src/trace/packet.ts';
import { generate, toYaml } from '../bench/generate.ts';
import { withBackend, type Backend } from './e2e/harness/backend.ts';
import { buildExample, exampleNames, testSecrets } from './support/examples.ts';

const built = new Map<string, CompileResult>();
/** An example as written when it is on `backend` (its YAML positions as in the file), else with `firewall-backend` set to it. */
function ex(name: string, backend: Backend = 'nftables'): CompileResult {
  const key = `${backend} ${name}`;
  let b = built.get(key);
  if (!b) {
    b = buildExample(name);
    if (b.topologies?.[0]?.firewall.backend !== backend) b = buildExample(name, {}, (s, read) => withBackend(s, read, backend));
    built.set(key, b);
  }
  return b;
}

function run(name: string, from: string, to: string, backend: Backend = 'nftables'): Trace {
  const b = ex(name, backend);
  assert.equal(b.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const src = parseParty(from) as Party;
  const dst = parseTarget(to) as { party: Party; port: number; proto: 'tcp' | 'udp' | 'sctp' };
  return trace(b.topologies!, { from: src, to: dst.party, port: dst.port, proto: dst.proto }, { locate: resultLocator(b) });
}

const FILE = 'test/scenarios/nftablesdoc-usernet-portmap.yaml';
const NETWORK = `${FILE}:13:3`;
const PORT = `${FILE}:22:13`;

test("a published port: the DNAT chain behind fib daddr type local, then the bridge's chain through the verdict map", () => {
  const t = run('nftablesdoc-usernet-portmap', 'outside', 'host:8080');
  assert.is(t.verdict, 'reach');
  const req = t.steps.filter((s) => s.leg === 'request' && s.rule);
  assert.equal(
    req.map((s) => [s.chain, s.rule, s.action, s.source]),
    [
      ['ip docker-bridges/nat-PREROUTING', 'fib daddr type local counter jump nat-prerouting-and-output', 'jump nat-prerouting-and-output', 'daemon default'],
      ['ip docker-bridges/nat-prerouting-and-output', 'iifname != "bridge1" tcp dport 8080 counter dnat to 192.0.2.2:80 comment "DNAT"', 'dnat to 192.0.2.2:80', PORT],
      ['ip docker-bridges/filter-FORWARD', 'oifname vmap @filter-forward-in-jumps', 'jump filter-forward-in__bridge1', NETWORK],
      ['ip docker-bridges/filter-forward-in__bridge1', 'ip daddr 192.0.2.2 tcp dport 80 counter accept', 'accept', PORT],
      ['ip docker-bridges/nat-POSTROUTING', 'oifname vmap @nat-postrouting-in-jumps', 'jump nat-postrouting-in__bridge1', NETWORK],
    ],
  );
  assert.equal(t.translations.map((x) => [x.leg, x.kind, x.from, x.to]), [
    ['request', 'dnat', '203.0.113.1:8080', '192.0.2.2:80'],
    ['reply', 'un-dnat', '192.0.2.2:80', '203.0.113.1:8080'],
    ['ack', 'dnat', '203.0.113.1:8080', '192.0.2.2:80'],
  ]);
  // The reply is let through by conntrack in the bridge's outgoing chain.
  assert.ok(t.steps.some((s) => s.leg === 'reply' && s.chain === 'ip docker-bridges/filter-forward-out__bridge1' && s.rule === 'ct state established,related counter accept'));
});

test("egress: POSTROUTING's iifname picks the bridge's masquerade chain (ip_output passes the input interface)", () => {
  const t = run('nftablesdoc-usernet-portmap', 'c1', 'outside:9000');
  assert.is(t.verdict, 'reach');
  const masq = t.steps.find((s) => s.action === 'masquerade')!;
  assert.equal([masq.chain, masq.rule, masq.source], ['ip docker-bridges/nat-postrouting-out__bridge1', 'oifname != "bridge1" ip saddr 192.0.2.0/24 counter masquerade comment "MASQUERADE"', NETWORK]);
  assert.ok(t.steps.some((s) => s.chain === 'ip docker-bridges/nat-POSTROUTING' && s.rule === 'iifname vmap @nat-postrouting-out-jumps'));
  assert.match(formatTrace(t), /=> delivered to outside 203\.0\.113\.2:9000 from 203\.0\.113\.1 \(masqueraded\)/);
});

test("direct routing to a container is dropped in raw-PREROUTING; routed mode drops an unpublished port in the bridge's chain", () => {
  const direct = run('nftablesdoc-usernet-portmap', 'outside', 'c1:80');
  assert.is(direct.verdict, 'blocked');
  assert.equal(direct.request.outcome === 'dropped' && [direct.request.reason, direct.request.source], [
    'dropped by ip daddr 192.0.2.2 iifname != "bridge1" counter drop comment "DROP DIRECT ACCESS"',
    `${FILE}:21:16`,
  ]);
  assert.is(direct.steps.find((s) => s.action === 'drop')!.chain, 'ip docker-bridges/raw-PREROUTING');
  assert.is(run('nftablesdoc-usernet-portmap-routed', 'outside', 'c1:80').verdict, 'reach');
  const unpublished = run('nftablesdoc-usernet-portmap-routed', 'outside', 'c1:81');
  assert.is(unpublished.verdict, 'blocked');
  assert.match(unpublished.reason!, /counter drop comment "UNPUBLISHED PORT DROP"$/);
  // nat-unprotected: no direct-access drop, and the bridge's chain ends in accept.
  const open = run('nftablesdoc-usernet-portmap-natunprot', 'outside', 'c1:81');
  assert.is(open.verdict, 'reach');
  assert.ok(open.steps.some((s) => s.rule === 'counter accept comment "UNPROTECTED"'));
});

test('internal networks and ICC off: the bridge chains drop what crosses them', () => {
  const ingress = run('nftablesdoc-usernet-internal', 'outside', 'c1:80');
  assert.is(ingress.verdict, 'blocked');
  assert.match(ingress.reason!, /iifname != "bridgeICC" counter drop comment "INTERNAL NETWORK INGRESS"$/);
  // ICC off: br_netfilter (which Docker turns on for it) hands bridged traffic to the nft tables too.
  const icc = run('e2e-icc-off', 'quiet2', 'quiet1:80');
  assert.is(icc.verdict, 'blocked');
  assert.ok(icc.steps.some((s) => s.action.includes('br_netfilter')));
  assert.match(icc.reason!, /iifname "(br-\w+)" counter drop comment "ICC"$/);
  assert.is(run('e2e-icc-off', 'loud1', 'loud2:80').verdict, 'reach');
});

test("an encrypted overlay with iptables off: docker-overlay's mark (its line: the network's VNI element), ESP, enc-in before iptables' INPUT", () => {
  const text = `version: 1
daemon: {firewall-backend: nftables, iptables: false}
hosts:
  node1: {address: 192.168.56.11, interfaces: [eth0], open_swarm_ports: true}
  node2: {address: 192.168.56.12, interfaces: [eth0], role: worker}
networks:
  secret: {driver: overlay, attachable: true, driver_opts: {encrypted: ""}}
containers:
  a1: {host: node1, networks: [secret]}
  b1: {host: node2, networks: [secret]}
`;
  const r = compile({ file: 'swarm.yaml', text }, undefined, { secrets: testSecrets() });
  const q: TraceQuery = { from: { kind: 'container', name: 'a1' }, to: { kind: 'container', name: 'b1', network: 'secret' }, port: 80, proto: 'tcp' };
  const t = trace(r.topologies!, q, { locate: resultLocator(r) });
  assert.is(t.verdict, 'reach');
  const mark = t.steps.find((s) => s.leg === 'request' && s.chain === 'ip docker-overlay/enc-out')!;
  assert.equal([mark.rule, mark.action, mark.source], ['udp dport 4789 @th,96,24 @encrypted-vnis counter meta mark set 0x00d0c4e3', `mark set ${0xd0c4e3}`, 'swarm.yaml:7:3']);
  assert.ok(t.steps.some((s) => s.leg === 'request' && s.action.startsWith('xfrm: ESP to 192.168.56.12')));
  // The reply enters node1: enc-in (priority raw, -300) before iptables' filter INPUT (0), which NETFORM-SWARM opens.
  const input = t.steps.filter((s) => s.leg === 'reply' && s.where === 'host node1' && s.hook === 'input').map((s) => s.chain);
  assert.equal(input, ['ip docker-overlay/enc-in', 'filter INPUT', 'filter NETFORM-SWARM']);
});

/** Containers, the host and the outside against every endpoint address, published port and the outside. */
function queries(t: Topology): TraceQuery[] {
  const froms: Party[] = [{ kind: 'outside' }, { kind: 'host' }, ...t.containers.filter((c) => c.networking.kind === 'netns').map((c): Party => ({ kind: 'container', name: c.name }))];
  const targets: { to: Party; port: number; family: 4 | 6 }[] = [];
  for (const e of t.endpoints) {
    const ports = new Set([80, ...t.ports.filter((p) => p.container === e.container).map((p) => p.containerPort)]);
    for (const port of ports) {
      if (e.ipv4) targets.push({ to: { kind: 'address', address: e.ipv4 }, port, family: 4 });
      if (e.ipv6) targets.push({ to: { kind: 'address', address: e.ipv6 }, port, family: 6 });
    }
  }
  for (const p of t.ports) {
    const family = p.hostIP.includes(':') ? 6 : 4;
    targets.push({ to: p.hostIP === '0.0.0.0' || p.hostIP === '::' ? { kind: 'host' } : { kind: 'address', address: p.hostIP }, port: p.hostPort, family });
  }
  targets.push({ to: { kind: 'outside' }, port: 9000, family: 4 }, { to: { kind: 'outside' }, port: 9000, family: 6 });
  return froms.flatMap((from) => targets.flatMap((x) => (['tcp', 'udp'] as const).map((proto): TraceQuery => ({ from, to: x.to, port: x.port, proto, family: x.family }))));
}

test('every example that builds with both backends: the same verdict on each query of the grid', () => {
  const differ: string[] = [];
  const verdicts = { reach: 0, blocked: 0, unknown: 0 };
  let examples = 0;
  for (const name of exampleNames()) {
    const [ipt, nft] = (['iptables', 'nftables'] as const).map((b) => ex(name, b));
    const errors = (r: CompileResult) => r.diagnostics.filter((d) => d.severity === 'error');
    if (errors(ipt!).length > 0 || ipt!.topologies?.length !== 1) continue;
    // What Docker 29 cannot run on nftables (older engines, swarm mode) is refused; anything else that
    // fails (an `expect:` the tracer now contradicts) is a difference.
    const refused = errors(nft!).filter((d) => d.code !== 'UNSUPPORTED');
    if (refused.length > 0) differ.push(`${name}: does not build with nftables: ${refused.map((d) => d.message).join('; ')}`);
    if (errors(nft!).length > 0) continue;
    examples++;
    for (const q of queries(ipt!.topologies![0]!)) {
      let a: Trace;
      let b: Trace;
      try {
        a = trace(ipt!.topologies!, q);
        b = trace(nft!.topologies!, q);
      } catch {
        continue; // a query the grid makes that names nothing on this example (no address of the family)
      }
      verdicts[b.verdict]++;
      if (a.verdict !== b.verdict) differ.push(`${name}: ${JSON.stringify(q)}: iptables ${a.verdict} (${a.reason ?? ''}), nftables ${b.verdict} (${b.reason ?? ''})`);
    }
  }
  console.log(`tracer, iptables vs nftables: ${examples} examples, ${verdicts.reach + verdicts.blocked + verdicts.unknown} queries (nftables: ${verdicts.reach} reach, ${verdicts.blocked} blocked, ${verdicts.unknown} unknown), ${differ.length} differ`);
  assert.ok(examples >= 25, `only ${examples} examples build with both backends`);
  assert.ok(verdicts.reach > 500 && verdicts.blocked > 200, 'the grid should both reach and be blocked');
  assert.equal(differ, []);
});

/** A deterministic pseudo-random sequence (xorshift32), so a failure can be reproduced. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

for (const [dominant, shape] of ['a DNAT per host port', 'a drop per address', 'an accept per container port', 'a rule per bridge'].entries()) test(`a long nft chain of ${shape}: its index never leaves out a rule that holds, and keeps chain order`, () => {
  const r = rng(0x2545f491 ^ dominant);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const bridges = ['br-a', 'br-b', 'docker0'];
  const addrs = Array.from({ length: 30 }, (_, i) => `10.0.${i % 3}.${2 + i}`);
  const ports = [80, 443, 8080, 53];
  const dst = (cidr: string, negate = false): NftMatch => ({ kind: 'destination', address: { cidr, ...(negate ? { negate } : {}) } });
  // Shaped like Docker's long chains (mostly one kind of rule), with a quarter of rules of every kind.
  const rule = (i: number): NftRule => {
    const proto = pick(['tcp', 'udp'] as const);
    const shapes: NftMatch[][] = [
      [{ kind: 'in', iface: { name: pick(bridges), negate: true } }, { kind: proto, dport: pick(ports) }],
      [dst(`${pick(addrs)}/32`), { kind: 'in-set', ifaces: { names: [pick(bridges), 'eth1'], negate: true } }],
      [dst(`${pick(addrs)}/32`), { kind: proto, dport: pick(ports) }],
      [{ kind: 'out', iface: { name: pick(bridges) } }, dst(`${pick(addrs)}/32`, true)],
      [{ kind: 'in', iface: { name: pick(bridges) } }],
      [{ kind: proto, sport: pick(ports) }, dst('10.0.0.0/16')],
    ];
    return { matches: shapes[i % 4 === 3 ? Math.floor(r() * shapes.length) : dominant]!, counter: true, action: { kind: 'accept' } };
  };
  const rules = Array.from({ length: 500 }, (_, i) => rule(i));
  const index = ChainIndex.of(rules.map(indexView));
  assert.ok(index, 'a chain of 500 rules is indexed');
  const table: NftTableData = { table: { family: 4, name: 't', maps: [], sets: [], chains: [] }, chains: new Map(), maps: new Map(), sets: new Map() };
  let left = 0;
  for (let n = 0; n < 300; n++) {
    const proto = pick(['tcp', 'udp'] as const);
    const packet: Packet = { family: 4, proto, src: '172.16.0.9', dst: pick([...addrs, '203.0.113.1']), sport: pick(ports), dport: pick(ports), mark: 0 };
    const hook = pick(['prerouting', 'forward', 'output'] as const);
    const ctx: MatchContext = { packet, hook, ...(hook !== 'output' ? { in: pick([...bridges, 'eth0']) } : {}), ...(hook !== 'prerouting' ? { out: pick([...bridges, 'eth0']) } : {}), ctState: 'NEW', addressType: () => 'UNICAST' };
    const cursor = index!.candidates(ctx);
    const candidates: number[] = [];
    for (let i = cursor?.next(); i !== undefined; i = cursor!.next()) candidates.push(i);
    if (!cursor) candidates.push(...rules.keys());
    for (let i = 1; i < candidates.length; i++) assert.ok(candidates[i - 1]! < candidates[i]!, 'candidates in chain order');
    const kept = new Set(candidates);
    rules.forEach((x, i) => {
      if (kept.has(i)) return;
      left++;
      assert.not.ok(x.matches.every((m) => nftMatches(m, ctx, table)), `rule ${i} ${JSON.stringify(x.matches)} holds for ${JSON.stringify(packet)} (${hook} in ${ctx.in} out ${ctx.out}) but is not a candidate`);
    });
  }
  assert.ok(left > 0, 'the index leaves rules out');
});

test('a generated host of 300 containers and 400 published ports (long, indexed chains): the same verdicts on both backends', () => {
  const yaml = toYaml(generate({ networks: 12, containers: 300, ports: 400 }));
  const on = (backend: Backend) => {
    const r = compile({ file: 'gen.yaml', text: yaml.replace(/^version: 1\n/m, `version: 1\ndaemon:\n  firewall-backend: ${backend}\n`) }, undefined, { files: false });
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    return r.topologies!;
  };
  const [ipt, nft] = [on('iptables'), on('nftables')];
  const fw = nft[0]!.firewall;
  assert.ok(fw.backend === 'nftables' && fw.tables[0]!.chains.some((c) => c.rules.length >= 300), 'the nft tables have long chains');
  const c = (n: number): Party => ({ kind: 'container', name: `c-${n % 300}` });
  const qs: TraceQuery[] = [];
  for (let i = 0; i < 60; i++) {
    const p = nft[0]!.ports[(i * 37) % nft[0]!.ports.length]!;
    const hostTo: Party = p.hostIP === '0.0.0.0' || p.hostIP === '::' ? { kind: 'host' } : { kind: 'address', address: p.hostIP };
    qs.push(
      { from: { kind: 'outside' }, to: hostTo, port: p.hostPort, proto: p.proto, family: p.hostIP.includes(':') ? 6 : 4 },
      { from: c(i), to: c(i + 12), port: 80, proto: 'tcp' },
      { from: c(i), to: c(i + 1), port: 80, proto: 'tcp' },
      { from: c(i), to: hostTo, port: p.hostPort, proto: p.proto, family: p.hostIP.includes(':') ? 6 : 4 },
      { from: { kind: 'outside' }, to: c(i), port: 80, proto: 'tcp' },
      { from: c(i), to: { kind: 'outside' }, port: 443, proto: 'udp' },
    );
  }
  const differ: string[] = [];
  const verdicts = new Set<string>();
  for (const q of qs) {
    const [a, b] = [trace(ipt, q), trace(nft, q)];
    verdicts.add(b.verdict);
    if (a.verdict !== b.verdict) differ.push(`${JSON.stringify(q)}: iptables ${a.verdict} (${a.reason ?? ''}), nftables ${b.verdict} (${b.reason ?? ''})`);
  }
  assert.equal(differ, []);
  assert.ok(verdicts.has('reach') && verdicts.has('blocked'), `verdicts: ${[...verdicts].join(', ')}`);
});

test.run();
