// Per-endpoint rules: the raw-PREROUTING drop of packets routed directly to a container's address
// (daemon/libnetwork/drivers/bridge/internal/iptabler/endpoint.go filterDirectAccess, Docker 29).
// The bridge driver calls AddEndpoint from CreateEndpoint, before the container's ports are mapped.
// Docker 28 has the same (v28.5.2 libnetwork/drivers/bridge/internal/iptabler/endpoint.go); Docker <= 27
// has no raw-table rules at all.
import type { FirewallDaemon, FirewallEndpoint, FirewallNetwork } from '../input.ts';
import { engineLayout } from '../../model/engine.ts';
import { familyConfig } from './network-rules.ts';
import { NOT } from './pieces.ts';
import { makeRule, type RulesetBuilder } from './ruleset-builder.ts';

export function addEndpoint(rs: RulesetBuilder, daemon: FirewallDaemon, net: FirewallNetwork, ep: FirewallEndpoint): void {
  const addr = rs.family === 4 ? ep.addr4 : ep.addr6;
  const conf = familyConfig(net, rs.family);
  if (!addr || !engineLayout(daemon.engine).raw) return;
  // No filtering for internal networks, gateway modes routed / nat-unprotected (missing config counts
  // as neither, as moby's zero NetworkConfigFam does), or with allow-direct-routing.
  if (net.internal || conf?.gatewayMode === 'routed' || conf?.gatewayMode === 'nat-unprotected') return;
  if (daemon.allowDirectRouting) return;
  const o = ep.origin;
  const { cidr, iface, target } = rs.pieces;
  // Trusted host interfaces are treated like the bridge itself.
  for (const name of net.trustedHostInterfaces) {
    rs.append(makeRule('raw', 'PREROUTING', { destination: cidr(addr), inInterface: iface(name) }, target('accept'), o));
  }
  rs.append(makeRule('raw', 'PREROUTING', { destination: cidr(addr), inInterface: iface(net.ifName, NOT) }, target('drop'), o));
}
