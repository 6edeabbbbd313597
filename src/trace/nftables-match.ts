// One nft expression of a rule against a packet. Addresses, protocol, ports, conntrack state, `fib
// ... type`, marks and `meta ipsec` mean what the shared typed matches mean (netfilter.ts
// moduleMatches); what differs is nft's own: an interface name is compared whole (the kernel's
// nft_meta_store_ifname reads the empty name where the hook has no such interface, so `iifname != "br"`
// holds in OUTPUT), interface sets, and the VXLAN VNI looked up in a named set.
import type { NftMatch, NftTable, NftVerdictMap } from '../firewall/nftables/types.ts';
import type { AddressMatch, Origin } from '../firewall/types.ts';
import { moduleMatches, type MatchContext } from './netfilter.ts';
import { cidrTest, inCidr, NO_ADDRESS } from './packet.ts';

/** A table with its chains, maps and sets by name, for lookups during a walk. */
export interface NftTableData {
  readonly table: NftTable;
  readonly chains: ReadonlyMap<string, NftTable['chains'][number]>;
  readonly maps: ReadonlyMap<string, ReadonlyMap<string, NftVerdictMap['elements'][number]>>;
  /** Each set's VNIs, with the origin of the element (the encrypted overlay network it is for). */
  readonly sets: ReadonlyMap<string, ReadonlyMap<number, Origin | undefined>>;
}

function address(a: AddressMatch, value: string): boolean {
  const t = cidrTest(a.cidr) ?? NO_ADDRESS;
  return inCidr(t, value) !== !!a.negate;
}

/** `meta l4proto` / `ip protocol`: the protocol names Docker's tables use, by the packet's layer-4 protocol. */
function protocolIs(name: string, proto: string): boolean {
  const n = name.toLowerCase();
  if (n === 'icmp' || n === 'icmpv6' || n === 'ipv6-icmp') return false;
  return n === proto || (n === '50' && proto === 'esp');
}

/** Whether the expression holds for the packet; undefined when the tracer cannot tell. */
export function nftMatches(m: NftMatch, ctx: MatchContext, t: NftTableData): boolean | undefined {
  const p = ctx.packet;
  switch (m.kind) {
    case 'source':
      return address(m.address, p.src);
    case 'destination':
      return address(m.address, p.dst);
    case 'in':
      return ((ctx.in ?? '') === m.iface.name) !== !!m.iface.negate;
    case 'out':
      return ((ctx.out ?? '') === m.iface.name) !== !!m.iface.negate;
    case 'in-set':
      return m.ifaces.names.includes(ctx.in ?? '') !== !!m.ifaces.negate;
    case 'protocol':
      return protocolIs(m.protocol.name, p.proto) !== !!m.protocol.negate;
    case 'vxlan-vni-in-set': {
      const set = t.sets.get(m.set);
      if (!set) return undefined;
      // `@th,96,24` reads the VNI of a VXLAN header; the tracer's other UDP packets carry no such header.
      return p.vxlan !== undefined && set.has(p.vxlan.vni);
    }
    case 'bpf':
    case 'ipvs':
      return undefined;
    default:
      return moduleMatches(m, ctx);
  }
}
