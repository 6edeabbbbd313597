// The rules of a long chain that can match a packet, in order, found without testing the others: Docker's
// chains on a host of 10,000 containers hold a rule per container or per published port, each for one
// address or one bridge. A chain is indexed by the test that most of its rules make on one exact value
// (the destination address, the output or input interface); a packet is then tested against the rules
// for its value and the rules that do not make that test, merged back into chain order.
import type { RuleMatch } from '../firewall/types.ts';
import type { MatchContext } from './netfilter.ts';
import { hostOf } from './packet.ts';

type Key = 'dst' | 'out' | 'in';

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

/** The exact value a rule tests for `k` (a destination as `address/len` in canonical form), if it does. */
function keyOf(m: RuleMatch, k: Key): string | undefined {
  if (k === 'dst') {
    const d = m.destination;
    if (!d || d.negate) return undefined;
    if (canonicalV4Host(d.cidr)) return d.cidr;
    const host = hostOf(d.cidr);
    return host === undefined ? undefined : `${host}/${host.includes(':') ? 128 : 32}`;
  }
  const i = k === 'out' ? m.outInterface : m.inInterface;
  return !i || i.negate || i.name.endsWith('+') ? undefined : i.name;
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
    // The key most rules test. The destination is tried first, and the interfaces only when a tenth or
    // more of the rules test no destination (Docker's long chains are per container address).
    let key: Key | undefined;
    let bestRest = rules.length / 2;
    const dst = rules.map((r) => keyOf(r.match, 'dst'));
    for (const k of ['dst', 'out', 'in'] as const) {
      if (key === 'dst' && bestRest < rules.length / 10) break;
      let rest = 0;
      for (let i = 0; i < rules.length; i++) if ((k === 'dst' ? dst[i] : keyOf(rules[i]!.match, k)) === undefined) rest++;
      if (rest < bestRest) [key, bestRest] = [k, rest];
    }
    if (!key) return undefined;
    const byValue = new Map<string, number | number[]>();
    const rest: number[] = [];
    rules.forEach((r, i) => {
      const v = key === 'dst' ? dst[i] : keyOf(r.match, key!);
      if (v === undefined) return void rest.push(i);
      const l = byValue.get(v);
      if (l === undefined) byValue.set(v, i);
      else if (typeof l === 'number') byValue.set(v, [l, i]);
      else l.push(i);
    });
    return new ChainIndex(key, byValue, rest);
  }

  /** The indexes of the rules that can match, in chain order. */
  candidates(ctx: MatchContext): readonly number[] {
    const p = ctx.packet;
    const v = this.key === 'dst' ? `${p.dst}/${p.family === 4 ? 32 : 128}` : this.key === 'out' ? ctx.out : ctx.in;
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
