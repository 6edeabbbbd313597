// The rules of a long chain that can match a packet, in order, found without testing the others: Docker's
// chains on a host of 10,000 containers hold a rule per container or per published port, each for one
// address, one port or one bridge. A chain is indexed by the test its rules make on one exact value (the
// destination address, the destination port, the output or input interface) that leaves the fewest
// rules to test for a packet; the packet is then tested against the rules for its value and the rules
// that do not make that test, merged back into chain order.
import type { RuleMatch } from '../firewall/types.ts';
import type { MatchContext } from './netfilter.ts';
import { hostOf } from './packet.ts';

type Key = 'dst' | 'dport' | 'out' | 'in';
const KEYS: readonly Key[] = ['dst', 'dport', 'out', 'in'];

/** A dotted quad of octets without leading zeros, then /32: canonical already, the key as it is (no parse). */
function canonicalV4Host(s: string): boolean {
  const n = s.length;
  if (n < 10 || s.charCodeAt(n - 3) !== 47 || s.charCodeAt(n - 2) !== 51 || s.charCodeAt(n - 1) !== 50) return false;
  let dots = 0;
  let digits = 0;
  let octet = 0;
  for (let i = 0; i < n - 3; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return false;
      dots++;
      digits = 0;
      octet = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return false;
      octet = octet * 10 + c - 48;
      if (++digits > 3 || octet > 255) return false;
    } else {
      return false;
    }
  }
  return dots === 3 && digits > 0;
}

/** Chains shorter than this are walked rule by rule. */
const MIN_RULES = 64;
/** How many rules of a long chain are looked at to order the keys. */
const SAMPLE = 256;

type Value = string | number;

/** A transport protocol and port as one number (a map key that costs no string). */
const PROTO_CODE: Readonly<Record<string, number>> = { tcp: 1, udp: 2, sctp: 3 };
const portKey = (proto: string, port: number): number | undefined => {
  const code = PROTO_CODE[proto];
  return code === undefined ? undefined : code * 65536 + port;
};

/** The exact value a rule tests for `k`, if it does: a destination as `address/len` in canonical form, a port as portKey. */
function keyOf(m: RuleMatch, k: Key): Value | undefined {
  switch (k) {
    case 'dst': {
      const d = m.destination;
      if (!d || d.negate) return undefined;
      if (canonicalV4Host(d.cidr)) return d.cidr;
      const host = hostOf(d.cidr);
      return host === undefined ? undefined : `${host}/${host.includes(':') ? 128 : 32}`;
    }
    case 'dport': {
      if (!m.protocol || m.protocol.negate) return undefined;
      const mod = m.modules?.find((x) => x.kind === 'tcp' || x.kind === 'udp' || x.kind === 'sctp');
      return mod && 'dport' in mod && mod.dport !== undefined && mod.kind === m.protocol.name ? portKey(mod.kind, mod.dport) : undefined;
    }
    default: {
      const i = k === 'out' ? m.outInterface : m.inInterface;
      return !i || i.negate || i.name.endsWith('+') ? undefined : i.name;
    }
  }
}

/** The value of `k` for a packet. */
function valueOf(k: Key, ctx: MatchContext): Value | undefined {
  const p = ctx.packet;
  switch (k) {
    case 'dst':
      return `${p.dst}/${p.family === 4 ? 32 : 128}`;
    case 'dport':
      return portKey(p.proto, p.dport);
    case 'out':
      return ctx.out;
    case 'in':
      return ctx.in;
  }
}

interface Candidate {
  readonly key: Key;
  /** Rule indexes by value: one, or several in order. */
  readonly byValue: Map<Value, number | number[]>;
  /** Rules that do not test the key, in order. */
  readonly rest: number[];
  /** The rules a packet is tested against, on average: those that do not test the key, and its value's. */
  readonly cost: number;
}

/** The index on `key` of rules whose values for it are `values`, and its cost. */
function candidate(key: Key, values: readonly (Value | undefined)[]): Candidate {
  const byValue = new Map<Value, number | number[]>();
  const rest: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined) {
      rest.push(i);
      continue;
    }
    const l = byValue.get(v);
    if (l === undefined) byValue.set(v, i);
    else if (typeof l === 'number') byValue.set(v, [l, i]);
    else l.push(i);
  }
  let squares = 0;
  for (const l of byValue.values()) squares += typeof l === 'number' ? 1 : l.length * l.length;
  return { key, byValue, rest, cost: rest.length + squares / Math.max(1, values.length - rest.length) };
}

export class ChainIndex {
  private constructor(
    private readonly key: Key,
    /** Rule indexes by value: one, or several in order. */
    private readonly byValue: ReadonlyMap<Value, number | number[]>,
    /** Rules that do not test the key (they may match any value), in order. */
    private readonly rest: readonly number[],
  ) {}

  /** An index for a chain where one test is selective enough, else undefined. */
  static of(rules: readonly { readonly match: RuleMatch }[]): ChainIndex | undefined {
    if (rules.length < MIN_RULES) return undefined;
    // Keys in the order of their cost on a sample of the rules; then each key's cost on all of them,
    // until one is good enough or the untested rules alone (a floor on the cost) cannot beat the best.
    const stride = Math.max(1, Math.floor(rules.length / SAMPLE));
    const order = KEYS.map((key) => {
      const sample: (Value | undefined)[] = [];
      for (let i = 0; i < rules.length; i += stride) sample.push(keyOf(rules[i]!.match, key));
      const c = candidate(key, sample);
      return { key, estimate: c.cost, untested: c.rest.length * stride };
    }).sort((a, b) => a.estimate - b.estimate);
    let best: Candidate | undefined;
    for (const { key, untested: guess } of order) {
      const bound = best?.cost ?? rules.length / 2;
      if (guess >= 2 * bound) continue;
      const values = rules.map((r) => keyOf(r.match, key));
      let untested = 0;
      for (const v of values) if (v === undefined) untested++;
      if (untested >= bound) continue;
      const c = candidate(key, values);
      if (c.cost < bound) best = c;
      // Good enough: a handful of rules to test per packet.
      if (best && best.cost < 16) break;
    }
    return best && new ChainIndex(best.key, best.byValue, best.rest);
  }

  /** The indexes of the rules that can match, in chain order. */
  candidates(ctx: MatchContext): readonly number[] {
    const v = valueOf(this.key, ctx);
    const found = v === undefined ? undefined : this.byValue.get(v);
    if (found === undefined) return this.rest;
    const keyed = typeof found === 'number' ? [found] : found;
    const out: number[] = [];
    let a = 0;
    let b = 0;
    while (a < keyed.length || b < this.rest.length) {
      if (b >= this.rest.length || (a < keyed.length && keyed[a]! < this.rest[b]!)) out.push(keyed[a++]!);
      else out.push(this.rest[b++]!);
    }
    return out;
  }
}
