// Netfilter as the tracer sees it: at each hook of a namespace, its base chains in priority order (the
// iptables tables sit at their fixed priorities, nft base chains at theirs), each giving a verdict. A
// backend plugs in by listing its base chains (iptables.ts; an nft ruleset the same way). What a rule
// matches on is the shared typed vocabulary (src/firewall/types.ts), tested here once for every backend.
import type { AddressType, CtState, MatchModule, RuleMatch, RuleTarget } from '../firewall/types.ts';
import type { Origin } from '../diagnostics/origin.ts';
import { cidrTest, inCidr, isLoopbackAddress, isMulticastAddress, NO_ADDRESS, type CidrTest, type Packet } from './packet.ts';

export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

/** What a nat chain asked for; the hook applies it (it knows the interfaces and the connection). */
export type NatRequest =
  | { readonly kind: 'dnat'; readonly address: string; readonly port: number }
  | { readonly kind: 'redirect'; readonly port: number }
  | { readonly kind: 'snat'; readonly address: string }
  | { readonly kind: 'masquerade' };

export interface ChainResult {
  readonly verdict: 'accept' | 'drop' | 'unknown';
  /** drop / unknown: why (the rule or the policy). */
  readonly reason?: string;
  readonly origin?: Origin;
  readonly nat?: NatRequest;
  readonly natOrigin?: Origin;
  readonly natRule?: string;
}

/** What a rule is tested against. */
export interface MatchContext {
  readonly packet: Packet;
  readonly hook: Hook;
  /** Interface names; undefined where the hook has none (no input interface in OUTPUT). */
  readonly in?: string;
  readonly out?: string;
  readonly ctState: CtState;
  /** The routing table's type of an address in the namespace being traversed. */
  addressType(address: string): AddressType;
}

/** A step worth showing: a rule that matched, or a policy that decided. */
export interface RuleEvent {
  readonly chain: string;
  readonly rule?: string;
  readonly action: string;
  readonly origin?: Origin;
}

export interface BaseChain {
  readonly hook: Hook;
  readonly priority: number;
  /** nat chains run for the first packet of a connection only. */
  readonly type: 'filter' | 'nat' | 'route';
  readonly label: string;
  run(ctx: MatchContext, events: RuleEvent[]): ChainResult;
}

/** One namespace's firewall: its base chains at a hook, in priority order. */
export interface Firewall {
  chainsAt(hook: Hook, family: 4 | 6): readonly BaseChain[];
}

/** Several firewalls in one namespace (Docker's nft tables beside iptables rules): their chains merged by priority. */
export function mergeFirewalls(list: readonly Firewall[]): Firewall {
  if (list.length === 1) return list[0]!;
  const cache = new Map<string, BaseChain[]>();
  return {
    chainsAt(hook, family) {
      const key = `${hook}${family}`;
      let chains = cache.get(key);
      if (!chains) {
        chains = list.flatMap((f) => f.chainsAt(hook, family)).sort((a, b) => a.priority - b.priority);
        cache.set(key, chains);
      }
      return chains;
    },
  };
}

const nameMatches = (pattern: string, name: string | undefined): boolean => {
  if (name === undefined) return false;
  // iptables: a trailing + matches every name that starts with what precedes it.
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
};

function portOf(m: MatchModule & { kind: 'tcp' | 'udp' | 'sctp' }, p: Packet): boolean {
  if (p.proto !== m.kind) return false;
  if (m.sport !== undefined && p.sport !== m.sport) return false;
  return m.dport === undefined || p.dport === m.dport;
}

/** Whether one match module holds; undefined when the tracer cannot tell. */
export function moduleMatches(m: MatchModule, ctx: MatchContext): boolean | undefined {
  const p = ctx.packet;
  switch (m.kind) {
    case 'tcp':
    case 'udp':
    case 'sctp':
      return portOf(m, p);
    case 'conntrack':
      return m.states.includes(ctx.ctState);
    case 'addrtype':
      return (m.srcType === undefined || ctx.addressType(p.src) === m.srcType) && (m.dstType === undefined || ctx.addressType(p.dst) === m.dstType);
    case 'mark':
      return ((p.mark & m.mask) >>> 0) === (m.mark >>> 0);
    case 'bpf':
      return p.vxlan?.vni === m.vxlanVni;
    case 'policy':
      // Only the inbound direction is modelled: whether the packet was decrypted by an xfrm policy.
      if (m.dir !== 'in') return undefined;
      return m.pol === 'ipsec' ? !!p.ipsec : !p.ipsec;
    case 'ipvs':
      return false;
  }
}

/**
 * A rule's match prepared for the walk, as one flat object (chains of 10,000s of rules are walked per
 * trace, and preparing them must allocate little): each address test is prepared once (packet.ts
 * CidrTest, shared by the rules that test the same prefix); an absent test is undefined.
 */
export interface CompiledMatch {
  readonly src: CidrTest | undefined;
  readonly srcNegate: boolean;
  readonly dst: CidrTest | undefined;
  readonly dstNegate: boolean;
  readonly inName: string | undefined;
  readonly inNegate: boolean;
  readonly outName: string | undefined;
  readonly outNegate: boolean;
  readonly protocol: string | undefined;
  readonly protocolNegate: boolean;
  readonly modules: readonly MatchModule[] | undefined;
}

export function compileMatch(m: RuleMatch): CompiledMatch {
  return {
    src: m.source ? (cidrTest(m.source.cidr) ?? NO_ADDRESS) : undefined,
    srcNegate: !!m.source?.negate,
    dst: m.destination ? (cidrTest(m.destination.cidr) ?? NO_ADDRESS) : undefined,
    dstNegate: !!m.destination?.negate,
    inName: m.inInterface?.name,
    inNegate: !!m.inInterface?.negate,
    outName: m.outInterface?.name,
    outNegate: !!m.outInterface?.negate,
    protocol: m.protocol?.name,
    protocolNegate: !!m.protocol?.negate,
    modules: m.modules,
  };
}

/** Whether a prepared match holds; undefined when one of its tests is beyond the tracer. */
export function matches(c: CompiledMatch, ctx: MatchContext): boolean | undefined {
  const p = ctx.packet;
  if (c.src !== undefined && inCidr(c.src, p.src) === c.srcNegate) return false;
  if (c.dst !== undefined && inCidr(c.dst, p.dst) === c.dstNegate) return false;
  if (c.inName !== undefined && nameMatches(c.inName, ctx.in) === c.inNegate) return false;
  if (c.outName !== undefined && nameMatches(c.outName, ctx.out) === c.outNegate) return false;
  if (c.protocol !== undefined && protocolIs(c.protocol, p) === c.protocolNegate) return false;
  if (!c.modules) return true;
  let unsure = false;
  for (const mod of c.modules) {
    const r = moduleMatches(mod, ctx);
    if (r === false) return false;
    if (r === undefined) unsure = true;
  }
  return unsure ? undefined : true;
}

function protocolIs(name: string, p: Packet): boolean {
  const n = name.toLowerCase();
  if (n === 'all') return true;
  if (n === 'ipv6-icmp' || n === 'icmpv6' || n === 'icmp') return false;
  return n === p.proto || (n === '50' && p.proto === 'esp');
}

/** The routing table's type of `address` in a namespace whose local addresses are `isLocal`. */
export function addressTypeIn(isLocal: (a: string) => boolean): (a: string) => AddressType {
  return (a) => {
    if (isLocal(a) || isLoopbackAddress(a)) return 'LOCAL';
    if (a === '255.255.255.255') return 'BROADCAST';
    if (isMulticastAddress(a)) return 'MULTICAST';
    return 'UNICAST';
  };
}

/** A rule's target as a verdict for the walk: terminal, a jump, or a change to the packet. */
export type TargetEffect =
  | { readonly kind: 'accept' | 'drop' | 'return' }
  | { readonly kind: 'jump'; readonly chain: string; readonly goto?: boolean }
  | { readonly kind: 'nat'; readonly nat: NatRequest }
  | { readonly kind: 'mark'; readonly mark: number; readonly mask: number }
  | { readonly kind: 'continue' };

export function targetEffect(t: RuleTarget): TargetEffect {
  switch (t.kind) {
    case 'accept':
    case 'drop':
    case 'return':
      return { kind: t.kind };
    case 'jump':
      return { kind: 'jump', chain: t.chain };
    case 'dnat':
      return { kind: 'nat', nat: { kind: 'dnat', address: t.toAddress, port: t.toPort } };
    case 'redirect':
      return { kind: 'nat', nat: { kind: 'redirect', port: t.toPort } };
    case 'snat':
      return { kind: 'nat', nat: { kind: 'snat', address: t.toSource } };
    case 'masquerade':
      return { kind: 'nat', nat: { kind: 'masquerade' } };
    case 'set-mark':
      return { kind: 'mark', mark: t.mark, mask: t.mask };
    case 'checksum-fill':
      return { kind: 'continue' };
  }
}

/** `--set-xmark value/mask`: the bits under mask are cleared, then value is XORed in. */
export const applyMark = (mark: number, value: number, mask: number): number => ((mark & ~mask) ^ value) >>> 0;
