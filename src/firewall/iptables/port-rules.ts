// Per-port rules for published ports (daemon/libnetwork/drivers/bridge/internal/iptabler/port.go
// setPerPortIptables, Docker 29): raw drop of remote access to loopback-bound ports, DNAT, hairpin
// MASQUERADE and the filter ACCEPT. Docker 28 is the same (v28.5.2 libnetwork/drivers/bridge/internal/
// iptabler/port.go). Docker <= 27 (v27.5.1 libnetwork/drivers/bridge/port_mapping_linux.go setPerPortNAT
// and setPerPortForwarding; v20.10.24 vendor/github.com/docker/libnetwork/iptables/iptables.go
// ChainInfo.Forward) has no raw rules and no fe80::/10 exception, always adds the hairpin MASQUERADE,
// appends the ACCEPT (there is no default DROP to stay above) and fills SCTP checksums in mangle.
import { familyOf, inetAddr, isLoopback, isUnspecified, mustParseAddr } from '../../net/index.ts';
import type { FirewallDaemon, FirewallNetwork } from '../input.ts';
import type { FirewallerPortBinding } from '../port-mapping.ts';
import type { RuleMatch } from '../types.ts';
import { DOCKER } from './daemon-chains.ts';
import { engineLayout } from '../../model/engine.ts';
import { familyConfig } from './network-rules.ts';
import { NOT } from './pieces.ts';
import { makeRule, type RulesetBuilder } from './ruleset-builder.ts';

/** Programs one binding into `rs` when the binding's container address is of that family. */
export function addPort(rs: RulesetBuilder, daemon: FirewallDaemon, net: FirewallNetwork, b: FirewallerPortBinding): void {
  // The family is the container address's (b.IP.To4() in moby).
  if (familyOf(b.containerIP) !== rs.family) return;
  if (net.internal) return;
  const layout = engineLayout(daemon.engine);
  const hostFamily = familyOf(b.hostIP);
  // filterPortMappedOnLoopback: IPv4 only (the IPv6 loopback is not routable), and only with a host port.
  if (layout.raw && b.hostPort !== 0 && hostFamily === 4 && isLoopback(mustParseAddr(b.hostIP))) {
    addLoopbackDrop(rs, b);
  }
  // Container IPv4 behind a host IPv6 address: docker-proxy alone handles it.
  if (hostFamily !== rs.family) return;
  // setPerPortNAT: nothing when NAT is disabled (host port 0, the routed mapper).
  if (b.hostPort !== 0) addPortNat(rs, daemon, net, b);
  if (familyConfig(net, rs.family)?.gatewayMode !== 'nat-unprotected') addPortForward(rs, daemon, net, b);
}

/** raw PREROUTING: drops packets for a loopback-bound port that did not come in on lo. */
function addLoopbackDrop(rs: RulesetBuilder, b: FirewallerPortBinding): void {
  const { cidr, iface, portModules, proto, target } = rs.pieces;
  const match: RuleMatch = {
    destination: cidr(b.hostIP),
    inInterface: iface('lo', NOT),
    protocol: proto(b.proto),
    modules: portModules(b.proto, 'dport', b.hostPort),
  };
  rs.append(makeRule('raw', 'PREROUTING', match, target('drop'), b.origin));
}

/** setPerPortNAT: the DNAT in DOCKER and, with hairpin NAT, the MASQUERADE of a container reaching itself. */
function addPortNat(rs: RulesetBuilder, daemon: FirewallDaemon, net: FirewallNetwork, b: FirewallerPortBinding): void {
  const { cidr, iface, portModules, proto, target } = rs.pieces;
  const layout = engineLayout(daemon.engine);
  // "0/0" for an unspecified host address: no -d match at all.
  // Built field by field in the order of the other rules (the keys' order is topology.json's).
  const match: { -readonly [K in keyof RuleMatch]: RuleMatch[K] } = {};
  if (rs.family === 6 && layout.dnatSkipsLinkLocal6) match.source = cidr('fe80::/10', NOT);
  if (!isUnspecified(mustParseAddr(b.hostIP))) match.destination = cidr(b.hostIP);
  // With the userland proxy on, packets from the bridge itself are left to docker-proxy.
  if (!daemon.hairpin) match.inInterface = iface(net.ifName, NOT);
  match.protocol = proto(b.proto);
  match.modules = portModules(b.proto, 'dport', b.hostPort);
  const ip = inetAddr(b.containerIP);
  rs.append(makeRule('nat', DOCKER, match, { kind: 'dnat', toAddress: ip, toPort: b.containerPort }, b.origin));
  if (!daemon.hairpin && !layout.portMasqueradeAlways) return;
  // A container reaching its own published port through the host: masquerade it.
  const hairpin: RuleMatch = {
    source: cidr(ip),
    destination: cidr(ip),
    protocol: proto(b.proto),
    modules: portModules(b.proto, 'dport', b.containerPort),
  };
  rs.append(makeRule('nat', 'POSTROUTING', hairpin, target('masquerade'), b.origin));
}

/**
 * setPerPortForwarding: inserted at the head of DOCKER, above every network's default DROP (28+);
 * appended before 28, when DOCKER had no default rule.
 */
function addPortForward(rs: RulesetBuilder, daemon: FirewallDaemon, net: FirewallNetwork, b: FirewallerPortBinding): void {
  const { cidr, iface, portModules, proto, target } = rs.pieces;
  const layout = engineLayout(daemon.engine);
  const match: RuleMatch = {
    destination: cidr(b.containerIP),
    inInterface: iface(net.ifName, NOT),
    outInterface: iface(net.ifName),
    protocol: proto(b.proto),
    modules: portModules(b.proto, 'dport', b.containerPort),
  };
  const accept = makeRule('filter', DOCKER, match, target('accept'), b.origin);
  if (layout.defaultForwardDrop) rs.insert(accept);
  else rs.append(accept);
  if (!layout.sctpChecksum || b.proto !== 'sctp') return;
  // The workaround for kernels <= 4.9 that enable NETIF_F_SCTP_CRC on veths (always on before 28).
  const sctp: RuleMatch = { protocol: proto(b.proto), modules: portModules(b.proto, 'sport', b.containerPort) };
  rs.append(makeRule('mangle', 'POSTROUTING', sctp, target('checksum-fill'), b.origin));
}
