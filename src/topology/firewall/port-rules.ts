// Per-port rules for published ports (daemon/libnetwork/drivers/bridge/internal/iptabler/port.go
// setPerPortIptables, Docker 29): raw drop of remote access to loopback-bound ports, DNAT, hairpin
// MASQUERADE and the filter ACCEPT.
import { DOCKER } from './daemon-chains.ts';
import { canonicalIp, familyOf, isLoopback, isUnspecified } from './ip.ts';
import { familyConfig } from './network-rules.ts';
import type { FirewallerPortBinding } from './port-mapping.ts';
import { cidr, iface, joinHostPort, jump, NOT, portMatch, proto } from './rule-parts.ts';
import { makeRule, type RulesetBuilder } from './ruleset-builder.ts';
import type { FirewallDaemon, FirewallNetwork } from './types.ts';

/** Programs one binding into `rs` when the binding's container address is of that family. */
export function addPort(rs: RulesetBuilder, daemon: FirewallDaemon, net: FirewallNetwork, b: FirewallerPortBinding): void {
  // The family is the container address's (b.IP.To4() in moby).
  if (familyOf(b.containerIP) !== rs.family) return;
  if (net.internal) return;
  const conf = familyConfig(net, rs.family);
  const o = b.origin;
  const hostFamily = familyOf(b.hostIP);

  // filterPortMappedOnLoopback: IPv4 only (the IPv6 loopback is not routable), and only with a host port.
  if (b.hostPort !== 0 && hostFamily === 4 && isLoopback(b.hostIP)) {
    rs.append(
      makeRule(
        'raw',
        'PREROUTING',
        {
          destination: cidr(b.hostIP),
          inInterface: iface('lo', NOT),
          protocol: proto(b.proto),
          modules: [portMatch(b.proto, '--dport', b.hostPort)],
        },
        jump('DROP'),
        o,
      ),
    );
  }

  // Container IPv4 behind a host IPv6 address: docker-proxy alone handles it.
  if (hostFamily !== rs.family) return;

  // setPerPortNAT: nothing when NAT is disabled (host port 0, the routed mapper).
  if (b.hostPort !== 0) {
    // "0/0" for an unspecified host address: no -d match at all.
    const dnat = makeRule(
      'nat',
      DOCKER,
      {
        ...(rs.family === 6 ? { source: cidr('fe80::/10', NOT) } : {}),
        ...(isUnspecified(b.hostIP) ? {} : { destination: cidr(b.hostIP) }),
        // With the userland proxy on, packets from the bridge itself are left to docker-proxy.
        ...(daemon.hairpin ? {} : { inInterface: iface(net.ifName, NOT) }),
        protocol: proto(b.proto),
        modules: [portMatch(b.proto, '--dport', b.hostPort)],
      },
      jump('DNAT', ['--to-destination', joinHostPort(b.containerIP, b.containerPort)]),
      o,
    );
    rs.append(dnat);
    if (daemon.hairpin) {
      // A container reaching its own published port through the host: masquerade it.
      const ip = canonicalIp(b.containerIP);
      rs.append(
        makeRule(
          'nat',
          'POSTROUTING',
          {
            source: cidr(ip),
            destination: cidr(ip),
            protocol: proto(b.proto),
            modules: [portMatch(b.proto, '--dport', b.containerPort)],
          },
          jump('MASQUERADE'),
          o,
        ),
      );
    }
  }

  // setPerPortForwarding: inserted at the head of DOCKER, above every network's default DROP.
  if (conf?.gatewayMode !== 'nat-unprotected') {
    rs.insert(
      makeRule(
        'filter',
        DOCKER,
        {
          destination: cidr(b.containerIP),
          inInterface: iface(net.ifName, NOT),
          outInterface: iface(net.ifName),
          protocol: proto(b.proto),
          modules: [portMatch(b.proto, '--dport', b.containerPort)],
        },
        jump('ACCEPT'),
        o,
      ),
    );
  }
}
