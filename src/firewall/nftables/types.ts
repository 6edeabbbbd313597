// The nftables backend's rule data: tables with their maps, sets and chains, as dockerd's nftabler
// creates them (daemon/libnetwork/internal/nftables at Docker 29). Matches and verdicts use the shared
// typed vocabulary (../types.ts) where nftables means the same thing (addresses, interfaces, protocol,
// ports, conntrack states, `fib daddr type local` as the addrtype match, marks, IPsec policy,
// accept/drop/jump/masquerade/snat/dnat); the kinds below are the ones only nftables has. Nothing here
// is nft syntax: ./text spells it, and the packet tracer reads these values.
import type { AddressMatch, InterfaceMatch, IpFamily, MatchModule, ProtocolMatch, RuleTarget, SourcePath } from '../types.ts';

/** Kinds of base chain (a chain attached to a netfilter hook). */
export type NftChainType = 'filter' | 'nat' | 'route';
export type NftHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

/** What makes a chain a base chain: its type, hook, priority (a number: -100 is "dstnat") and policy. */
export interface NftBaseChain {
  readonly type: NftChainType;
  readonly hook: NftHook;
  readonly priority: number;
  readonly policy: 'accept' | 'drop';
}

/** A name match against a set of interface names (`iifname != { "br-x", "eth1" }`): in the set, or not. */
export interface InterfaceSetMatch {
  readonly names: readonly string[];
  readonly negate?: boolean;
}

/**
 * One test of a rule. nft evaluates a rule's expressions in the order written (and lists them so), so a
 * rule holds an ordered list of these rather than RuleMatch's fixed fields.
 */
export type NftMatch =
  /** `ip saddr` / `ip6 saddr` (the table's family). */
  | { readonly kind: 'source'; readonly address: AddressMatch }
  | { readonly kind: 'destination'; readonly address: AddressMatch }
  /** `iifname` / `oifname` against one name. */
  | { readonly kind: 'in'; readonly iface: InterfaceMatch }
  | { readonly kind: 'out'; readonly iface: InterfaceMatch }
  /** `iifname` against a set of names (nft-only: iptables has no interface sets). */
  | { readonly kind: 'in-set'; readonly ifaces: InterfaceSetMatch }
  /** The layer-4 protocol (`ip protocol icmp`, `meta l4proto ipv6-icmp`). */
  | { readonly kind: 'protocol'; readonly protocol: ProtocolMatch }
  /** The VXLAN VNI (24 bits at bit 96 of the transport header, `@th,96,24`) is in the named set (nft-only). */
  | { readonly kind: 'vxlan-vni-in-set'; readonly set: string }
  /** Ports, conntrack states, addrtype (`fib saddr|daddr type`), marks, IPsec policy (`meta ipsec`). */
  | MatchModule;

/** A verdict map lookup: the packet's input or output interface name picks the verdict (nft-only). */
export interface NftVmapLookup {
  readonly kind: 'vmap';
  readonly key: 'iifname' | 'oifname';
  readonly map: string;
}

/** What a rule does once its matches hold: a shared target (accept, drop, jump, nat, set-mark) or a vmap. */
export type NftAction = RuleTarget | NftVmapLookup;

export interface NftRule {
  readonly matches: readonly NftMatch[];
  /** A `counter` statement before the action (moby writes one in every rule but the vmap lookups). */
  readonly counter: boolean;
  readonly action: NftAction;
  readonly comment?: string;
  /** The YAML element the rule exists for (network, container, port), when there is one. */
  readonly origin?: SourcePath;
}

export interface NftChain {
  readonly name: string;
  /** Present for base chains. */
  readonly base?: NftBaseChain;
  /** Rules in evaluation order. */
  readonly rules: readonly NftRule[];
}

/** A verdict map keyed by interface name (`type ifname : verdict`). */
export interface NftVerdictMap {
  readonly name: string;
  /** Elements in the order they were added (a listing sorts them as nft does). */
  readonly elements: readonly { readonly key: string; readonly verdict: RuleTarget; readonly origin?: SourcePath }[];
}

/** A set of VXLAN VNIs (`typeof @th,96,24`), the only set Docker creates. */
export interface NftVniSet {
  readonly name: string;
  readonly elements: readonly { readonly vni: number; readonly origin?: SourcePath }[];
}

/** One nftables table; maps, sets and chains in the order the kernel holds them (creation order). */
export interface NftTable {
  readonly family: IpFamily;
  readonly name: string;
  readonly maps: readonly NftVerdictMap[];
  readonly sets: readonly NftVniSet[];
  readonly chains: readonly NftChain[];
}
