// The `docker-bridges` table of one family as the bridge driver's nftabler creates it at start, before
// any network (daemon/libnetwork/drivers/bridge/internal/nftabler/nftabler.go NewNftabler -> init,
// Docker 29): base chains whose only rules are verdict-map lookups by interface name (so packets that
// have nothing to do with Docker never meet a per-network rule), the nat chains that jump to the DNAT
// chain for local destinations, and an empty raw-PREROUTING for the direct-access drops.
import type { FirewallDaemon } from '../input.ts';
import type { IpFamily, MatchModule, SourcePath } from '../types.ts';
import { NftTableBuilder } from './table-builder.ts';
import type { NftMatch, NftRule } from './types.ts';

export const DOCKER_TABLE = 'docker-bridges';
export const FORWARD_CHAIN = 'filter-FORWARD';
export const POSTROUTING_CHAIN = 'nat-POSTROUTING';
export const PREROUTING_CHAIN = 'nat-PREROUTING';
export const OUTPUT_CHAIN = 'nat-OUTPUT';
/** nftabler.go natChain: the DNAT rules, for packets arriving (PREROUTING) and made here (OUTPUT). */
export const NAT_CHAIN = 'nat-prerouting-and-output';
export const RAW_PREROUTING_CHAIN = 'raw-PREROUTING';
export const FWD_IN_VMAP = 'filter-forward-in-jumps';
export const FWD_OUT_VMAP = 'filter-forward-out-jumps';
export const NAT_POSTROUTING_OUT_VMAP = 'nat-postrouting-out-jumps';
export const NAT_POSTROUTING_IN_VMAP = 'nat-postrouting-in-jumps';

/** network.go chainFilterFwdIn and friends: each bridge's own chains. */
export const fwdInChain = (ifName: string): string => `filter-forward-in__${ifName}`;
export const fwdOutChain = (ifName: string): string => `filter-forward-out__${ifName}`;
export const natPostRtInChain = (ifName: string): string => `nat-postrouting-in__${ifName}`;
export const natPostRtOutChain = (ifName: string): string => `nat-postrouting-out__${ifName}`;

/** nftabler.go's rule groups: a chain lists group 0 first, then 1, ... (see table-builder.ts). */
export const GROUP = {
  initial: 0,
  /** filter-forward-in__*: bridge-accept-fwmark, legacy links, ICC, published ports, the final verdict. */
  fwdInAcceptFwMark: 1,
  fwdInLegacyLinks: 2,
  fwdInICC: 3,
  fwdInPorts: 4,
  fwdInFinal: 5,
  /** raw-PREROUTING: direct-access and remote-loopback drops. */
  rawPreroutingPorts: 1,
} as const;

/** Standard priorities (nftables_linux.go BaseChainPriority*; nft's names raw, mangle, dstnat, filter, srcnat). */
export const PRIORITY = { raw: -300, mangle: -150, dstnat: -100, filter: 0, srcnat: 100 } as const;

export const localDst: MatchModule = { kind: 'addrtype', dstType: 'LOCAL' };
export const localSrc: MatchModule = { kind: 'addrtype', srcType: 'LOCAL' };

// The rules of the daemon's own chains carry the daemon settings' origin (`daemon default` when the
// file sets nothing that shapes them), as the iptables backend's daemon chains do.
const vmapRule = (key: 'iifname' | 'oifname', map: string, origin: SourcePath | undefined): NftRule => ({ matches: [], counter: false, action: { kind: 'vmap', key, map }, ...(origin ? { origin } : {}) });

const jumpToNat = (matches: readonly NftMatch[], origin: SourcePath | undefined): NftRule => ({ matches, counter: true, action: { kind: 'jump', chain: NAT_CHAIN }, ...(origin ? { origin } : {}) });

/** nftabler.go init: the table of `family` with its base chains, maps and jumps, in one transaction. */
export function initTable(family: IpFamily, daemon: FirewallDaemon): NftTableBuilder {
  const t = new NftTableBuilder(family, DOCKER_TABLE);
  t.apply((tx) => {
    const g = GROUP.initial;
    tx.baseChain(FORWARD_CHAIN, { type: 'filter', hook: 'forward', priority: PRIORITY.filter, policy: 'accept' });
    tx.verdictMap(FWD_IN_VMAP);
    tx.rule(FORWARD_CHAIN, g, vmapRule('oifname', FWD_IN_VMAP, daemon.origin));
    tx.verdictMap(FWD_OUT_VMAP);
    tx.rule(FORWARD_CHAIN, g, vmapRule('iifname', FWD_OUT_VMAP, daemon.origin));

    tx.baseChain(POSTROUTING_CHAIN, { type: 'nat', hook: 'postrouting', priority: PRIORITY.srcnat, policy: 'accept' });
    tx.verdictMap(NAT_POSTROUTING_OUT_VMAP);
    tx.rule(POSTROUTING_CHAIN, g, vmapRule('iifname', NAT_POSTROUTING_OUT_VMAP, daemon.origin));
    tx.verdictMap(NAT_POSTROUTING_IN_VMAP);
    tx.rule(POSTROUTING_CHAIN, g, vmapRule('oifname', NAT_POSTROUTING_IN_VMAP, daemon.origin));

    tx.chain(NAT_CHAIN);
    tx.baseChain(PREROUTING_CHAIN, { type: 'nat', hook: 'prerouting', priority: PRIORITY.dstnat, policy: 'accept' });
    tx.rule(PREROUTING_CHAIN, g, jumpToNat([localDst], daemon.origin));
    tx.baseChain(OUTPUT_CHAIN, { type: 'nat', hook: 'output', priority: PRIORITY.dstnat, policy: 'accept' });
    // With the userland proxy on (no hairpin), connections to loopback addresses are docker-proxy's.
    // moby writes `ip daddr != 127.0.0.1/8`, which nft stores masked.
    const skipLoopback: NftMatch[] = daemon.hairpin
      ? []
      : [{ kind: 'destination', address: { cidr: family === 4 ? '127.0.0.0/8' : '::1/128', negate: true } }];
    tx.rule(OUTPUT_CHAIN, g, jumpToNat([...skipLoopback, localDst], daemon.origin));

    tx.baseChain(RAW_PREROUTING_CHAIN, { type: 'filter', hook: 'prerouting', priority: PRIORITY.raw, policy: 'accept' });
    // The WSL2 mirrored-networking workaround (wsl2.go) is not modelled: netform does not target WSL2.
  });
  return t;
}
