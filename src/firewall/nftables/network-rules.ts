// A bridge network's chains and rules in one family, as the nftabler programs them when the network is
// created (daemon/libnetwork/drivers/bridge/internal/nftabler/network.go NewNetwork -> configure,
// Docker 29): four chains of its own, reached through the verdict maps by the bridge's name; the
// conntrack ACCEPTs; for an --internal network the drops of anything crossing the bridge and the ICC
// verdict; otherwise the bridge-accept-fwmark ACCEPT, the ICC verdict, OUTGOING, the final verdict of
// incoming packets (UNPUBLISHED PORT DROP, or UNPROTECTED accept), routed mode's ICMP, masquerade/SNAT
// and, with the userland proxy off, masquerade of the host's own packets into the bridge.
import { inetAddr, inetCidr } from '../../net/index.ts';
import type { FirewallDaemon, FirewallFamilyConfig, FirewallNetwork } from '../input.ts';
import type { RuleTarget, SourcePath } from '../types.ts';
import {
  FWD_IN_VMAP,
  FWD_OUT_VMAP,
  fwdInChain,
  fwdOutChain,
  GROUP,
  localSrc,
  NAT_POSTROUTING_IN_VMAP,
  NAT_POSTROUTING_OUT_VMAP,
  natPostRtInChain,
  natPostRtOutChain,
} from './daemon-table.ts';
import type { NftTableBuilder, NftTransaction } from './table-builder.ts';
import type { NftMatch, NftRule } from './types.ts';

const rule = (matches: readonly NftMatch[], action: RuleTarget, comment: string | undefined, origin: SourcePath | undefined): NftRule => ({
  matches,
  counter: true,
  action,
  ...(comment !== undefined ? { comment } : {}),
  ...(origin ? { origin } : {}),
});

/** `ct state established,related counter accept`, the first rule of both filter chains. */
const conntrackAccept = (o: SourcePath | undefined): NftRule =>
  rule([{ kind: 'conntrack', states: ['RELATED', 'ESTABLISHED'] }], { kind: 'accept' }, undefined, o);

/** configure: nothing when the network has no prefix in this family. */
export function addNetwork(t: NftTableBuilder, daemon: FirewallDaemon, net: FirewallNetwork): void {
  const conf = t.family === 4 ? net.v4 : net.v6;
  if (!conf) return;
  t.apply((tx) => {
    createChains(tx, net);
    const o = net.origin;
    tx.rule(fwdInChain(net.ifName), GROUP.initial, conntrackAccept(o));
    tx.rule(fwdOutChain(net.ifName), GROUP.initial, conntrackAccept(o));
    if (net.internal) internalRules(tx, net);
    else externalRules(tx, t.family, daemon, net, conf);
  });
}

/** The bridge's chains and its element in each verdict map, keyed by the bridge's name. */
function createChains(tx: NftTransaction, net: FirewallNetwork): void {
  const br = net.ifName;
  const jump = (chain: string): RuleTarget => ({ kind: 'jump', chain });
  tx.chain(fwdInChain(br));
  tx.chain(fwdOutChain(br));
  tx.element(FWD_IN_VMAP, br, jump(fwdInChain(br)), net.origin);
  tx.element(FWD_OUT_VMAP, br, jump(fwdOutChain(br)), net.origin);
  tx.chain(natPostRtInChain(br));
  tx.element(NAT_POSTROUTING_IN_VMAP, br, jump(natPostRtInChain(br)), net.origin);
  tx.chain(natPostRtOutChain(br));
  tx.element(NAT_POSTROUTING_OUT_VMAP, br, jump(natPostRtOutChain(br)), net.origin);
}

/** --internal: drop whatever enters from, or leaves to, another interface; then the ICC verdict. */
function internalRules(tx: NftTransaction, net: FirewallNetwork): void {
  const br = net.ifName;
  const o = net.origin;
  tx.rule(fwdInChain(br), GROUP.initial, rule([{ kind: 'in', iface: { name: br, negate: true } }], { kind: 'drop' }, 'INTERNAL NETWORK INGRESS', o));
  tx.rule(fwdOutChain(br), GROUP.initial, rule([{ kind: 'out', iface: { name: br, negate: true } }], { kind: 'drop' }, 'INTERNAL NETWORK EGRESS', o));
  tx.rule(fwdInChain(br), GROUP.fwdInICC, rule([], { kind: net.icc ? 'accept' : 'drop' }, 'ICC', o));
}

function externalRules(tx: NftTransaction, family: 4 | 6, daemon: FirewallDaemon, net: FirewallNetwork, conf: FirewallFamilyConfig): void {
  const br = net.ifName;
  const o = net.origin;
  const routed = conf.gatewayMode === 'routed';
  const unprotected = conf.gatewayMode === 'nat-unprotected';
  const fwdIn = fwdInChain(br);
  if (daemon.acceptFwMark !== undefined) {
    const { mark, mask } = daemon.acceptFwMark;
    tx.rule(fwdIn, GROUP.fwdInAcceptFwMark, rule([{ kind: 'mark', mark, mask }], { kind: 'accept' }, 'ALLOW FW MARK', o));
  }
  tx.rule(fwdIn, GROUP.fwdInICC, rule([{ kind: 'in', iface: { name: br } }], { kind: net.icc ? 'accept' : 'drop' }, 'ICC', o));
  tx.rule(fwdOutChain(br), GROUP.initial, rule([], { kind: 'accept' }, 'OUTGOING', o));
  tx.rule(fwdIn, GROUP.fwdInFinal, unprotected ? rule([], { kind: 'accept' }, 'UNPROTECTED', o) : rule([], { kind: 'drop' }, 'UNPUBLISHED PORT DROP', o));
  if (routed) {
    const icmp = { kind: 'protocol', protocol: { name: family === 4 ? 'icmp' : 'icmpv6' } } as const;
    tx.rule(fwdIn, GROUP.initial, rule([icmp], { kind: 'accept' }, 'ICMP', o));
  }
  // Masquerade picks the source address from the route; com.docker.network.host_ipv4/6 asks for SNAT.
  const nat: RuleTarget = conf.hostIP ? { kind: 'snat', toSource: inetAddr(conf.hostIP) } : { kind: 'masquerade' };
  const natComment = conf.hostIP ? 'SNAT' : 'MASQUERADE';
  if (net.masquerade && !routed) {
    const matches: NftMatch[] = [
      { kind: 'out', iface: { name: br, negate: true } },
      { kind: 'source', address: { cidr: inetCidr(conf.prefix) } },
    ];
    tx.rule(natPostRtOutChain(br), GROUP.initial, rule(matches, nat, natComment, o));
  }
  if (daemon.hairpin) tx.rule(natPostRtInChain(br), GROUP.initial, rule([localSrc], nat, `${natComment} FROM HOST`, o));
}
