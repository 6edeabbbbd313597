// Per-network rules of one address family, as the bridge driver programs them when a network is
// created: Docker 29 daemon/libnetwork/drivers/bridge/internal/iptabler/network.go; Docker 28 the same
// file at v28.5.2 (libnetwork/drivers/bridge/internal/iptabler/network.go), which adds the isolation
// chains (setINC) and nat SKIP DNAT; Docker <= 27 v27.5.1 libnetwork/drivers/bridge/
// setup_ip_tables_linux.go (v20.10.24: vendor/github.com/docker/libnetwork/drivers/bridge/
// setup_ip_tables.go), which writes the per-bridge rules straight into FORWARD.
import {
  addNATJumpRules,
  DOCKER,
  DOCKER_BRIDGE,
  DOCKER_CT,
  DOCKER_FORWARD,
  ISOLATION_1,
  ISOLATION_2,
} from './daemon-chains.ts';
import { inetAddr } from '../../net/index.ts';
import type { FirewallDaemon, FirewallFamilyConfig, FirewallNetwork } from '../input.ts';
import type { IpFamily, RuleTarget, SourcePath } from '../types.ts';
import { engineLayout, type EngineLayout } from '../../model/engine.ts';
import { NOT } from './pieces.ts';
import { makeRule, type RulesetBuilder } from './ruleset-builder.ts';

export const familyConfig = (net: FirewallNetwork, family: IpFamily): FirewallFamilyConfig | undefined =>
  family === 4 ? net.v4 : net.v6;

/**
 * network.go configure/setupIPTables: nothing when the network has no prefix in this family, the
 * internal rules for --internal networks, else the rules of a network with external access.
 * Docker <= 27 takes its own path (addLegacyNetwork).
 */
export function addNetwork(rs: RulesetBuilder, daemon: FirewallDaemon, net: FirewallNetwork): void {
  const layout = engineLayout(daemon.engine);
  if (layout.filter === 'forward') {
    addLegacyNetwork(rs, daemon, net, layout);
    return;
  }
  const conf = familyConfig(net, rs.family);
  if (!conf) return;
  if (net.internal) setupInternalNetworkRules(rs, net, conf, layout);
  else setupExternalNetworkRules(rs, daemon, net, conf, layout);
}

/** MASQUERADE picks the source from the route; com.docker.network.host_ipv4/6 asks for SNAT instead. */
const natTarget = (rs: RulesetBuilder, conf: FirewallFamilyConfig): RuleTarget =>
  conf.hostIP ? { kind: 'snat', toSource: inetAddr(conf.hostIP) } : rs.pieces.target('masquerade');

/** `-I POSTROUTING -s SUBNET ! -o BR -j MASQUERADE` (or SNAT). */
const insertMasquerade = (rs: RulesetBuilder, net: FirewallNetwork, conf: FirewallFamilyConfig): void => {
  const { cidr, iface } = rs.pieces;
  rs.insert(makeRule('nat', 'POSTROUTING', { source: cidr(conf.prefix), outInterface: iface(net.ifName, NOT) }, natTarget(rs, conf), net.origin));
};

/** Hairpin (userland proxy off): `-I POSTROUTING -m addrtype --src-type LOCAL -o BR -j MASQUERADE` (or SNAT). */
const insertHostMasquerade = (rs: RulesetBuilder, net: FirewallNetwork, conf: FirewallFamilyConfig): void => {
  const { addrtype, iface } = rs.pieces;
  rs.insert(makeRule('nat', 'POSTROUTING', { outInterface: iface(net.ifName), modules: [addrtype('src', 'LOCAL')] }, natTarget(rs, conf), net.origin));
};

/** SKIP DNAT (<= 28, userland proxy on): `-I DOCKER -i BR -j RETURN` in nat, so docker-proxy gets packets from the bridge. */
const insertSkipDnat = (rs: RulesetBuilder, net: FirewallNetwork): void => {
  rs.insert(makeRule('nat', DOCKER, { inInterface: rs.pieces.iface(net.ifName) }, rs.pieces.target('return'), net.origin));
};

/** network.go setupIPTables, non-internal branch (Docker 28 and 29). */
function setupExternalNetworkRules(
  rs: RulesetBuilder,
  daemon: FirewallDaemon,
  net: FirewallNetwork,
  conf: FirewallFamilyConfig,
  layout: EngineLayout,
): void {
  const br = net.ifName;
  const o = net.origin;
  const routed = conf.gatewayMode === 'routed';
  const unprotected = conf.gatewayMode === 'nat-unprotected';
  const { ctstate, iface, jump, mark, proto, target } = rs.pieces;

  // setupNonInternalNetworkRules
  if (daemon.acceptFwMark !== undefined) {
    rs.insert(makeRule('filter', DOCKER_FORWARD, { modules: [mark(daemon.acceptFwMark.mark, daemon.acceptFwMark.mask)] }, target('accept'), o));
  }
  if (net.masquerade && !routed) insertMasquerade(rs, net, conf);
  // v28.5.2 network.go: `if n.config.Masquerade { if nat {...}; if !Hairpin { skipDNAT } }`, so a routed
  // network that masquerades still gets the RETURN (v28.5.2 usernet-portmap-routed.md shows it).
  if (layout.skipDnat === 'masquerade' && net.masquerade && !daemon.hairpin) insertSkipDnat(rs, net);
  // Hairpin (userland proxy off): masquerade packets from the host's own addresses into the bridge.
  // Inserted whatever the gateway mode and masquerade setting.
  if (daemon.hairpin) insertHostMasquerade(rs, net, conf);
  // setIcc(internal=false): only the DROP for icc=false; ICC traffic is otherwise accepted by the
  // outgoing rule below.
  if (!net.icc) {
    rs.append(makeRule('filter', DOCKER_FORWARD, { inInterface: iface(br), outInterface: iface(br) }, target('drop'), o));
  }
  // setICMP: routed mode accepts all ICMP into the network.
  if (routed) {
    rs.append(
      makeRule(
        'filter',
        DOCKER,
        { outInterface: iface(br), protocol: proto(rs.family === 4 ? 'icmp' : 'icmpv6') },
        target('accept'),
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
      target('accept'),
      o,
    ),
  );

  // setDefaultForwardRule: appended, so that it follows the per-port ACCEPTs (inserted at the head).
  rs.append(
    makeRule(
      'filter',
      DOCKER,
      { inInterface: iface(br, NOT), outInterface: iface(br) },
      target(unprotected ? 'accept' : 'drop'),
      o,
    ),
  );
  rs.append(
    makeRule('filter', DOCKER_CT, { outInterface: iface(br), modules: [ctstate('RELATED', 'ESTABLISHED')] }, target('accept'), o),
  );
  rs.append(makeRule('filter', DOCKER_BRIDGE, { outInterface: iface(br) }, jump(DOCKER), o));
  if (layout.isolationChains) setINC(rs, br, routed, o);
}

/**
 * setINC, Docker 28 (v28.5.2 network.go): a routed network first lets anything in (RETURN) and its
 * replies out (ACCEPT), both inserted; then the usual pair, STAGE-1 appended and STAGE-2 inserted.
 */
function setINC(rs: RulesetBuilder, br: string, routed: boolean, o: SourcePath | undefined): void {
  const { ctstate, iface, jump, target } = rs.pieces;
  if (routed) {
    rs.insert(makeRule('filter', ISOLATION_1, { outInterface: iface(br) }, target('return'), o));
    rs.insert(makeRule('filter', ISOLATION_1, { inInterface: iface(br), modules: [ctstate('RELATED', 'ESTABLISHED')] }, target('accept'), o));
  }
  rs.append(makeRule('filter', ISOLATION_1, { inInterface: iface(br), outInterface: iface(br, NOT) }, jump(ISOLATION_2), o));
  rs.insert(makeRule('filter', ISOLATION_2, { outInterface: iface(br) }, target('drop'), o));
}

/**
 * network.go setupInternalNetworkRules: two inserted DROPs (the -o one ends up first), then setIcc.
 * The DROPs go to DOCKER-INTERNAL (29) or DOCKER-ISOLATION-STAGE-1 (<= 28).
 */
function setupInternalNetworkRules(
  rs: RulesetBuilder,
  net: FirewallNetwork,
  conf: FirewallFamilyConfig,
  layout: EngineLayout,
): void {
  insertInternalDrops(rs, net, conf, layout);
  const { iface } = rs.pieces;
  // setIcc(internal=true): an internal network has no outgoing rule, so ICC needs its own ACCEPT.
  rs.append(
    makeRule('filter', DOCKER_FORWARD, { inInterface: iface(net.ifName), outInterface: iface(net.ifName) }, rs.pieces.target(net.icc ? 'accept' : 'drop'), net.origin),
  );
}

/** The two DROPs of an --internal network; IPv6 adds `! -o br` / `! -i br` from Docker 27 on. */
function insertInternalDrops(rs: RulesetBuilder, net: FirewallNetwork, conf: FirewallFamilyConfig, layout: EngineLayout): void {
  const br = net.ifName;
  const o = net.origin;
  const v6 = rs.family === 6 && layout.internalV6Interfaces;
  const { cidr, iface, target } = rs.pieces;
  rs.insert(
    makeRule(
      'filter',
      layout.internalChain,
      v6
        ? { destination: cidr(conf.prefix, NOT), inInterface: iface(br), outInterface: iface(br, NOT) }
        : { destination: cidr(conf.prefix, NOT), inInterface: iface(br) },
      target('drop'),
      o,
    ),
  );
  rs.insert(
    makeRule(
      'filter',
      layout.internalChain,
      v6
        ? { source: cidr(conf.prefix, NOT), inInterface: iface(br, NOT), outInterface: iface(br) }
        : { source: cidr(conf.prefix, NOT), outInterface: iface(br) },
      target('drop'),
      o,
    ),
  );
}

// ----- Docker <= 27 --------------------------------------------------------------------------------

/**
 * A network's creation in Docker <= 27 (v27.5.1 bridge_linux.go createNetwork; v20.10.24 bridge.go),
 * for one family:
 *   1. setupIPTables when the network has a prefix in this family (every network has IPv4; IPv6 when
 *      enabled): the internal DROPs, or setupIPTablesInternal and ProgramChain; then EnsureJumpRule
 *      FORWARD -> DOCKER-ISOLATION-STAGE-1;
 *   2. setupNetworkIsolationRules -> isolateNetwork -> setINC, for every non-internal network whenever
 *      the family's iptables is on, with or without a prefix of that family.
 * The controller's DOCKER-USER step follows (build.ts).
 */
function addLegacyNetwork(rs: RulesetBuilder, daemon: FirewallDaemon, net: FirewallNetwork, layout: EngineLayout): void {
  const conf = familyConfig(net, rs.family);
  if (conf) {
    if (net.internal) {
      insertInternalDrops(rs, net, conf, layout);
      setIccLegacy(rs, net);
    } else {
      setupLegacyExternalRules(rs, daemon, net, conf, layout);
    }
    rs.ensureJump('filter', 'FORWARD', ISOLATION_1, daemon.origin);
  }
  if (net.internal || (!conf && !layout.isolationEveryNetwork)) return;
  if (layout.isolationNeedsIptables && !daemon.iptables) return;
  const { iface, jump, target } = rs.pieces;
  // setINC (<= 27): both rules inserted, so the newest network's come first, above the RETURNs.
  rs.insert(makeRule('filter', ISOLATION_1, { inInterface: iface(net.ifName), outInterface: iface(net.ifName, NOT) }, jump(ISOLATION_2), net.origin));
  rs.insert(makeRule('filter', ISOLATION_2, { outInterface: iface(net.ifName) }, target('drop'), net.origin));
}

/** setupIPTablesInternal, then ProgramChain for the nat and the filter chain (<= 27). */
function setupLegacyExternalRules(rs: RulesetBuilder, daemon: FirewallDaemon, net: FirewallNetwork, conf: FirewallFamilyConfig, layout: EngineLayout): void {
  const { ifName: br, origin } = net;
  const { ctstate, iface, jump, target } = rs.pieces;
  // `nat := !config.GwModeIPv4.natDisabled()` (27; 20.10 has no gateway modes).
  if (conf.gatewayMode !== 'routed' && net.masquerade) {
    insertMasquerade(rs, net, conf);
    if (layout.skipDnat === 'nat-and-masquerade' && !daemon.hairpin) insertSkipDnat(rs, net);
  }
  if (daemon.hairpin) insertHostMasquerade(rs, net, conf);
  setIccLegacy(rs, net);
  // "ACCEPT NON_ICC OUTGOING", inserted.
  rs.insert(makeRule('filter', 'FORWARD', { inInterface: iface(br), outInterface: iface(br, NOT) }, target('accept'), origin));
  // ProgramChain(natChain): the PREROUTING/OUTPUT jumps, appended unless present.
  addNATJumpRules(rs, daemon, daemon.origin);
  // ProgramChain(filterChain): both inserted, so the conntrack ACCEPT ends up above the jump to DOCKER.
  rs.insert(makeRule('filter', 'FORWARD', { outInterface: iface(br) }, jump(DOCKER), origin));
  rs.insert(makeRule('filter', 'FORWARD', { outInterface: iface(br), modules: [ctstate('RELATED', 'ESTABLISHED')] }, target('accept'), origin));
}

/** setIcc (<= 27): icc=true inserts the ACCEPT at the head of FORWARD; icc=false appends the DROP at its end. */
function setIccLegacy(rs: RulesetBuilder, net: FirewallNetwork): void {
  const { iface, target } = rs.pieces;
  const rule = (verdict: 'accept' | 'drop') =>
    makeRule('filter', 'FORWARD', { inInterface: iface(net.ifName), outInterface: iface(net.ifName) }, target(verdict), net.origin);
  if (net.icc) rs.insert(rule('accept'));
  else rs.append(rule('drop'));
}
