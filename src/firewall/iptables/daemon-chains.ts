// Daemon-level chains of one address family: what dockerd programs before any network exists.
import type { FirewallDaemon } from '../input.ts';
import type { IpFamily, SourcePath } from '../types.ts';
import { engineLayout } from '../../model/engine.ts';
import { NOT } from './pieces.ts';
import { makeRule, type RulesetBuilder } from './ruleset-builder.ts';

export const DOCKER = 'DOCKER';
export const DOCKER_FORWARD = 'DOCKER-FORWARD';
export const DOCKER_BRIDGE = 'DOCKER-BRIDGE';
export const DOCKER_CT = 'DOCKER-CT';
export const DOCKER_INTERNAL = 'DOCKER-INTERNAL';
export const DOCKER_USER = 'DOCKER-USER';
/** Docker <= 28: inter-network isolation (setINC) and, before 29, --internal DROPs. */
export const ISOLATION_1 = 'DOCKER-ISOLATION-STAGE-1';
export const ISOLATION_2 = 'DOCKER-ISOLATION-STAGE-2';

/** iptabler.go loopbackAddress. */
export const loopbackPrefix = (family: IpFamily): string => (family === 4 ? '127.0.0.0/8' : '::1/128');

/**
 * The driver's init, run once per enabled family: daemon/libnetwork/drivers/bridge/internal/iptabler/
 * iptabler.go setupIPChains (Docker 29; v28.5.2 libnetwork/drivers/bridge/internal/iptabler/iptabler.go
 * adds the isolation chains), or, up to Docker 27, setup_ip_tables_linux.go setupIPChains.
 */
export function setupIPChains(rs: RulesetBuilder, daemon: FirewallDaemon): void {
  const layout = engineLayout(daemon.engine);
  if (layout.filter === 'forward') {
    setupLegacyIPChains(rs, daemon);
    return;
  }
  const o = daemon.origin;
  // raw-PREROUTING holds the per-endpoint and loopback-port drops (endpoint.go, port.go). The table is
  // declared from the start, as moby's goldens (dumped with `iptables-save -t raw`) always show it.
  rs.useTable('raw');

  rs.newChain('nat', DOCKER);
  rs.newChain('filter', DOCKER);
  rs.newChain('filter', DOCKER_FORWARD);
  rs.newChain('filter', DOCKER_BRIDGE);
  rs.newChain('filter', DOCKER_CT);
  if (layout.isolationChains) {
    rs.newChain('filter', ISOLATION_1);
    rs.newChain('filter', ISOLATION_2);
  } else {
    rs.newChain('filter', DOCKER_INTERNAL);
  }

  addNATJumpRules(rs, daemon, o);

  // EnsureJumpRule inserts at the head, so these end up in the order CT, INTERNAL (28: STAGE-1), BRIDGE.
  rs.ensureJump('filter', 'FORWARD', DOCKER_FORWARD, o);
  rs.ensureJump('filter', DOCKER_FORWARD, DOCKER_BRIDGE, o);
  rs.ensureJump('filter', DOCKER_FORWARD, layout.isolationChains ? ISOLATION_1 : DOCKER_INTERNAL, o);
  rs.ensureJump('filter', DOCKER_FORWARD, DOCKER_CT, o);
  // deleteLegacyTopLevelRules only removes rules of moby <= 28.0.0: nothing to do on a fresh host.
}

/**
 * Docker <= 27 (v27.5.1 libnetwork/drivers/bridge/setup_ip_tables_linux.go setupIPChains; v20.10.24 the
 * same in vendor/github.com/docker/libnetwork/drivers/bridge/setup_ip_tables.go): the nat and filter
 * DOCKER chains and the two isolation chains, each ending with `-j RETURN` (AddReturnRule). No raw
 * table, and no jump yet: FORWARD and the nat jumps are programmed with the first network.
 */
function setupLegacyIPChains(rs: RulesetBuilder, daemon: FirewallDaemon): void {
  const o = daemon.origin;
  rs.newChain('nat', DOCKER);
  rs.newChain('filter', DOCKER);
  rs.newChain('filter', ISOLATION_1);
  rs.newChain('filter', ISOLATION_2);
  const ret = rs.pieces.target('return');
  rs.append(makeRule('filter', ISOLATION_1, {}, ret, o));
  rs.append(makeRule('filter', ISOLATION_2, {}, ret, o));
}

/**
 * nat PREROUTING/OUTPUT -> DOCKER, appended once (Docker 29/28 network.go addNATJumpRules at driver
 * init; <= 27 iptables.go ProgramChain for the nat chain, with each non-internal network: `-C` first,
 * so only the first network adds them). With the userland proxy on (no hairpin), locally-generated
 * packets to loopback addresses are left to docker-proxy.
 */
export function addNATJumpRules(rs: RulesetBuilder, daemon: FirewallDaemon, o: SourcePath | undefined): void {
  const { addrtype, cidr, jump } = rs.pieces;
  rs.append(makeRule('nat', 'PREROUTING', { modules: [addrtype('dst', 'LOCAL')] }, jump(DOCKER), o));
  rs.append(
    makeRule(
      'nat',
      'OUTPUT',
      daemon.hairpin
        ? { modules: [addrtype('dst', 'LOCAL')] }
        : { destination: cidr(loopbackPrefix(rs.family), NOT), modules: [addrtype('dst', 'LOCAL')] },
      jump(DOCKER),
      o,
    ),
  );
}

/**
 * daemon/libnetwork/firewall_linux.go setupUserChain: the controller creates DOCKER-USER after the
 * bridge driver's init and EnsureJumpRule puts FORWARD -> DOCKER-USER above FORWARD -> DOCKER-FORWARD.
 * Docker <= 27 (v27.5.1 libnetwork/firewall_linux.go setupUserChain, v20.10.24 arrangeUserFilterRule)
 * also appends `-j RETURN` (AddReturnRule), and 20.10 does it for IPv4 only ("TODO IPv6 support").
 * Returns false when this engine has no DOCKER-USER in the family.
 */
export function setupUserChain(rs: RulesetBuilder, daemon: FirewallDaemon): boolean {
  const layout = engineLayout(daemon.engine);
  if (rs.family === 6 && !layout.userChainIPv6) return false;
  rs.newChain('filter', DOCKER_USER);
  if (layout.userChainReturn) rs.append(makeRule('filter', DOCKER_USER, {}, rs.pieces.target('return'), daemon.origin));
  rs.ensureJump('filter', 'FORWARD', DOCKER_USER, daemon.origin);
  return true;
}

/** iptabler.go FilterForwardDrop: `-P FORWARD DROP`. */
export function filterForwardDrop(rs: RulesetBuilder): void {
  rs.setPolicy('filter', 'FORWARD', 'DROP');
}
