// Legacy `--link` rules (daemon/libnetwork/drivers/bridge/internal/iptabler/link.go AddLink and
// daemon/libnetwork/iptables/iptables.go ChainInfo.Link, Docker 29): per exposed port of the child,
// an ACCEPT from parent to child and one for the replies, appended to filter DOCKER.
// ChainInfo.Link is built without an IP version, so it always goes to iptables (IPv4). Every release
// reproduced does the same (v28.5.2 iptabler/link.go; v27.5.1 drivers/bridge/link.go and
// v20.10.24 vendor/.../drivers/bridge/link.go -> ChainInfo.Link with iptables.Append).
import { familyOf } from '../../net/index.ts';
import type { FirewallLink, FirewallNetwork } from '../input.ts';
import { DOCKER } from './daemon-chains.ts';
import { makeRule, type RulesetBuilder } from './ruleset-builder.ts';

export function addLink(rs: RulesetBuilder, net: FirewallNetwork, link: FirewallLink): void {
  if (rs.family !== 4) return;
  // The bridge driver passes the endpoints' IPv4 addresses (endpoint.addr); anything else is a caller bug.
  if (familyOf(link.parentIP) !== 4 || familyOf(link.childIP) !== 4) {
    throw new Error(`legacy links are IPv4 only: ${link.parentIP} -> ${link.childIP}`);
  }
  const br = net.ifName;
  const o = link.origin;
  const { cidr, iface, port, proto, target } = rs.pieces;
  for (const p of link.ports) {
    // ProgramRule(Append): check, then -A.
    rs.append(
      makeRule(
        'filter',
        DOCKER,
        {
          source: cidr(link.parentIP),
          destination: cidr(link.childIP),
          inInterface: iface(br),
          outInterface: iface(br),
          protocol: proto(p.proto),
          modules: [port(p.proto, 'dport', p.port)],
        },
        target('accept'),
        o,
      ),
    );
    rs.append(
      makeRule(
        'filter',
        DOCKER,
        {
          source: cidr(link.childIP),
          destination: cidr(link.parentIP),
          inInterface: iface(br),
          outInterface: iface(br),
          protocol: proto(p.proto),
          modules: [port(p.proto, 'sport', p.port)],
        },
        target('accept'),
        o,
      ),
    );
  }
}
