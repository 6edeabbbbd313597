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

/** The exact value a rule tests for `k`, if it does: a destination as `address/len` in canonical form, a port as `proto/port`. */
function keyOf(m: RuleMatch, k: Key): string | undefined {
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
      return mod && 'dport' in mod && mod.dport !== undefined && mod.kind === m.protocol.name ? `${mod.kind}/${mod.dport}` : undefined;
    }
    default: {
      const i = k === 'out' ? m.outInterface : m.inInterface;
      return !i || i.negate || i.name.endsWith('+') ? undefined : i.name;
    }
  }
}

/** The value of `k` for a packet. */
function valueOf(k: Key, ctx: MatchContext): string | undefined {
  const p = ctx.packet;
  switch (k) {
    case 'dst':
      return `${p.dst}/${p.family === 4 ? 32 : 128}`;
    case 'dport':
      return `${p.proto}/${p.dport}`;
    case 'out':
      return ctx.out;
    case 'in':
      return ctx.in;
  }
}

interface Candidate {
  readonly key: Key;
  readonly values: readonly (string | undefined)[];
  /** The rules a packet is tested against, on average: those that do not test the key, and its value's. */
  readonly cost: number;
}

function candidate(rules: readonly { readonly match: RuleMatch }[], key: Key): Candidate {
  const values = rules.map((r) => keyOf(r.match, key));
  const sizes = new Map<string, number>();
  let rest = 0;
  for (const v of values) {
    if (v === undefined) rest++;
    else sizes.set(v, (sizes.get(v) ?? 0) + 1);
  }
  let squares = 0;
  for (const n of sizes.values()) squares += n * n;
  return { key, values, cost: rest + squares / Math.max(1, rules.length - rest) };
}

export class ChainIndex {
  private constructor(
    private readonly key: Key,
    /** Rule indexes by value: one, or several in order. */
    private readonly byValue: ReadonlyMap<string, number | number[]>,
    /** Rules that do not test the key (they may match any value), in order. */
    private readonly rest: readonly number[],
  ) {}

  /** An index for a chain where one test is selective enough, else undefined. */
  static of(rules: readonly { readonly match: RuleMatch }[]): ChainIndex | undefined {
    if (rules.length < MIN_RULES) return undefined;
    let best: Candidate | undefined;
    for (const k of KEYS) {
      const c = candidate(rules, k);
      if (c.cost < (best?.cost ?? rules.length / 2)) best = c;
      // Good enough: a handful of rules to test per packet.
      if (best && best.cost < 16) break;
    }
    if (!best) return undefined;
    const byValue = new Map<string, number | number[]>();
    const rest: number[] = [];
    best.values.forEach((v, i) => {
      if (v === undefined) return void rest.push(i);
      const l = byValue.get(v);
      if (l === undefined) byValue.set(v, i);
      else if (typeof l === 'number') byValue.set(v, [l, i]);
      else l.push(i);
    });
    return new ChainIndex(best.key, byValue, rest);
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
