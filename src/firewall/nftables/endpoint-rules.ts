// A container's endpoint on a bridge network: the raw-PREROUTING drop of packets addressed straight to
// its address from anywhere but the bridge (daemon/libnetwork/drivers/bridge/internal/nftabler/
// endpoint.go AddEndpoint -> filterDirectAccess, Docker 29), programmed before its ports.
import { inetCidr } from '../../net/index.ts';
import type { FirewallDaemon, FirewallEndpoint, FirewallNetwork } from '../input.ts';
import { GROUP, RAW_PREROUTING_CHAIN } from './daemon-table.ts';
import type { NftTableBuilder } from './table-builder.ts';

export function addEndpoint(t: NftTableBuilder, daemon: FirewallDaemon, net: FirewallNetwork, ep: FirewallEndpoint): void {
  const addr = t.family === 4 ? ep.addr4 : ep.addr6;
  if (!addr) return;
  // No filtering for internal networks, gateway modes routed / nat-unprotected (a family the network
  // lacks counts as neither, as moby's zero NetworkConfigFam does), or with allow-direct-routing.
  const conf = t.family === 4 ? net.v4 : net.v6;
  if (net.internal || conf?.gatewayMode === 'routed' || conf?.gatewayMode === 'nat-unprotected' || daemon.allowDirectRouting) return;
  t.apply((tx) => {
    // "Trusted interfaces" are treated like the bridge itself: `iifname != { br, trusted... }`.
    tx.rule(RAW_PREROUTING_CHAIN, GROUP.rawPreroutingPorts, {
      matches: [
        { kind: 'destination', address: { cidr: inetCidr(addr) } },
        { kind: 'in-set', ifaces: { names: [net.ifName, ...net.trustedHostInterfaces], negate: true } },
      ],
      counter: true,
      action: { kind: 'drop' },
      comment: 'DROP DIRECT ACCESS',
      ...(ep.origin ? { origin: ep.origin } : {}),
    });
  });
}
