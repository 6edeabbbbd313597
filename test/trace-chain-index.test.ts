// The tracer's index of a long chain never hides a rule that matches: for chains shaped like Docker's
// long ones (a rule per address, per published port, per bridge) mixed with rules that test none of
// these, negated tests and interface wildcards, every rule left out of a packet's candidates must not
// match it, and the candidates come in chain order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RuleMatch } from '../src/firewall/types.ts';
import { ChainIndex, type Cursor } from '../src/trace/chain-index.ts';
import { compileMatch, matches, type MatchContext } from '../src/trace/netfilter.ts';
import type { Packet } from '../src/trace/packet.ts';

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

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const BRIDGES = ['br-a', 'br-b', 'br-c', 'docker0'];
const ADDRS = Array.from({ length: 40 }, (_, i) => `10.0.${i % 4}.${2 + i}`);
const PORTS = [80, 443, 8080, 8081, 53];

function ruleOf(shape: 'dst' | 'dport' | 'out' | 'mixed', r: () => number, i: number): { match: RuleMatch } {
  const tcp = pick(r, ['tcp', 'udp'] as const);
  const port = { protocol: { name: tcp }, modules: [{ kind: tcp, dport: pick(r, PORTS) }] };
  switch (shape) {
    case 'dst':
      return { match: { destination: { cidr: `${pick(r, ADDRS)}/32` }, inInterface: { name: pick(r, BRIDGES), negate: true } } };
    case 'dport':
      return { match: { destination: { cidr: '203.0.113.1/32' }, ...port } };
    case 'out':
      return { match: { outInterface: { name: pick(r, BRIDGES) }, ...(i % 3 ? { destination: { cidr: `${pick(r, ADDRS)}/32` } } : {}), ...(i % 2 ? port : {}) } };
    case 'mixed': {
      const k = i % 6;
      if (k === 0) return { match: { destination: { cidr: '10.0.0.0/16' } } };
      if (k === 1) return { match: { outInterface: { name: 'br+' } } };
      if (k === 2) return { match: { destination: { cidr: `${pick(r, ADDRS)}/32`, negate: true } } };
      if (k === 3) return { match: { protocol: { name: tcp, negate: true } } };
      return { match: { destination: { cidr: `${pick(r, ADDRS)}/32` } } };
    }
  }
}

function packetCtx(r: () => number): MatchContext {
  const proto = pick(r, ['tcp', 'udp', 'sctp'] as const);
  const packet: Packet = { family: 4, proto, src: '172.16.0.9', dst: r() < 0.2 ? '203.0.113.1' : pick(r, ADDRS), sport: 40000, dport: pick(r, PORTS), mark: 0 };
  return { packet, hook: 'forward', in: pick(r, [...BRIDGES, 'eth0']), out: pick(r, [...BRIDGES, 'eth0', 'br-zzz']), ctState: 'NEW', addressType: () => 'UNICAST' };
}

/** Every rule index a cursor gives (undefined: every rule of the chain). */
function drain(cursor: Cursor | undefined, length: number): number[] {
  if (!cursor) return Array.from({ length }, (_, i) => i);
  const out: number[] = [];
  for (let i = cursor.next(); i !== undefined; i = cursor.next()) out.push(i);
  return out;
}

for (const shape of ['dst', 'dport', 'out', 'mixed'] as const) {
  test(`a chain of rules per ${shape}: no matching rule is left out, candidates in order`, () => {
    const r = rng(0x9e3779b9 ^ shape.length);
    const rules = Array.from({ length: 400 }, (_, i) => ruleOf(shape, r, i));
    const index = ChainIndex.of(rules);
    if (shape !== 'mixed') assert.ok(index, `a chain of rules per ${shape} is indexed`);
    const compiled = rules.map((x) => compileMatch(x.match));
    let left = 0;
    let leftByScans = 0;
    // The first walks scan the rules' values as they go; the later ones use the index made then.
    for (let n = 0; n < 300; n++) {
      const ctx = packetCtx(r);
      const candidates = drain(index?.candidates(ctx), rules.length);
      for (let i = 1; i < candidates.length; i++) assert.ok(candidates[i - 1]! < candidates[i]!, 'candidates in chain order');
      const kept = new Set(candidates);
      compiled.forEach((c, i) => {
        if (kept.has(i)) return;
        left++;
        if (n < 8) leftByScans++;
        assert.not.ok(matches(c, ctx), `rule ${i} ${JSON.stringify(rules[i]!.match)} matches ${JSON.stringify(ctx.packet)} in ${ctx.in} out ${ctx.out} but is not a candidate`);
      });
    }
    if (shape !== 'mixed') assert.ok(left > 0 && leftByScans > 0, 'the scans and the index leave rules out');
  });
}

test('short chains are walked rule by rule', () => {
  assert.is(ChainIndex.of(Array.from({ length: 10 }, () => ({ match: { destination: { cidr: '10.0.0.2/32' } } }))), undefined);
});

test.run();
