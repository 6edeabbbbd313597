// Swarm's routing mesh on the host: the DOCKER-INGRESS chains (ingress-sandbox.ts has the rules inside
// the ingress sandbox and the task containers). All of it is daemon/libnetwork/service_linux.go (Docker 29):
//   host     addLBBackend -> addIngressPorts -> initIngressConfiguration + programIngressPortsRules
//   sandbox  addLBBackend -> configureFWMark
//   task     populateLoadBalancers -> addRedirectRules
// Older releases (read at each tag; the rules are the same, the calls differ):
//   28     v28.5.2 libnetwork/service_linux.go programIngress: every rule is "-C, then -I/-A", so the
//          jumps are placed once; 29 re-places them with EnsureJumpRule at every service.
//   27     v27.5.1 libnetwork/service_linux.go programIngress: the filter jump is `-I FORWARD -j
//          DOCKER-INGRESS` (there is no DOCKER-FORWARD), followed by arrangeUserFilterRule, which puts
//          DOCKER-USER back on top (firewall_linux.go setupUserChain).
//   20.10  v20.10.24 vendor/github.com/docker/libnetwork/service_linux.go: as 27, but the reply ACCEPT
//          matches with `-m state --state` instead of `-m conntrack --ctstate`.
// configureFWMark and addRedirectRules are identical from 27 to 29 (20.10 runs them through the
// `fwmarker` and `redirector` re-exec helpers with the same arguments).
//
// Out of reach here: IPVS itself (the fwmark services and their real servers, ipvsadm) and the
// dockerd listeners on the published ports (plumbIngressPortsProxy: sockets, not rules); this kernel
// has no ip_vs/xt_ipvs, so `-m ipvs` cannot even be loaded (test/firewall-swarm.test.ts says so).
import { familyOf, inetAddr, inetCidr } from '../../net/index.ts';
import type { Engine } from '../../model/engine.ts';
import type { FirewallDaemon, FirewallIngress, FirewallIngressPort, FirewallNetwork } from '../input.ts';
import type { MatchModule, SourcePath } from '../types.ts';
import { DOCKER_FORWARD, setupUserChain } from './daemon-chains.ts';
import { engineLayout } from '../../model/engine.ts';
import { makeRule, type RulesetBuilder } from './ruleset-builder.ts';
import type { Rule } from './types.ts';

/** service_linux.go ingressChain. */
export const DOCKER_INGRESS = 'DOCKER-INGRESS';

/** A sysctl Docker writes for the routing mesh; the same shape as the topology's Sysctl. */
export interface MeshSysctl {
  readonly key: readonly string[];
  readonly value: string;
  readonly reason: string;
  /** Only when the key exists (the net.ipv4.vs.* keys need ip_vs). */
  readonly optional?: boolean;
}

// ----- host: DOCKER-INGRESS ------------------------------------------------------------------------

/**
 * The routing mesh on the host, one service at a time in `ingress.services` order, as dockerd programs
 * it when each service's load balancer appears in the ingress sandbox. IPv4 only; the caller replays
 * it after every network and endpoint (build.ts). `userChain`: whether the controller made DOCKER-USER
 * in this family (Docker <= 27 re-ensures its jump after adding the FORWARD jump).
 */
export function addIngress(
  rs: RulesetBuilder,
  daemon: FirewallDaemon,
  gateway: FirewallNetwork,
  ingress: FirewallIngress,
  userChain: boolean,
): void {
  if (rs.family !== 4) return;
  checkIngress(gateway, ingress);
  const seen = new Set<string>();
  for (const service of ingress.services) {
    initIngress(rs, daemon, gateway, ingress, userChain);
    // filterPortConfigs: a port config already plumbed (by another service) is not programmed twice.
    // Swarm refuses two services on one published port; netform refuses it here too.
    for (const port of service.ports) {
      const key = `${port.proto}/${port.publishedPort}`;
      if (seen.has(key)) {
        throw new Error(`buildFirewall: ingress port ${key} is published twice (service ${JSON.stringify(service.name)})`);
      }
      seen.add(key);
      addIngressPortRules(rs, daemon, ingress.sandboxIP, port);
    }
  }
}

function checkIngress(gateway: FirewallNetwork, ingress: FirewallIngress): void {
  const prefix = gateway.v4?.prefix;
  if (familyOf(ingress.sandboxIP) !== 4 || ingress.sandboxIP.includes('/')) {
    throw new Error(`buildFirewall: ingress sandboxIP ${JSON.stringify(ingress.sandboxIP)} is not an IPv4 address`);
  }
  const len = prefix?.split('/')[1];
  if (!prefix || inetCidr(`${ingress.sandboxIP}/${len}`) !== inetCidr(prefix)) {
    throw new Error(
      `buildFirewall: ingress sandboxIP ${ingress.sandboxIP} is not in ${gateway.name}'s IPv4 prefix (${prefix ?? 'none'})`,
    );
  }
}

/** What differs between releases in the routing mesh's iptables calls (beside EngineLayout.filter,
 * which says where the filter jump goes). Kept here, next to the only code that reads it. */
interface IngressLayout {
  /** 29: initIngressConfiguration re-places the three jumps with EnsureJumpRule for every service;
   * <= 28: programIngress adds each jump once (`-C`, then `-I`). */
  readonly ensureJumps: boolean;
  /** The reply ACCEPT's match: `-m conntrack --ctstate` (27+) or `-m state --state` (20.10). */
  readonly replyMatch: 'conntrack' | 'state';
}

const INGRESS_LAYOUTS: { readonly [E in Engine]: IngressLayout } = {
  '29': { ensureJumps: true, replyMatch: 'conntrack' },
  '28': { ensureJumps: false, replyMatch: 'conntrack' },
  '27': { ensureJumps: false, replyMatch: 'conntrack' },
  '20.10': { ensureJumps: false, replyMatch: 'state' },
};

/** `-m addrtype --dst-type LOCAL -j DOCKER-INGRESS` in nat OUTPUT / PREROUTING. */
const natJump = (rs: RulesetBuilder, chain: 'OUTPUT' | 'PREROUTING', o: SourcePath | undefined): Rule =>
  makeRule('nat', chain, { modules: [rs.pieces.addrtype('dst', 'LOCAL')] }, rs.pieces.jump(DOCKER_INGRESS), o);

/** iptables.go EnsureJumpRule with match arguments: delete the rule if present, insert it at the head. */
function ensureJumpRule(rs: RulesetBuilder, rule: Rule): void {
  rs.delete(rule);
  rs.insert(rule);
}

/**
 * Docker 29 initIngressConfiguration, run for every service (28 and older: the first half of
 * programIngress, which only adds what is missing):
 *   nat and filter: NewChain DOCKER-INGRESS, AddReturnRule (`-A DOCKER-INGRESS -j RETURN` unless present);
 *   nat OUTPUT, then PREROUTING: EnsureJumpRule `-m addrtype --dst-type LOCAL -j DOCKER-INGRESS`;
 *   filter: EnsureJumpRule DOCKER-FORWARD -> DOCKER-INGRESS (<= 27: `-I FORWARD`, then DOCKER-USER on top);
 *   route_localnet=1 on findOIFName(sandboxIP) (ingressSysctls);
 *   nat: Insert `-m addrtype --src-type LOCAL -o docker_gwbridge -j MASQUERADE` (a no-op when the bridge
 *   driver already inserted it for docker_gwbridge with the userland proxy off).
 * The once-only flushes and the deletion of a pre-28.0.1 FORWARD jump find nothing on a fresh host.
 */
function initIngress(
  rs: RulesetBuilder,
  daemon: FirewallDaemon,
  gateway: FirewallNetwork,
  ingress: FirewallIngress,
  userChain: boolean,
): void {
  const layout = engineLayout(daemon.engine);
  const o = ingress.origin;
  const ensure = INGRESS_LAYOUTS[layout.engine].ensureJumps;
  const { addrtype, iface, jump, target } = rs.pieces;
  for (const table of ['nat', 'filter'] as const) {
    rs.newChain(table, DOCKER_INGRESS);
    rs.append(makeRule(table, DOCKER_INGRESS, {}, target('return'), o));
  }
  for (const chain of ['OUTPUT', 'PREROUTING'] as const) {
    if (ensure) ensureJumpRule(rs, natJump(rs, chain, o));
    else rs.insert(natJump(rs, chain, o));
  }
  if (layout.filter === 'docker-forward') {
    const j = makeRule('filter', DOCKER_FORWARD, {}, jump(DOCKER_INGRESS), o);
    if (ensure) ensureJumpRule(rs, j);
    else rs.insert(j);
  } else if (rs.insert(makeRule('filter', 'FORWARD', {}, jump(DOCKER_INGRESS), o)) && userChain) {
    // v27.5.1 / v20.10.24 programIngress: arrangeUserFilterRule() right after adding the jump.
    setupUserChain(rs, daemon);
  }
  rs.insert(
    makeRule(
      'nat',
      'POSTROUTING',
      { outInterface: iface(gateway.ifName), modules: [addrtype('src', 'LOCAL')] },
      target('masquerade'),
      o,
    ),
  );
}

/**
 * generateIngressRules / programIngressPortsRules (29; 28 and older the loop of programIngress), each
 * rule inserted at the head of its DOCKER-INGRESS, so the newest port comes first and, per port, the
 * `--dport` ACCEPT precedes the `--sport` one:
 *   nat     -p P --dport PUB -j DNAT --to-destination SANDBOX:PUB
 *   filter  -p P --sport PUB -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT  (20.10: -m state)
 *   filter  -p P --dport PUB -j ACCEPT
 */
function addIngressPortRules(rs: RulesetBuilder, daemon: FirewallDaemon, sandboxIP: string, port: FirewallIngressPort): void {
  const o = port.origin;
  const p = port.proto;
  const pub = port.publishedPort;
  const { ctstate, port: portMatch, proto, state, target } = rs.pieces;
  rs.insert(
    makeRule(
      'nat',
      DOCKER_INGRESS,
      { protocol: proto(p), modules: [portMatch(p, 'dport', pub)] },
      { kind: 'dnat', toAddress: inetAddr(sandboxIP), toPort: pub },
      o,
    ),
  );
  // 20.10 writes `-m state -p P --sport PUB --state ESTABLISHED,RELATED`: the state match is loaded
  // first, so iptables-save prints it before the protocol's (checked against the kernel in the test).
  const replies: MatchModule[] =
    INGRESS_LAYOUTS[engineLayout(daemon.engine).engine].replyMatch === 'state'
      ? [state('RELATED', 'ESTABLISHED'), portMatch(p, 'sport', pub)]
      : [portMatch(p, 'sport', pub), ctstate('RELATED', 'ESTABLISHED')];
  rs.insert(makeRule('filter', DOCKER_INGRESS, { protocol: proto(p), modules: replies }, target('accept'), o));
  rs.insert(makeRule('filter', DOCKER_INGRESS, { protocol: proto(p), modules: [portMatch(p, 'dport', pub)] }, target('accept'), o));
}

/**
 * Sysctls Docker writes on the host for the routing mesh: route_localnet=1 on docker_gwbridge
 * (initIngressConfiguration, 28 and older programIngress), so that DNAT of locally generated packets
 * to 127.0.0.1:PUB -> sandbox works. Written with the first ingress service; none without one.
 */
export function ingressSysctls(gateway: Pick<FirewallNetwork, 'ifName'>, ingress: FirewallIngress): MeshSysctl[] {
  if (ingress.services.length === 0) return [];
  return [
    {
      key: ['net', 'ipv4', 'conf', gateway.ifName, 'route_localnet'],
      value: '1',
      reason: 'Docker: swarm routing mesh, DNAT of local traffic to the ingress sandbox (service_linux.go initIngressConfiguration)',
    },
  ];
}
