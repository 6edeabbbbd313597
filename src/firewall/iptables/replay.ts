// The iptables backend's replay: the iptables calls dockerd makes for a FirewallInput, in order, as rule
// data for one address family. Pure: nothing here touches the kernel. The release replayed is
// `daemon.engine` (src/model/engine.ts: 29 by default, 28, 27 or 20.10); the steps are the same, their rules differ.
//
// Order of events, as in a daemon that starts and then has networks and containers created:
//   1. the bridge driver's init (iptabler.go NewIptabler -> setupIPChains), per enabled family;
//   2. the controller's DOCKER-USER chain (firewall_linux.go setupUserChain);
//   3. each network's creation, in input order (network.go), with the FORWARD DROP policy when the
//      network's forwarding setup asks for it (setup_ip_forwarding.go); up to Docker 27 the policy is set
//      at step 1 and the controller re-ensures DOCKER-USER after each network;
//   4. each endpoint, in input order: AddEndpoint (endpoint.go), then its port bindings (port.go) in
//      the order the port mappers hand them over (port_mapping_linux.go), then the legacy links it is
//      the parent of (bridge_linux.go link -> link.go), which dockerd only programs on icc=false networks.
//   5. swarm's routing mesh (`input.ingress`, IPv4), one service at a time, as each service's load
//      balancer appears in the ingress sandbox (ingress-host.ts: service_linux.go addIngressPorts);
//   6. netform's own NETFORM-SWARM chain (`input.swarmPorts`, swarm-port-rules.ts), last, as it is no
//      part of Docker's replay; it is written even when Docker's iptables option is off for the family.
import { inetAddr } from '../../net/index.ts';
import { engineLayout } from '../../model/engine.ts';
import type { FirewallEndpoint, FirewallInput, FirewallLink, FirewallNetwork } from '../input.ts';
import { firewallerBindings } from '../port-mapping.ts';
import type { IpFamily } from '../types.ts';
import { filterForwardDrop, setupIPChains, setupUserChain } from './daemon-chains.ts';
import { addEncryptionRules } from './encryption-rules.ts';
import { addEndpoint } from './endpoint-rules.ts';
import { addIngress } from './ingress-host.ts';
import { addLink } from './link-rules.ts';
import { addNetwork, familyConfig } from './network-rules.ts';
import type { RulePieces } from './pieces.ts';
import { addPort } from './port-rules.ts';
import { RulesetBuilder } from './ruleset-builder.ts';
import { addSwarmPortRules } from './swarm-port-rules.ts';
import type { Ruleset } from './types.ts';

export function indexNetworks(list: readonly FirewallNetwork[]): ReadonlyMap<string, FirewallNetwork> {
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

/** Docker's rules of one enabled family for `input`, replayed in the order dockerd programs them. */
export function replayFamily(input: FirewallInput, networks: ReadonlyMap<string, FirewallNetwork>, family: IpFamily, pieces: RulePieces): Ruleset {
  const { daemon } = input;
  const layout = engineLayout(daemon.engine);
  const rs = new RulesetBuilder(family, pieces);
  setupIPChains(rs, daemon);
  // Docker <= 27: setupIPForwarding, once at driver init, after the chains (v27.5.1 bridge_linux.go
  // configure): IPv4 DROP when the daemon had to enable forwarding, IPv6 DROP whenever ip-forward is on.
  if (layout.forwardDropAtInit && daemon.forwardDrop[family]) filterForwardDrop(rs);
  const userChain = daemon.userChain && setupUserChain(rs, daemon);

  for (const net of input.networks) {
    addNetwork(rs, daemon, net);
    // 28+: setupIPv4Forwarding / setupIPv6Forwarding run for a network with that family; the caller
    // says whether the daemon had to enable forwarding and ip-forward-no-drop is off.
    if (!layout.forwardDropAtInit && daemon.forwardDrop[family] && familyConfig(net, family)) filterForwardDrop(rs);
    // <= 27: Controller.NewNetwork ends with SetupUserChains, which puts DOCKER-USER back on top.
    if (userChain && layout.userChainAfterEachNetwork) setupUserChain(rs, daemon);
  }

  // Legacy links are programmed with the parent's endpoint (ProgramExternalConnectivity: ports, then
  // `if !network.config.EnableICC { d.link(...) }`); dockerd only programs them on icc=false networks.
  const linksOf = new Map<FirewallEndpoint, FirewallLink[]>();
  const unplaced: FirewallLink[] = [];
  // Endpoints by network and canonical IPv4 address, the first one winning; built only for links.
  const byAddr4 = new Map<string, FirewallEndpoint>();
  if (input.links.length > 0) {
    for (const ep of input.endpoints) {
      if (ep.addr4 === undefined) continue;
      const k = `${ep.network}\u0000${inetAddr(ep.addr4)}`;
      if (!byAddr4.has(k)) byAddr4.set(k, ep);
    }
  }
  for (const link of input.links) {
    const net = lookup(networks, link.network, 'a link');
    if (net.icc && !input.firewallerOnly) continue;
    const parent = byAddr4.get(`${link.network}\u0000${inetAddr(link.parentIP)}`);
    const list = parent && linksOf.get(parent);
    if (list) list.push(link);
    else if (parent) linksOf.set(parent, [link]);
    else unplaced.push(link);
  }

  for (const ep of input.endpoints) {
    const net = lookup(networks, ep.network, `endpoint of ${JSON.stringify(ep.container)}`);
    addEndpoint(rs, daemon, net, ep);
    for (const b of firewallerBindings(net, ep, daemon.hairpin, input.firewallerOnly ?? false, layout.portOrder)) {
      addPort(rs, daemon, net, b);
    }
    for (const link of linksOf.get(ep) ?? []) addLink(rs, net, link);
  }
  for (const link of unplaced) addLink(rs, lookup(networks, link.network, 'a link'), link);

  if (input.ingress) addIngress(rs, daemon, lookup(networks, input.ingress.gatewayNetwork, 'ingress'), input.ingress, userChain);
  if (input.swarmPorts) addSwarmPortRules(rs, input.swarmPorts);
  // The overlay driver programs these itself, whatever the daemon's iptables option (encryption.go).
  if (input.encryption?.family === family) addEncryptionRules(rs, input.encryption.vnis, input.encryption.dataPathPort);

  const built = rs.build();
  return layout.raw ? built : { ...built, raw: false };
}
