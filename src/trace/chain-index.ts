// The rules of a long chain that can match a packet, in order, found without testing the others: Docker's
// chains on a host of 10,000 containers hold a rule per container or per published port, each for one
// address or one bridge. A chain is indexed by the test that most of its rules make on one exact value
// (the destination address, the output or input interface); a packet is then tested against the rules
// for its value and the rules that do not make that test, merged back into chain order.
import type { CompiledMatch, MatchContext } from './netfilter.ts';

type Key = 'dst' | 'out' | 'in';

/** Chains shorter than this are walked rule by rule. */
const MIN_RULES = 64;

const keyOf = (c: CompiledMatch, k: Key): string | undefined => {
  if (k === 'dst') return c.dstNegate ? undefined : c.dstHost;
  const name = k === 'out' ? c.outName : c.inName;
  const negate = k === 'out' ? c.outNegate : c.inNegate;
  return name === undefined || negate || name.endsWith('+') ? undefined : name;
};

export class ChainIndex {
  private constructor(
    private readonly key: Key,
    private readonly byValue: ReadonlyMap<string, readonly number[]>,
    /** Rules that do not test the key (they may match any value), in order. */
    private readonly rest: readonly number[],
  ) {}

  /** An index for a chain where one test is selective enough, else undefined. */
  static of(rules: readonly CompiledMatch[]): ChainIndex | undefined {
    if (rules.length < MIN_RULES) return undefined;
    let best: ChainIndex | undefined;
    let bestRest = rules.length / 2;
    for (const k of ['dst', 'out', 'in'] as const) {
      const byValue = new Map<string, number[]>();
      const rest: number[] = [];
      rules.forEach((c, i) => {
        const v = keyOf(c, k);
        if (v === undefined) return void rest.push(i);
        const l = byValue.get(v);
        if (l) l.push(i);
        else byValue.set(v, [i]);
      });
      if (rest.length < bestRest) [best, bestRest] = [new ChainIndex(k, byValue, rest), rest.length];
    }
    return best;
  }

  /** The indexes of the rules that can match, in chain order. */
  candidates(ctx: MatchContext): readonly number[] {
    const v = this.key === 'dst' ? ctx.packet.dst : this.key === 'out' ? ctx.out : ctx.in;
    const keyed = v === undefined ? undefined : this.byValue.get(v);
    if (!keyed) return this.rest;
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
