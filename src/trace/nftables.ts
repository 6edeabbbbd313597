// The nftables backend's tables as base chains (Docker 29's `docker-bridges` of each family, and
// `docker-overlay` for encrypted overlays), walked from their typed data as the kernel's nf_tables does:
// a base chain sits at its hook and priority among the other tables' (and iptables') base chains; its
// rules are tried in order, each one's expressions left to right, and the first that does not hold ends
// the rule; `accept` ends this base chain only (the next base chain at the hook still sees the packet),
// `drop` ends the packet; `jump` pushes a chain, `return` or its end pops back to the rule after the
// jump, the end of a base chain applies its policy; a verdict-map lookup picks the verdict by interface
// name, and a name the map lacks goes on with the next rule; a nat statement binds the translation and
// ends the chain. A rule is shown as `nft list` prints it (the backend's text, text/expr.ts).
import { ruleText } from '../firewall/nftables/text/expr.ts';
import type { NftChain, NftMatch, NftRule, NftTable } from '../firewall/nftables/types.ts';
import type { MatchModule, PortProtocol, RuleMatch } from '../firewall/types.ts';
import type { Origin } from '../diagnostics/origin.ts';
import { ChainIndex, type Cursor } from './chain-index.ts';
import { applyMark, type BaseChain, type ChainResult, type Firewall, type Hook, type MatchContext, type RuleEvent } from './netfilter.ts';
import { nftMatches, type NftTableData } from './nftables-match.ts';

/** A rule's `nft list` text, built when a trace first shows it. */
const texts = new WeakMap<NftRule, string>();
function textOf(rule: NftRule, family: 4 | 6): string {
  let t = texts.get(rule);
  if (t === undefined) {
    t = ruleText(rule, family, false);
    texts.set(rule, t);
  }
  return t;
}

/**
 * The exact tests of an nft rule in the shape the chain index reads (chain-index.ts): its destination,
 * its destination port with the protocol the port's expression implies (`tcp dport 80` holds only for
 * TCP), its interface names. Only tests a packet must pass for the rule to hold are given, so the index
 * never leaves out a rule that could match.
 */
export function indexView(rule: NftRule): { readonly match: RuleMatch } {
  let destination: RuleMatch['destination'];
  let port: (MatchModule & { kind: PortProtocol }) | undefined;
  let inInterface: RuleMatch['inInterface'];
  let outInterface: RuleMatch['outInterface'];
  for (const x of rule.matches) {
    if (x.kind === 'destination') destination ??= x.address.negate ? undefined : x.address;
    else if (x.kind === 'tcp' || x.kind === 'udp' || x.kind === 'sctp') port ??= x.dport === undefined ? undefined : x;
    else if (x.kind === 'in') inInterface ??= x.iface.negate ? undefined : x.iface;
    else if (x.kind === 'out') outInterface ??= x.iface.negate ? undefined : x.iface;
  }
  // One shape for every view (chains of 10,000s of rules are indexed at once).
  const match = { destination, protocol: port && PROTOCOL[port.kind], modules: port && [port], inInterface, outInterface } as RuleMatch;
  return { match };
}

const PROTOCOL: Readonly<Record<PortProtocol, { readonly name: PortProtocol }>> = { tcp: { name: 'tcp' }, udp: { name: 'udp' }, sctp: { name: 'sctp' } };

/** A long chain's index (made when a walk first enters the chain), once per chain. */
const indexes = new WeakMap<NftChain, ChainIndex | null>();
function indexOf(chain: NftChain): ChainIndex | undefined {
  let i = indexes.get(chain);
  if (i === undefined) {
    i = ChainIndex.of(chain.rules.map(indexView)) ?? null;
    indexes.set(chain, i);
  }
  return i ?? undefined;
}

interface Frame {
  readonly chain: NftChain;
  /** The rules to test, in order (a long chain's candidates); undefined: all of them. */
  readonly cursor: Cursor | undefined;
  pos: number;
}

const frame = (chain: NftChain, ctx: MatchContext): Frame => ({ chain, cursor: indexOf(chain)?.candidates(ctx), pos: 0 });

/** What a rule's verdict does to the walk of its base chain. */
type Step = { readonly end: ChainResult } | { readonly push: NftChain } | { readonly pop: true } | { readonly next: true };

class TableWalk {
  readonly label: (chain: NftChain) => string;

  constructor(readonly table: NftTableData) {
    const family = table.table.family === 4 ? 'ip' : 'ip6';
    this.label = (c) => `${family} ${table.table.name}/${c.name}`;
  }

  /** Walks base chain `start` and the chains it jumps to. */
  run(start: NftChain, ctx: MatchContext, events: RuleEvent[]): ChainResult {
    const stack: Frame[] = [frame(start, ctx)];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const i = top.cursor ? top.cursor.next() : top.pos++;
      const rule = i === undefined ? undefined : top.chain.rules[i];
      if (!rule) {
        stack.pop();
        continue;
      }
      const held = this.holds(rule, ctx);
      if (held === false) continue;
      const text = textOf(rule, this.table.table.family);
      if (held === undefined) return { verdict: 'unknown', reason: `a match the tracer does not evaluate: ${text}` };
      const s = this.verdict(top.chain, rule, text, ctx, events);
      if ('end' in s) return s.end;
      if ('push' in s) {
        if (stack.length > 64) return { verdict: 'unknown', reason: 'chain jumps nest too deep' };
        stack.push(frame(s.push, ctx));
      } else if ('pop' in s) stack.pop();
    }
    const policy = start.base?.policy ?? 'accept';
    events.push({ chain: this.label(start), action: `policy ${policy}` });
    return policy === 'drop' ? { verdict: 'drop', reason: `${this.label(start)} policy drop` } : { verdict: 'accept' };
  }

  private holds(rule: NftRule, ctx: MatchContext): boolean | undefined {
    let unsure = false;
    for (const m of rule.matches) {
      const r = nftMatches(m, ctx, this.table);
      if (r === false) return false;
      if (r === undefined) unsure = true;
    }
    return unsure ? undefined : true;
  }

  /** A rule made for no one element (the overlay's encryption rules): the origin of the set element it matched. */
  private elementOrigin(rule: NftRule, ctx: MatchContext): Origin | undefined {
    const vni = ctx.packet.vxlan?.vni;
    if (vni === undefined) return undefined;
    for (const m of rule.matches) if (m.kind === 'vxlan-vni-in-set') return this.table.sets.get(m.set)?.get(vni);
    return undefined;
  }

  /** What a rule that holds does: its action, or the verdict its verdict map gives. */
  private verdict(chain: NftChain, rule: NftRule, text: string, ctx: MatchContext, events: RuleEvent[]): Step {
    const event = (action: string, origin: Origin | undefined = rule.origin) =>
      events.push({ chain: this.label(chain), rule: text, action, ...(origin ? { origin } : {}) });
    const a = rule.action;
    let target = a.kind === 'vmap' ? undefined : a;
    let origin = rule.origin ?? this.elementOrigin(rule, ctx);
    if (a.kind === 'vmap') {
      // The packet's interface name as nft reads it: the empty name where the hook has no such interface.
      const key = (a.key === 'iifname' ? ctx.in : ctx.out) ?? '';
      const element = this.table.maps.get(a.map)?.get(key);
      if (!element) return { next: true };
      target = element.verdict;
      origin = element.origin ?? rule.origin;
    }
    switch (target!.kind) {
      case 'accept':
        event('accept', origin);
        return { end: { verdict: 'accept' } };
      case 'drop':
        event('drop', origin);
        return { end: { verdict: 'drop', reason: text, ...(origin ? { origin } : {}) } };
      case 'return':
        event('return', origin);
        return { pop: true };
      case 'jump': {
        const next = this.table.chains.get(target!.chain);
        if (!next) return { end: { verdict: 'unknown', reason: `jump to a chain the table lacks: ${text}` } };
        event(`jump ${target!.chain}`, origin);
        return { push: next };
      }
      case 'dnat':
        event(`dnat to ${target!.toAddress.includes(':') ? `[${target!.toAddress}]` : target!.toAddress}:${target!.toPort}`, origin);
        return { end: { verdict: 'accept', nat: { kind: 'dnat', address: target!.toAddress, port: target!.toPort }, ...(origin ? { natOrigin: origin } : {}), natRule: text } };
      case 'snat':
        event(`snat to ${target!.toSource}`, origin);
        return { end: { verdict: 'accept', nat: { kind: 'snat', address: target!.toSource }, ...(origin ? { natOrigin: origin } : {}), natRule: text } };
      case 'masquerade':
        event('masquerade', origin);
        return { end: { verdict: 'accept', nat: { kind: 'masquerade' }, ...(origin ? { natOrigin: origin } : {}), natRule: text } };
      case 'set-mark':
        ctx.packet.mark = applyMark(ctx.packet.mark, target!.mark, target!.mask);
        event(`mark set ${ctx.packet.mark}`, origin);
        return { next: true };
      case 'redirect':
      case 'checksum-fill':
        return { end: { verdict: 'unknown', reason: `a statement Docker's nft tables do not have: ${text}` } };
    }
  }
}

/** The base chains of one table, by hook. */
function tableChains(t: NftTable): Map<Hook, BaseChain[]> {
  const data: NftTableData = {
    table: t,
    chains: new Map(t.chains.map((c) => [c.name, c])),
    maps: new Map(t.maps.map((m) => [m.name, new Map(m.elements.map((e) => [e.key, e]))])),
    sets: new Map(t.sets.map((s) => [s.name, new Map(s.elements.map((e) => [e.vni, e.origin]))])),
  };
  const walk = new TableWalk(data);
  const out = new Map<Hook, BaseChain[]>();
  for (const c of t.chains) {
    if (!c.base) continue;
    const list = out.get(c.base.hook) ?? [];
    list.push({ hook: c.base.hook, priority: c.base.priority, type: c.base.type, label: walk.label(c), run: (ctx, events) => walk.run(c, ctx, events) });
    out.set(c.base.hook, list);
  }
  return out;
}

/** nft tables (of both families) as a namespace's firewall: each hook's base chains in priority order. */
export function nftablesFirewall(tables: readonly NftTable[]): Firewall {
  const byFamily = { 4: new Map<Hook, BaseChain[]>(), 6: new Map<Hook, BaseChain[]>() };
  for (const t of tables) {
    for (const [hook, chains] of tableChains(t)) {
      const m = byFamily[t.family];
      m.set(hook, [...(m.get(hook) ?? []), ...chains].sort((a, b) => a.priority - b.priority));
    }
  }
  return { chainsAt: (hook, family) => byFamily[family].get(hook) ?? [] };
}
