// Daemon-level chains of one address family: what dockerd 29 programs before any network exists.
import { addrtype, cidr, jump, NOT } from './rule-parts.ts';
import { makeRule, type RulesetBuilder } from './ruleset-builder.ts';
import type { FirewallDaemon, IpFamily } from './types.ts';

export const DOCKER = 'DOCKER';
export const DOCKER_FORWARD = 'DOCKER-FORWARD';
export const DOCKER_BRIDGE = 'DOCKER-BRIDGE';
export const DOCKER_CT = 'DOCKER-CT';
export const DOCKER_INTERNAL = 'DOCKER-INTERNAL';
export const DOCKER_USER = 'DOCKER-USER';

/** iptabler.go loopbackAddress. */
export const loopbackPrefix = (family: IpFamily): string => (family === 4 ? '127.0.0.0/8' : '::1/128');

/**
 * daemon/libnetwork/drivers/bridge/internal/iptabler/iptabler.go setupIPChains (Docker 29), run by
 * NewIptabler for each enabled family.
 */
export function setupIPChains(rs: RulesetBuilder, daemon: FirewallDaemon): void {
  const o = daemon.origin;
  // raw-PREROUTING holds the per-endpoint and loopback-port drops (endpoint.go, port.go). The table is
  // declared from the start, as moby's goldens (dumped with `iptables-save -t raw`) always show it.
  rs.useTable('raw');

  rs.newChain('nat', DOCKER);
  rs.newChain('filter', DOCKER);
  rs.newChain('filter', DOCKER_FORWARD);
  rs.newChain('filter', DOCKER_BRIDGE);
  rs.newChain('filter', DOCKER_CT);
  rs.newChain('filter', DOCKER_INTERNAL);

  // network.go addNATJumpRules: appended. With the userland proxy on (no hairpin), locally-generated
  // packets to loopback addresses are left to docker-proxy.
  rs.append(makeRule('nat', 'PREROUTING', { modules: [addrtype('--dst-type', 'LOCAL')] }, jump(DOCKER), o));
  rs.append(
    makeRule(
      'nat',
      'OUTPUT',
      daemon.hairpin
        ? { modules: [addrtype('--dst-type', 'LOCAL')] }
        : { destination: cidr(loopbackPrefix(rs.family), NOT), modules: [addrtype('--dst-type', 'LOCAL')] },
      jump(DOCKER),
      o,
    ),
  );

  // EnsureJumpRule inserts at the head, so these end up in the order CT, INTERNAL, BRIDGE.
  rs.ensureJump('filter', 'FORWARD', DOCKER_FORWARD, o);
  rs.ensureJump('filter', DOCKER_FORWARD, DOCKER_BRIDGE, o);
  rs.ensureJump('filter', DOCKER_FORWARD, DOCKER_INTERNAL, o);
  rs.ensureJump('filter', DOCKER_FORWARD, DOCKER_CT, o);
  // deleteLegacyTopLevelRules only removes rules of moby <= 28.0.0: nothing to do on a fresh host.
}

/**
 * daemon/libnetwork/firewall_linux.go setupUserChain: the controller creates DOCKER-USER after the
 * bridge driver's init and EnsureJumpRule puts FORWARD -> DOCKER-USER above FORWARD -> DOCKER-FORWARD.
 */
export function setupUserChain(rs: RulesetBuilder, daemon: FirewallDaemon): void {
  rs.newChain('filter', DOCKER_USER);
  rs.ensureJump('filter', 'FORWARD', DOCKER_USER, daemon.origin);
}

/** iptabler.go FilterForwardDrop: `-P FORWARD DROP`. */
export function filterForwardDrop(rs: RulesetBuilder): void {
  rs.setPolicy('filter', 'FORWARD', 'DROP');
}
