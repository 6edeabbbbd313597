// buildFirewall: replays, in order, the iptables calls dockerd 29 makes for a FirewallInput and
// returns the resulting rules of each family as data. Pure: nothing here touches the kernel.
//
// Order of events, as in a daemon that starts and then has networks and containers created:
//   1. the bridge driver's init (iptabler.go NewIptabler -> setupIPChains), per enabled family;
//   2. the controller's DOCKER-USER chain (firewall_linux.go setupUserChain);
//   3. each network's creation, in input order (network.go), with the FORWARD DROP policy when the
//      network's forwarding setup asks for it (setup_ip_forwarding.go);
//   4. each endpoint, in input order: AddEndpoint (endpoint.go), then its port bindings (port.go) in
//      the order the port mappers hand them over (port_mapping_linux.go);
//   5. legacy links (bridge_linux.go link -> link.go), which dockerd only programs on icc=false networks.
import { filterForwardDrop, setupIPChains, setupUserChain } from './daemon-chains.ts';
import { addEndpoint } from './endpoint-rules.ts';
import { addLink } from './link-rules.ts';
import { addNetwork, familyConfig } from './network-rules.ts';
import { firewallerBindings } from './port-mapping.ts';
import { addPort } from './port-rules.ts';
import { RulesetBuilder } from './ruleset-builder.ts';
import type { FirewallInput, FirewallNetwork, IpFamily, Ruleset } from './types.ts';

export interface FirewallRulesets {
  readonly v4: Ruleset;
  readonly v6: Ruleset;
}

export function buildFirewall(input: FirewallInput): FirewallRulesets {
  const networks = indexNetworks(input.networks);
  return { v4: buildFamily(input, networks, 4), v6: buildFamily(input, networks, 6) };
}

function indexNetworks(list: readonly FirewallNetwork[]): ReadonlyMap<string, FirewallNetwork> {
  const map = new Map<string, FirewallNetwork>();
  for (const n of list) {
    if (map.has(n.name)) throw new Error(`buildFirewall: network ${JSON.stringify(n.name)} is listed twice`);
    map.set(n.name, n);
  }
  return map;
}

function lookup(networks: ReadonlyMap<string, FirewallNetwork>, name: string, what: string): FirewallNetwork {
  const n = networks.get(name);
  if (!n) throw new Error(`buildFirewall: ${what} refers to unknown network ${JSON.stringify(name)}`);
  return n;
}

function buildFamily(input: FirewallInput, networks: ReadonlyMap<string, FirewallNetwork>, family: IpFamily): Ruleset {
  const { daemon } = input;
  // iptables=false / ip6tables=false: the firewaller is built with that family disabled and the
  // controller creates no DOCKER-USER for it. Docker writes nothing to that family's tables.
  if (!(family === 4 ? daemon.iptables : daemon.ip6tables)) return { family, tables: [] };

  const rs = new RulesetBuilder(family);
  setupIPChains(rs, daemon);
  if (daemon.userChain) setupUserChain(rs, daemon);

  for (const net of input.networks) {
    addNetwork(rs, daemon, net);
    // setupIPv4Forwarding / setupIPv6Forwarding run for a network with that family; the caller says
    // whether the daemon had to enable forwarding and ip-forward-no-drop is off.
    if (daemon.forwardDrop[family] && familyConfig(net, family)) filterForwardDrop(rs);
  }

  for (const ep of input.endpoints) {
    const net = lookup(networks, ep.network, `endpoint of ${JSON.stringify(ep.container)}`);
    addEndpoint(rs, daemon, net, ep);
    for (const b of firewallerBindings(net, ep, daemon.hairpin, input.firewallerOnly ?? false)) {
      addPort(rs, daemon, net, b);
    }
  }

  for (const link of input.links) {
    const net = lookup(networks, link.network, 'a link');
    // bridge_linux.go Join: `if !network.config.EnableICC { return d.link(...) }`.
    if (net.icc && !input.firewallerOnly) continue;
    addLink(rs, net, link);
  }

  return rs.build();
}
