// The nftables backend's replay: the nftabler calls dockerd makes for a FirewallInput, in order, as
// the data of one `docker-bridges` table per enabled family. Pure. The order of events is the iptables
// replay's (../iptables/replay.ts), as the bridge driver drives both firewallers the same way:
//   1. NewNftabler: the table of each family the daemon enables (`iptables` -> ip, `ip6tables` -> ip6);
//      there is no DOCKER-USER (firewall_linux.go setupUserChains: "no equivalent in the nftables
//      implementation") and no FORWARD policy (the nftabler is no filterForwardDropper);
//   2. each network's creation, in input order (network.go);
//   3. each endpoint, in input order: AddEndpoint (endpoint.go), its port bindings (port.go) in the
//      order the port mappers hand them over (port_mapping_linux.go), then the legacy links it is the
//      parent of (link.go), which dockerd only programs on icc=false networks.
import { inetAddr } from '../../net/index.ts';
import type { FirewallDaemon, FirewallEndpoint, FirewallInput, FirewallLink, FirewallNetwork } from '../input.ts';
import { firewallerBindings } from '../port-mapping.ts';
import type { FirewallRefusal } from '../backend.ts';
import type { IpFamily } from '../types.ts';
import { initTable } from './daemon-table.ts';
import { addEndpoint } from './endpoint-rules.ts';
import { addLink } from './link-rules.ts';
import { addNetwork } from './network-rules.ts';
import { addPorts } from './port-rules.ts';
import type { NftTable } from './types.ts';

/** The networks by name; a name listed twice is a caller bug. */
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

/** Links by the parent endpoint that programs them (the first endpoint with the parent's address on the network). */
function linksByParent(input: FirewallInput, networks: ReadonlyMap<string, FirewallNetwork>): { of: Map<FirewallEndpoint, FirewallLink[]>; unplaced: FirewallLink[] } {
  const of = new Map<FirewallEndpoint, FirewallLink[]>();
  const unplaced: FirewallLink[] = [];
  if (input.links.length === 0) return { of, unplaced };
  const byAddr4 = new Map<string, FirewallEndpoint>();
  for (const ep of input.endpoints) {
    if (ep.addr4 === undefined) continue;
    const k = `${ep.network}\u0000${inetAddr(ep.addr4)}`;
    if (!byAddr4.has(k)) byAddr4.set(k, ep);
  }
  for (const link of input.links) {
    // bridge_linux.go ProgramExternalConnectivity: `if !network.config.EnableICC { d.link(...) }`.
    if (lookup(networks, link.network, 'a link').icc && !input.firewallerOnly) continue;
    const parent = byAddr4.get(`${link.network}\u0000${inetAddr(link.parentIP)}`);
    if (!parent) unplaced.push(link);
    else of.set(parent, [...(of.get(parent) ?? []), link]);
  }
  return { of, unplaced };
}

/** Docker's `docker-bridges` table of one enabled family for `input`. */
export function replayFamily(
  input: FirewallInput,
  networks: ReadonlyMap<string, FirewallNetwork>,
  family: IpFamily,
  refusals: FirewallRefusal[],
): NftTable {
  const daemon: FirewallDaemon = input.daemon;
  const t = initTable(family, daemon);
  for (const net of input.networks) addNetwork(t, daemon, net);
  const links = linksByParent(input, networks);
  const link = (net: FirewallNetwork, l: FirewallLink): void => {
    if (!addLink(t, net, l)) {
      refusals.push({ ...(l.origin ? { origin: l.origin } : {}), message: `Docker 29's nftables backend refuses this link: its rules already exist for ${l.parentIP} -> ${l.childIP} (nftabler link.go), so the container would not start` });
    }
  };
  for (const ep of input.endpoints) {
    const net = lookup(networks, ep.network, `endpoint of ${JSON.stringify(ep.container)}`);
    addEndpoint(t, daemon, net, ep);
    const bindings = firewallerBindings(net, ep, daemon.hairpin, input.firewallerOnly ?? false);
    for (const b of bindings) refusals.push(...addPorts(t, daemon, net, [b]));
    for (const l of links.of.get(ep) ?? []) link(net, l);
  }
  for (const l of links.unplaced) link(lookup(networks, l.network, 'a link'), l);
  return t.build();
}
