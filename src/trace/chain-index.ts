// The rules of a long chain that can match a packet, in order, found without testing the others: Docker's
// chains on a host of 10,000 containers hold a rule per container or per published port, each for one
// address, one port or one bridge. A rule's exact value for one such test (the destination address, the
// destination port, the output or input interface) is compared with the packet's, and only the rules
// whose value is the packet's, or that do not make that test, are tested. The first walks of a chain
// read the values as they go (a walk that stops early reads no further: what one trace needs); a chain
// walked more often is indexed by the test that leaves the fewest rules for a packet: the rules for its
// value and the rules that do not make that test, merged back into chain order.
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
/** How many rules are looked at to choose the key a scan reads (a trace reads a chain once or twice). */
const SCAN_SAMPLE = 64;
/** Walks of a long chain that scan it before its index is built. */
const SCANS_BEFORE_INDEX = 8;

type Value = string | number;

/** A transport protocol and port as one number (a map key that costs no string). */
const PROTO_CODE: Readonly<Record<string, number>> = { tcp: 1, udp: 2, sctp: 3 };
const portKey = (proto: string, port: number): number | undefined => {
  const code = PROTO_CODE[proto];
  return code === undefined ? undefined : code * 65536 + port;
};

/** The destination a rule tests exactly, as `address/len` in canonical form. */
function dstKey(m: RuleMatch): Value | undefined {
  const d = m.destination;
  if (!d || d.negate) return undefined;
  if (canonicalV4Host(d.cidr)) return d.cidr;
  const host = hostOf(d.cidr);
  return host === undefined ? undefined : `${host}/${host.includes(':') ? 128 : 32}`;
}

/** The transport protocol and destination port a rule tests exactly, as portKey. */
function dportKey(m: RuleMatch): Value | undefined {
  if (!m.protocol || m.protocol.negate || !m.modules) return undefined;
  for (const mod of m.modules) {
    if (mod.kind === 'tcp' || mod.kind === 'udp' || mod.kind === 'sctp') return mod.dport !== undefined && mod.kind === m.protocol.name ? portKey(mod.kind, mod.dport) : undefined;
  }
  return undefined;
}

/** The interface a rule tests exactly (not negated, no wildcard). */
const ifaceKey = (i: RuleMatch['inInterface']): Value | undefined => (!i || i.negate || i.name.endsWith('+') ? undefined : i.name);

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

type Rules = readonly { readonly match: RuleMatch }[];

/** Each key's value of a rule, one function per key (a column is filled by one of them, rule after rule). */
const KEY_OF: Readonly<Record<Key, (m: RuleMatch) => Value | undefined>> = {
  dst: dstKey,
  dport: dportKey,
  out: (m) => ifaceKey(m.outInterface),
  in: (m) => ifaceKey(m.inInterface),
};

/** The keys in the order of their cost on a sample of the rules (every stride-th). */
function sampleOrder(rules: Rules, size = SAMPLE): { key: Key; estimate: number; untested: number }[] {
  const stride = Math.max(1, Math.floor(rules.length / size));
  return KEYS.map((key) => {
    const sample: (Value | undefined)[] = [];
    for (let i = 0; i < rules.length; i += stride) sample.push(KEY_OF[key](rules[i]!.match));
    const c = candidate(key, sample);
    return { key, estimate: c.cost, untested: c.rest.length * stride };
  }).sort((a, b) => a.estimate - b.estimate);
}

/** Rules read at a time into a column, past where the walk is. */
const CHUNK = 64;

/** One key's value for each rule, read only as far as the walks have gone. */
class Column {
  readonly values: (Value | undefined)[] = [];

  constructor(
    private readonly rules: Rules,
    readonly key: Key,
  ) {}

  /** Reads the values of the rules up to index `i` (and a few past it), at most to the end. */
  fill(i: number): void {
    const v = this.values;
    const end = Math.min(this.rules.length, i + CHUNK);
    const of = KEY_OF[this.key];
    for (let j = v.length; j < end; j++) v.push(of(this.rules[j]!.match));
  }

  all(): readonly (Value | undefined)[] {
    this.fill(this.rules.length);
    return this.values;
  }
}

/** The rules a walk tests, one after the other; undefined: no more. */
export interface Cursor {
  next(): number | undefined;
}

class ListCursor implements Cursor {
  private pos = 0;
  constructor(private readonly list: readonly number[]) {}
  next(): number | undefined {
    return this.list[this.pos++];
  }
}

/** The rules whose value for the column's key is the packet's, or that do not test the key, found as the walk goes. */
class ScanCursor implements Cursor {
  private i = 0;
  constructor(
    private readonly column: Column,
    private readonly value: Value | undefined,
    private readonly length: number,
  ) {}

  next(): number | undefined {
    const values = this.column.values;
    while (this.i < this.length) {
      const j = this.i++;
      if (j >= values.length) this.column.fill(j);
      const v = values[j];
      if (v === undefined || v === this.value) return j;
    }
    return undefined;
  }
}

/** An index on the one key that leaves the fewest rules to test, chosen over every rule's values. */
class KeyIndex {
  constructor(
    private readonly key: Key,
    /** Rule indexes by value: one, or several in order. */
    private readonly byValue: ReadonlyMap<Value, number | number[]>,
    /** Rules that do not test the key (they may match any value), in order. */
    private readonly rest: readonly number[],
  ) {}

  /** The index for the best key, or undefined when no key is selective enough. */
  static choose(rules: Rules, column: (k: Key) => Column): KeyIndex | undefined {
    // Keys in the order of their cost on a sample of the rules; then each key's cost on all of them,
    // until one is good enough or the untested rules alone (a floor on the cost) cannot beat the best.
    let best: Candidate | undefined;
    for (const { key, untested: guess } of sampleOrder(rules)) {
      const bound = best?.cost ?? rules.length / 2;
      if (guess >= 2 * bound) continue;
      const values = column(key).all();
      let untested = 0;
      for (const v of values) if (v === undefined) untested++;
      if (untested >= bound) continue;
      const c = candidate(key, values);
      if (c.cost < bound) best = c;
      // Good enough: a handful of rules to test per packet.
      if (best && best.cost < 16) break;
    }
    return best && new KeyIndex(best.key, best.byValue, best.rest);
  }

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

/**
 * A long chain's candidate rules for a packet. The first walks of the chain read one key of its rules
 * (the one that looks most selective on a sample) only as far as the walk goes, and test the rules
 * whose value is the packet's: a walk that stops at the rule for its port or its address reads no
 * further, and a trace walks a chain a few times. A chain walked more often than that (a build
 * checking many expectations) gets the index on its best key, over every rule.
 */
export class ChainIndex {
  private readonly columns = new Map<Key, Column>();
  private walks = 0;
  /** undefined: not chosen yet; null: no key is selective enough. */
  private index: KeyIndex | null | undefined;
  private scanKey: Key | null | undefined;

  private constructor(private readonly rules: Rules) {}

  /** An index for a long chain, else undefined (a short one is walked rule by rule). */
  static of(rules: Rules): ChainIndex | undefined {
    return rules.length < MIN_RULES ? undefined : new ChainIndex(rules);
  }

  /** The rules that can match, in chain order; undefined: every rule. */
  candidates(ctx: MatchContext): Cursor | undefined {
    if (this.index === undefined && ++this.walks > SCANS_BEFORE_INDEX) this.index = KeyIndex.choose(this.rules, (k) => this.column(k)) ?? null;
    if (this.index) return new ListCursor(this.index.candidates(ctx));
    if (this.scanKey === undefined) {
      const best = sampleOrder(this.rules, SCAN_SAMPLE)[0];
      this.scanKey = best && best.estimate < this.rules.length / 2 ? best.key : null;
    }
    return this.scanKey === null ? undefined : new ScanCursor(this.column(this.scanKey), valueOf(this.scanKey, ctx), this.rules.length);
  }

  private column(k: Key): Column {
    let c = this.columns.get(k);
    if (!c) this.columns.set(k, (c = new Column(this.rules, k)));
    return c;
  }
}
