// Firewall rules as typed data, shared by every backend. A rule is what it matches and what it does:
// addresses are prefixes, ports are numbers, conntrack states are sets, targets carry their arguments as
// values. Nothing here is iptables or nft syntax; each backend spells its rules in its own folder, and
// the packet tracer and plan/apply read these values, not text.
import type { Origin } from '../diagnostics/origin.ts';
import type { Family as IpFamily } from '../net/index.ts';

export type { IpFamily, Origin };

/**
 * Where a rule came from, for source maps and the packet tracer: a YAML path such as
 * ['networks','my-net'], a path into the daemon.json `daemon:` names, or a named implicit origin.
 */
export type SourcePath = Origin;

/** A source or destination match: an address prefix in canonical masked form (`10.0.0.2/32`). */
export interface AddressMatch {
  readonly cidr: string;
  readonly negate?: boolean;
}

/** An input or output interface match. */
export interface InterfaceMatch {
  readonly name: string;
  readonly negate?: boolean;
}

/** Transport protocols Docker publishes ports for. */
export type PortProtocol = 'tcp' | 'udp' | 'sctp';

/** A layer-4 protocol match: a name the kernel knows (tcp, udp, sctp, icmp, icmpv6, esp). */
export interface ProtocolMatch {
  readonly name: string;
  readonly negate?: boolean;
}

/** Conntrack states, in the order the kernel's bits (and iptables-save) list them. */
export const CT_STATES = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'] as const;
export type CtState = (typeof CT_STATES)[number];

/** Address types of the routing table (`-m addrtype`, nft `fib daddr type`). */
export type AddressType = 'LOCAL' | 'UNICAST' | 'BROADCAST' | 'MULTICAST';

/**
 * A match beyond addresses, interfaces and protocol. `kind` names the test; for iptables it is also the
 * match module (`-m tcp`, `-m conntrack`).
 */
export type MatchModule =
  /** Transport ports (the protocol's own module: `-p tcp -m tcp --dport 80`). */
  | { readonly kind: PortProtocol; readonly sport?: number; readonly dport?: number }
  /** Connection tracking state, as a set (sorted as CT_STATES). `module` is how it is asked: conntrack --ctstate (default) or the older state --state. */
  | { readonly kind: 'conntrack'; readonly states: readonly CtState[]; readonly module?: 'state' }
  /** The routing table's type of the source or destination address. */
  | { readonly kind: 'addrtype'; readonly srcType?: AddressType; readonly dstType?: AddressType }
  /** The packet's fwmark under a mask. */
  | { readonly kind: 'mark'; readonly mark: number; readonly mask: number }
  /** VXLAN traffic of one VNI, tested by a BPF program on the packet (the overlay driver's vniMatchBPF). */
  | { readonly kind: 'bpf'; readonly vxlanVni: number }
  /** IPsec policy of the packet: `none` = it was not decrypted by a policy. */
  | { readonly kind: 'policy'; readonly dir: 'in' | 'out'; readonly pol: 'none' | 'ipsec' }
  /** The packet was handled by IPVS (the routing mesh's load balancer). */
  | { readonly kind: 'ipvs' };

/** Everything a rule matches on: each field is one test, all must hold. */
export interface RuleMatch {
  readonly source?: AddressMatch;
  readonly destination?: AddressMatch;
  readonly inInterface?: InterfaceMatch;
  readonly outInterface?: InterfaceMatch;
  readonly protocol?: ProtocolMatch;
  /** Further tests, in the order they are written (iptables-save keeps that order). */
  readonly modules?: readonly MatchModule[];
}

/** What a rule does when it matches. */
export type RuleTarget =
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'return' }
  /** Continue in a user chain of the same table. */
  | { readonly kind: 'jump'; readonly chain: string }
  | { readonly kind: 'masquerade' }
  | { readonly kind: 'snat'; readonly toSource: string }
  | { readonly kind: 'dnat'; readonly toAddress: string; readonly toPort: number }
  /** Deliver to the local host on another port (the routing mesh's per-task rule). */
  | { readonly kind: 'redirect'; readonly toPort: number }
  /** Set the fwmark bits under `mask` to `mark`. */
  | { readonly kind: 'set-mark'; readonly mark: number; readonly mask: number }
  /** Fill in the transport checksum (SCTP, for kernels that offload it on veths). */
  | { readonly kind: 'checksum-fill' };

export type TargetKind = RuleTarget['kind'];
