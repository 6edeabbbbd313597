// Swarm's routing mesh as rules: the host's DOCKER-INGRESS chains, the ingress sandbox's (and any
// load-balancer sandbox's) fwmark and SNAT rules, and the REDIRECT/ACCEPT/DROP rules inside a task
// container. All of it is daemon/libnetwork/service_linux.go (Docker 29):
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
import { DOCKER_FORWARD, setupUserChain } from './daemon-chains.ts';
import { engineLayout } from './engine.ts';
import { familyOf, inetAddr, inetCidr } from '../net/index.ts';
import { addrtype, cidr, ctstate, iface, joinHostPort, jump, portMatch, proto } from './rule-parts.ts';
import { makeRule, RulesetBuilder } from './ruleset-builder.ts';
import type {
  Engine,
  FirewallDaemon,
  FirewallIngress,
  FirewallIngressPort,
  FirewallNetwork,
  MatchModule,
  Rule,
  Ruleset,
  SourcePath,
} from './types.ts';

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
const natJump = (chain: 'OUTPUT' | 'PREROUTING', o: SourcePath | undefined): Rule =>
  makeRule('nat', chain, { modules: [addrtype('--dst-type', 'LOCAL')] }, jump(DOCKER_INGRESS), o);

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
  for (const table of ['nat', 'filter'] as const) {
    rs.newChain(table, DOCKER_INGRESS);
    rs.append(makeRule(table, DOCKER_INGRESS, {}, jump('RETURN'), o));
  }
  for (const chain of ['OUTPUT', 'PREROUTING'] as const) {
    if (ensure) ensureJumpRule(rs, natJump(chain, o));
    else rs.insert(natJump(chain, o));
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
      { outInterface: iface(gateway.ifName), modules: [addrtype('--src-type', 'LOCAL')] },
      jump('MASQUERADE'),
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
  rs.insert(
    makeRule(
      'nat',
      DOCKER_INGRESS,
      { protocol: proto(p), modules: [portMatch(p, '--dport', pub)] },
      jump('DNAT', ['--to-destination', joinHostPort(sandboxIP, pub)]),
      o,
    ),
  );
  // 20.10 writes `-m state -p P --sport PUB --state ESTABLISHED,RELATED`: the state match is loaded
  // first, so iptables-save prints it before the protocol's (checked against the kernel in the test).
  const replies: MatchModule[] =
    INGRESS_LAYOUTS[engineLayout(daemon.engine).engine].replyMatch === 'state'
      ? [{ name: 'state', options: [{ flag: '--state', values: ['RELATED,ESTABLISHED'] }] }, portMatch(p, '--sport', pub)]
      : [portMatch(p, '--sport', pub), ctstate('RELATED,ESTABLISHED')];
  rs.insert(makeRule('filter', DOCKER_INGRESS, { protocol: proto(p), modules: replies }, jump('ACCEPT'), o));
  rs.insert(makeRule('filter', DOCKER_INGRESS, { protocol: proto(p), modules: [portMatch(p, '--dport', pub)] }, jump('ACCEPT'), o));
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

// ----- fwmarks --------------------------------------------------------------------------------------

/**
 * service.go: `fwMarkCtr uint32 = 256`, a global counter of the daemon process. service_common.go
 * addServiceBinding takes the next value whenever it creates a load balancer, i.e. the first time this
 * node sees a (service, published-ports) binding on a network: one mark per service per network, with
 * or without a VIP (dnsrr services consume one too), in the order the bindings reach the node (task
 * starts and gossip), restarting at 256 when dockerd restarts. So the marks are not stable in Docker.
 *
 * netform numbers deterministically, as one node that runs a task of every service, created in file
 * order, would: services in file order; within a service, its networks in attachment order, which
 * swarmkit makes ingress first (when the service publishes in ingress mode), then the service's
 * networks as listed (allocator/network.go taskCreateNetworkAttachments).
 */
export const FIRST_FWMARK = 256;

/** fwmark of each (service, network) load balancer: result.get(service)!.get(network). */
export function numberLoadBalancers(
  services: readonly { readonly name: string; readonly networks: readonly string[] }[],
): ReadonlyMap<string, ReadonlyMap<string, number>> {
  let next = FIRST_FWMARK;
  const out = new Map<string, Map<string, number>>();
  for (const s of services) {
    if (out.has(s.name)) throw new Error(`numberLoadBalancers: service ${JSON.stringify(s.name)} is listed twice`);
    const marks = new Map<string, number>();
    for (const n of s.networks) if (!marks.has(n)) marks.set(n, next++);
    out.set(s.name, marks);
  }
  return out;
}

// ----- the ingress sandbox (and any load-balancer sandbox) ---------------------------------------------

/** A service's load balancer in a load-balancer sandbox. */
export interface LoadBalancedService {
  readonly name: string;
  /** See numberLoadBalancers. */
  readonly fwMark: number;
  /** The service's virtual IP on the sandbox's network. Absent for endpoint_mode dnsrr: addLBBackend
   * returns before any rule (`if len(lb.vip) == 0`). */
  readonly vip?: string;
  /** Its ingress ports; only on the ingress network (agent.go gossips ingress ports on ingress alone),
   * so empty in other overlays' lb_ sandboxes. */
  readonly ports: readonly FirewallIngressPort[];
  readonly origin?: SourcePath;
}

export interface LoadBalancerSandbox {
  /** The sandbox's own endpoint on the network, with the prefix length: eIP of configureFWMark (for
   * the ingress sandbox its address on the ingress network, e.g. 10.0.0.2/24). */
  readonly address: string;
  /** Services in the order their load balancers are created (the fwmark order). */
  readonly services: readonly LoadBalancedService[];
  /** Overlay driver option `dsr`: direct server return, no SNAT. Default NAT (always NAT for ingress). */
  readonly dsr?: boolean;
}

/**
 * configureFWMark for each service, in order, inside the sandbox (raw `-A`; `-C` only for the SNAT rule;
 * nothing repeats, as each service has its own mark and VIP):
 *   mangle  -A PREROUTING -p P --dport PUB -j MARK --set-mark FW     (per ingress port)
 *   nat     -A POSTROUTING -m ipvs --ipvs -d SUBNET -j SNAT --to-source EIP
 *           (NAT mode, only while absent, i.e. with the first service; also sets net.ipv4.vs.conntrack=1)
 *   mangle  -A INPUT -d VIP/32 -j MARK --set-mark FW
 * iptables-save prints `--set-mark N` as `--set-xmark 0xN/0xffffffff`, the form kept here.
 * There is no mangle OUTPUT rule in any release from 20.10 on. IPv4 only.
 */
export function addLoadBalancerRules(rs: RulesetBuilder, sb: LoadBalancerSandbox): void {
  if (rs.family !== 4) return;
  if (familyOf(sb.address) !== 4 || !sb.address.includes('/')) {
    throw new Error(`load-balancer sandbox address ${JSON.stringify(sb.address)} must be IPv4 with a prefix length`);
  }
  const eIP = inetAddr(sb.address.split('/')[0]!);
  const subnet = inetCidr(sb.address);
  for (const s of sb.services) {
    if (s.vip === undefined) continue;
    const mark = jump('MARK', ['--set-xmark', `0x${s.fwMark.toString(16)}/0xffffffff`]);
    for (const port of s.ports) {
      rs.append(
        makeRule('mangle', 'PREROUTING', { protocol: proto(port.proto), modules: [portMatch(port.proto, '--dport', port.publishedPort)] }, mark, port.origin ?? s.origin),
      );
    }
    if (!sb.dsr) {
      rs.append(
        makeRule(
          'nat',
          'POSTROUTING',
          { destination: cidr(subnet), modules: [{ name: 'ipvs', options: [{ flag: '--ipvs', values: [] }] }] },
          jump('SNAT', ['--to-source', eIP]),
          s.origin,
        ),
      );
    }
    rs.append(makeRule('mangle', 'INPUT', { destination: cidr(s.vip) }, mark, s.origin));
  }
}

/** The whole IPv4 ruleset of a load-balancer sandbox (ingress_sbox or lb_<net>): mangle and nat. */
export function loadBalancerSandboxRuleset(sb: LoadBalancerSandbox): Ruleset {
  const rs = new RulesetBuilder(4);
  rs.useTable('mangle');
  if (!sb.dsr) rs.useTable('nat');
  addLoadBalancerRules(rs, sb);
  return rs.build();
}

/**
 * Sysctls of a load-balancer sandbox: osl/namespace_linux.go ApplyOSTweaks (SandboxTypeIngress and
 * SandboxTypeLoadBalancer) and configureFWMark's vs/conntrack. All under net.ipv4.vs, which exists only
 * with ip_vs loaded: optional.
 */
export function loadBalancerSandboxSysctls(sb: LoadBalancerSandbox): MeshSysctl[] {
  const tweak = (name: string, value: string): MeshSysctl => ({
    key: ['net', 'ipv4', 'vs', name],
    value,
    reason: 'Docker: load-balancer sandbox tuning (osl/namespace_linux.go ApplyOSTweaks)',
    optional: true,
  });
  const out = [tweak('conn_reuse_mode', '0'), tweak('expire_nodest_conn', '1'), tweak('expire_quiescent_template', '1')];
  if (!sb.dsr && sb.services.some((s) => s.vip !== undefined)) {
    out.push({
      key: ['net', 'ipv4', 'vs', 'conntrack'],
      value: '1',
      reason: 'Docker: conntrack for IPVS-forwarded packets, needed by the SNAT rule (service_linux.go configureFWMark)',
      optional: true,
    });
  }
  return out;
}

// ----- a task container on the ingress network -------------------------------------------------------

export interface IngressTask {
  /** The task's address on the ingress network (a bare address; a prefix length is ignored). */
  readonly address: string;
  /** Its service's ingress ports, in the service's order. */
  readonly ports: readonly FirewallIngressPort[];
  readonly origin?: SourcePath;
}

/**
 * addRedirectRules, inside the task container's namespace (IPv4 only):
 *   per port:  nat    -A PREROUTING -d EIP -p P --dport PUB -j REDIRECT --to-port TARGET
 *              filter -I INPUT  -d EIP -p P --dport TARGET -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT
 *              filter -I OUTPUT -s EIP -p P --sport TARGET -m conntrack --ctstate ESTABLISHED -j ACCEPT
 *   then, when there is a port, for sctp, udp, tcp: -A INPUT -d EIP -p X -j DROP and -A OUTPUT -s EIP
 *   -p X -j DROP, each unless present.
 * Docker adds the nat and ACCEPT rules without `-C`; they cannot repeat, since a service publishes a
 * port once (a port listed twice is refused). iptables-save prints `--to-port` as `--to-ports`.
 */
export function addRedirectRules(rs: RulesetBuilder, task: IngressTask): void {
  if (rs.family !== 4) return;
  const ip = inetAddr(task.address.split('/')[0]!);
  if (familyOf(ip) !== 4) throw new Error(`ingress task address ${JSON.stringify(task.address)} is not IPv4`);
  const o = task.origin;
  const seen = new Set<string>();
  for (const port of task.ports) {
    const p = port.proto;
    if (seen.has(`${p}/${port.publishedPort}`)) throw new Error(`ingress task: port ${p}/${port.publishedPort} is listed twice`);
    seen.add(`${p}/${port.publishedPort}`);
    const po = port.origin ?? o;
    rs.append(
      makeRule(
        'nat',
        'PREROUTING',
        { destination: cidr(ip), protocol: proto(p), modules: [portMatch(p, '--dport', port.publishedPort)] },
        jump('REDIRECT', ['--to-ports', String(port.targetPort)]),
        po,
      ),
    );
    rs.insert(
      makeRule(
        'filter',
        'INPUT',
        { destination: cidr(ip), protocol: proto(p), modules: [portMatch(p, '--dport', port.targetPort), ctstate('NEW,ESTABLISHED')] },
        jump('ACCEPT'),
        po,
      ),
    );
    rs.insert(
      makeRule(
        'filter',
        'OUTPUT',
        { source: cidr(ip), protocol: proto(p), modules: [portMatch(p, '--sport', port.targetPort), ctstate('ESTABLISHED')] },
        jump('ACCEPT'),
        po,
      ),
    );
  }
  if (task.ports.length === 0) return;
  for (const p of ['sctp', 'udp', 'tcp'] as const) {
    rs.append(makeRule('filter', 'INPUT', { destination: cidr(ip), protocol: proto(p) }, jump('DROP'), o));
    rs.append(makeRule('filter', 'OUTPUT', { source: cidr(ip), protocol: proto(p) }, jump('DROP'), o));
  }
}

/** The rules addRedirectRules leaves in a task container (filter and nat); merge with the container's
 * other rules (embedded DNS) by calling addRedirectRules on a shared builder instead. */
export function ingressTaskRuleset(task: IngressTask): Ruleset {
  const rs = new RulesetBuilder(4);
  addRedirectRules(rs, task);
  return rs.build();
}
