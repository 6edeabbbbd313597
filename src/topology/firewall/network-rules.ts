// Per-network rules of one address family, as the iptabler programs them when a bridge network is
// created (daemon/libnetwork/drivers/bridge/internal/iptabler/network.go, Docker 29).
import { DOCKER, DOCKER_BRIDGE, DOCKER_CT, DOCKER_FORWARD, DOCKER_INTERNAL } from './daemon-chains.ts';
import { canonicalIp } from './ip.ts';
import { addrtype, cidr, ctstate, fwMark, iface, jump, mark, NOT, proto } from './rule-parts.ts';
import { makeRule, type RulesetBuilder } from './ruleset-builder.ts';
import type { FirewallDaemon, FirewallFamilyConfig, FirewallNetwork, IpFamily, RuleTarget } from './types.ts';

export const familyConfig = (net: FirewallNetwork, family: IpFamily): FirewallFamilyConfig | undefined =>
  family === 4 ? net.v4 : net.v6;

/**
 * network.go configure/setupIPTables: nothing when the network has no prefix in this family, the
 * internal rules for --internal networks, else the rules of a network with external access.
 */
export function addNetwork(rs: RulesetBuilder, daemon: FirewallDaemon, net: FirewallNetwork): void {
  const conf = familyConfig(net, rs.family);
  if (!conf) return;
  if (net.internal) setupInternalNetworkRules(rs, net, conf);
  else setupExternalNetworkRules(rs, daemon, net, conf);
}

/** network.go setupIPTables, non-internal branch. */
function setupExternalNetworkRules(
  rs: RulesetBuilder,
  daemon: FirewallDaemon,
  net: FirewallNetwork,
  conf: FirewallFamilyConfig,
): void {
  const br = net.ifName;
  const o = net.origin;
  const routed = conf.gatewayMode === 'routed';
  const unprotected = conf.gatewayMode === 'nat-unprotected';

  // setupNonInternalNetworkRules
  if (daemon.acceptFwMark !== undefined) {
    rs.insert(makeRule('filter', DOCKER_FORWARD, { modules: [mark(fwMark(daemon.acceptFwMark))] }, jump('ACCEPT'), o));
  }
  // MASQUERADE picks the source from the route; com.docker.network.host_ipv4/6 asks for SNAT instead.
  const natTarget: RuleTarget = conf.hostIP ? jump('SNAT', ['--to-source', canonicalIp(conf.hostIP)]) : jump('MASQUERADE');
  if (net.masquerade && !routed) {
    rs.insert(
      makeRule('nat', 'POSTROUTING', { source: cidr(conf.prefix), outInterface: iface(br, NOT) }, natTarget, o),
    );
  }
  // Hairpin (userland proxy off): masquerade packets from the host's own addresses into the bridge.
  // Inserted whatever the gateway mode and masquerade setting.
  if (daemon.hairpin) {
    rs.insert(
      makeRule('nat', 'POSTROUTING', { outInterface: iface(br), modules: [addrtype('--src-type', 'LOCAL')] }, natTarget, o),
    );
  }
  // setIcc(internal=false): only the DROP for icc=false; ICC traffic is otherwise accepted by the
  // outgoing rule below.
  if (!net.icc) {
    rs.append(makeRule('filter', DOCKER_FORWARD, { inInterface: iface(br), outInterface: iface(br) }, jump('DROP'), o));
  }
  // setICMP: routed mode accepts all ICMP into the network.
  if (routed) {
    rs.append(
      makeRule(
        'filter',
        DOCKER,
        { outInterface: iface(br), protocol: proto(rs.family === 4 ? 'icmp' : 'icmpv6') },
        jump('ACCEPT'),
        o,
      ),
    );
  }
  // Outgoing packets.
  rs.append(
    makeRule(
      'filter',
      DOCKER_FORWARD,
      net.icc ? { inInterface: iface(br) } : { inInterface: iface(br), outInterface: iface(br, NOT) },
      jump('ACCEPT'),
      o,
    ),
  );

  // setDefaultForwardRule: appended, so that it follows the per-port ACCEPTs (inserted at the head).
  rs.append(
    makeRule(
      'filter',
      DOCKER,
      { inInterface: iface(br, NOT), outInterface: iface(br) },
      jump(unprotected ? 'ACCEPT' : 'DROP'),
      o,
    ),
  );
  rs.append(
    makeRule('filter', DOCKER_CT, { outInterface: iface(br), modules: [ctstate('RELATED,ESTABLISHED')] }, jump('ACCEPT'), o),
  );
  rs.append(makeRule('filter', DOCKER_BRIDGE, { outInterface: iface(br) }, jump(DOCKER), o));
}

/** network.go setupInternalNetworkRules: two inserted DROPs (the -o one ends up first), then setIcc. */
function setupInternalNetworkRules(rs: RulesetBuilder, net: FirewallNetwork, conf: FirewallFamilyConfig): void {
  const br = net.ifName;
  const o = net.origin;
  const v6 = rs.family === 6;
  // IPv6 adds `! -o br` / `! -i br` to the same rules.
  rs.insert(
    makeRule(
      'filter',
      DOCKER_INTERNAL,
      v6
        ? { destination: cidr(conf.prefix, NOT), inInterface: iface(br), outInterface: iface(br, NOT) }
        : { destination: cidr(conf.prefix, NOT), inInterface: iface(br) },
      jump('DROP'),
      o,
    ),
  );
  rs.insert(
    makeRule(
      'filter',
      DOCKER_INTERNAL,
      v6
        ? { source: cidr(conf.prefix, NOT), inInterface: iface(br, NOT), outInterface: iface(br) }
        : { source: cidr(conf.prefix, NOT), outInterface: iface(br) },
      jump('DROP'),
      o,
    ),
  );
  // setIcc(internal=true): an internal network has no outgoing rule, so ICC needs its own ACCEPT.
  rs.append(
    makeRule('filter', DOCKER_FORWARD, { inInterface: iface(br), outInterface: iface(br) }, jump(net.icc ? 'ACCEPT' : 'DROP'), o),
  );
}
