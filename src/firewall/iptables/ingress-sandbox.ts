// Swarm's routing mesh inside namespaces (daemon/libnetwork/service_linux.go, Docker 29; the same from 27
// on, and in 20.10 through the `fwmarker` and `redirector` re-exec helpers): the fwmark and SNAT rules of
// the ingress sandbox (and any load-balancer sandbox), the REDIRECT/ACCEPT/DROP rules inside a task
// container, and the fwmark numbering.
//   sandbox  addLBBackend -> configureFWMark
//   task     populateLoadBalancers -> addRedirectRules
import { familyOf, inetAddr, inetCidr } from '../../net/index.ts';
import type { FirewallIngressPort } from '../input.ts';
import type { RuleTarget, SourcePath } from '../types.ts';
import type { MeshSysctl } from './ingress-host.ts';
import { makeRule, RulesetBuilder } from './ruleset-builder.ts';
import type { Ruleset } from './types.ts';

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
  const { cidr, port: portMatch, proto } = rs.pieces;
  for (const s of sb.services) {
    if (s.vip === undefined) continue;
    const mark: RuleTarget = { kind: 'set-mark', mark: s.fwMark, mask: 0xffffffff };
    for (const port of s.ports) {
      rs.append(
        makeRule('mangle', 'PREROUTING', { protocol: proto(port.proto), modules: [portMatch(port.proto, 'dport', port.publishedPort)] }, mark, port.origin ?? s.origin),
      );
    }
    if (!sb.dsr) {
      rs.append(
        makeRule(
          'nat',
          'POSTROUTING',
          { destination: cidr(subnet), modules: [{ kind: 'ipvs' }] },
          { kind: 'snat', toSource: eIP },
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
  const { cidr, ctstate, port: portMatch, proto, target } = rs.pieces;
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
        { destination: cidr(ip), protocol: proto(p), modules: [portMatch(p, 'dport', port.publishedPort)] },
        { kind: 'redirect', toPort: port.targetPort },
        po,
      ),
    );
    rs.insert(
      makeRule(
        'filter',
        'INPUT',
        { destination: cidr(ip), protocol: proto(p), modules: [portMatch(p, 'dport', port.targetPort), ctstate('NEW', 'ESTABLISHED')] },
        target('accept'),
        po,
      ),
    );
    rs.insert(
      makeRule(
        'filter',
        'OUTPUT',
        { source: cidr(ip), protocol: proto(p), modules: [portMatch(p, 'sport', port.targetPort), ctstate('ESTABLISHED')] },
        target('accept'),
        po,
      ),
    );
  }
  if (task.ports.length === 0) return;
  for (const p of ['sctp', 'udp', 'tcp'] as const) {
    rs.append(makeRule('filter', 'INPUT', { destination: cidr(ip), protocol: proto(p) }, target('drop'), o));
    rs.append(makeRule('filter', 'OUTPUT', { source: cidr(ip), protocol: proto(p) }, target('drop'), o));
  }
}

/** The rules addRedirectRules leaves in a task container (filter and nat); merge with the container's
 * other rules (embedded DNS) by calling addRedirectRules on a shared builder instead. */
export function ingressTaskRuleset(task: IngressTask): Ruleset {
  const rs = new RulesetBuilder(4);
  addRedirectRules(rs, task);
  return rs.build();
}
