// netform's own chain for the ports a swarm node must accept (hosts.<h>.open_swarm_ports: true). This is
// not a Docker rule: dockerd never opens them, Docker's documentation asks the administrator to
// ("Use overlay networks": 2377/tcp to managers, 7946/tcp+udp between nodes, 4789/udp or the
// --data-path-port, and IP protocol 50 (ESP) for encrypted overlays). The chain sits in filter and is
// appended to INPUT, after everything dockerd put there: an encrypted overlay's
// `-I INPUT -m policy --dir in --pol none -p udp --dport <port> -m bpf ... -j DROP` (overlay
// encryption.go) must stay above our ACCEPT of the data path port, or unencrypted VXLAN for an
// encrypted VNI would be let in.
//
//   -N NETFORM-SWARM
//   -A INPUT -j NETFORM-SWARM
//   -A NETFORM-SWARM -p tcp -m tcp --dport 2377 -j ACCEPT     (managers)
//   -A NETFORM-SWARM -p tcp -m tcp --dport 7946 -j ACCEPT
//   -A NETFORM-SWARM -p udp -m udp --dport 7946 -j ACCEPT
//   -A NETFORM-SWARM -p udp -m udp --dport 4789 -j ACCEPT     (the data path port)
//   -A NETFORM-SWARM -p esp -j ACCEPT                         (an encrypted overlay on the host)
//
// No RETURN at the end: a user chain falls through to its caller.
import type { FirewallSwarmPorts } from '../input.ts';
import { makeRule, type RulesetBuilder } from './ruleset-builder.ts';

export const NETFORM_SWARM = 'NETFORM-SWARM';

/** Swarm's fixed ports: cluster management (managers) and the networkdb/memberlist gossip. */
export const SWARM_MANAGEMENT_PORT = 2377;
export const SWARM_GOSSIP_PORT = 7946;

export function addSwarmPortRules(rs: RulesetBuilder, ports: FirewallSwarmPorts): void {
  if (rs.family !== ports.family) return;
  if (!Number.isInteger(ports.dataPathPort) || ports.dataPathPort < 1 || ports.dataPathPort > 65535) {
    throw new Error(`swarm ports: bad data path port ${ports.dataPathPort}`);
  }
  const o = ports.origin;
  const { jump, port: portMatch, proto, target } = rs.pieces;
  rs.newChain('filter', NETFORM_SWARM);
  rs.append(makeRule('filter', 'INPUT', {}, jump(NETFORM_SWARM), o));
  const accept = (p: 'tcp' | 'udp', port: number): void => {
    rs.append(makeRule('filter', NETFORM_SWARM, { protocol: proto(p), modules: [portMatch(p, 'dport', port)] }, target('accept'), o));
  };
  if (ports.manager) accept('tcp', SWARM_MANAGEMENT_PORT);
  accept('tcp', SWARM_GOSSIP_PORT);
  accept('udp', SWARM_GOSSIP_PORT);
  accept('udp', ports.dataPathPort);
  if (ports.esp) rs.append(makeRule('filter', NETFORM_SWARM, { protocol: proto('esp') }, target('accept'), o));
}
