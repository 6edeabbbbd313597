// What the host namespace gets: a bridge device per bridge network with its addresses and sysctls, the
// host-wide sysctls dockerd sets, the parent links of macvlan/ipvlan networks, and each bridge network as
// the firewall sees it.
import type { Addressing } from '../ipam/types.ts';
import { engineRelease } from '../model/engine.ts';
import type { BridgeNetwork, Model } from '../model/types.ts';
import type { FirewallNetwork } from '../firewall/input.ts';
import type { ChosenNames } from './chosen.ts';
import { derivedLegacyMac, derivedMac, dummyParentName } from './derived-names.ts';
import type { BridgeDevice, ParentLink, Sysctl } from './types.ts';
import { originOf } from './origin.ts';

/** Bridge MACs are random in every release, within 02:42 up to 27 (EngineRelease.macs). */
const bridgeMac = (m: Model, n: BridgeNetwork, names: ChosenNames): string =>
  names.bridgeMac(n, () => (engineRelease(m.engine).macs === 'random' ? derivedMac('bridge', n.name) : derivedLegacyMac('bridge', n.name)));

export function bridgeDevice(m: Model, n: BridgeNetwork, a: Addressing, userlandProxy: boolean, names: ChosenNames): BridgeDevice {
  const addr = a.networks.get(n.name) ?? {};
  const name = names.deviceName(n);
  const addresses: string[] = [];
  if (addr.v4?.gateway && !n.inhibitIPv4) addresses.push(`${addr.v4.gateway}/${addr.v4.prefixLength}`);
  if (addr.v6?.gateway) addresses.push(`${addr.v6.gateway}/${addr.v6.prefixLength}`);
  const sysctls: Sysctl[] = [
    // setupDefaultSysctl: the bridge must not pick up router advertisements.
    { key: ['net', 'ipv6', 'conf', name, 'accept_ra'], value: '0', reason: 'Docker: no router advertisements on the bridge (setupDefaultSysctl)', optional: true },
  ];
  if (n.enableIPv6) {
    sysctls.push(
      n.gatewayModeV6 === 'isolated'
        ? { key: ['net', 'ipv6', 'conf', name, 'disable_ipv6'], value: '1', reason: 'Docker: isolated gateway mode, no IPv6 address on the bridge' }
        : { key: ['net', 'ipv6', 'conf', name, 'disable_ipv6'], value: '0', reason: 'Docker: IPv6 enabled on the bridge (setupBridgeIPv6)' },
    );
  }
  if (!userlandProxy) {
    sysctls.push({ key: ['net', 'ipv4', 'conf', name, 'route_localnet'], value: '1', reason: 'Docker: userland-proxy off, DNAT from 127.0.0.1 to containers (setupLoopbackAddressing)' });
  }
  // setupBridgeIPv6 runs for every bridge with IPv6 enabled, internal or not (EngineRelease.bridgeLinkLocalAddress);
  // a gateway fe80::1/64 is then the same address, which programIPv6Address does not add twice.
  const withLinkLocal = n.enableIPv6 && engineRelease(m.engine).bridgeLinkLocalAddress && !addresses.includes(BRIDGE_LINK_LOCAL);
  const linkLocal = withLinkLocal ? { linkLocalAddress: BRIDGE_LINK_LOCAL } : {};
  return { network: n.name, name, mtu: n.mtu, mac: bridgeMac(m, n, names), addresses, ...linkLocal, sysctls, origin: originOf(m, n.path) };
}

/** setup_ipv6.go bridgeIPv6. */
const BRIDGE_LINK_LOCAL = 'fe80::1/64';

/**
 * Every address a bridge device gets, in the order dockerd adds them: IPv4 (setupBridgeIPv4), then
 * fe80::1/64 and the network's IPv6 address (setupBridgeIPv6, in that order up to 24).
 */
export function bridgeDeviceAddresses(b: BridgeDevice): string[] {
  const v4 = b.addresses.filter((a) => !a.includes(':'));
  const v6 = b.addresses.filter((a) => a.includes(':'));
  return [...v4, ...(b.linkLocalAddress ? [b.linkLocalAddress] : []), ...v6];
}

export function hostSysctls(m: Model, bridges: readonly BridgeNetwork[]): Sysctl[] {
  const out: Sysctl[] = [];
  const d = m.daemon;
  if (d.ipForward) {
    // The nftables backend is no filterForwardDropper: dockerd does not turn forwarding on, it refuses to
    // create a network while it is off (bridge_linux.go checkIPv4Forwarding / checkIPv6Forwarding), so
    // the host must have it on; setup.sh does that.
    const nft = d.firewallBackend === 'nftables';
    const v4 = nft ? 'Docker, nftables backend: forwarding must be on (checkIPv4Forwarding)' : 'Docker: ip-forward (setupIPv4Forwarding)';
    const v6 = nft ? 'Docker, nftables backend: forwarding must be on (checkIPv6Forwarding)' : 'Docker: ip-forward, IPv6 networks (setupIPv6Forwarding)';
    out.push({ key: ['net', 'ipv4', 'ip_forward'], value: '1', reason: v4 });
    if (bridges.some((n) => n.enableIPv6)) {
      out.push({ key: ['net', 'ipv6', 'conf', 'all', 'forwarding'], value: '1', reason: v6 }, { key: ['net', 'ipv6', 'conf', 'default', 'forwarding'], value: '1', reason: v6 });
    }
  }
  // br_netfilter, so that bridged traffic between containers of one bridge goes through iptables
  // (bridge_linux.go createNetwork; EngineRelease.brNetfilterWithoutProxy).
  if (bridges.some((n) => !n.icc) || (!d.userlandProxy && engineRelease(m.engine).brNetfilterWithoutProxy)) {
    if (d.iptables) out.push({ key: ['net', 'bridge', 'bridge-nf-call-iptables'], value: '1', reason: 'Docker: br_netfilter for ICC off / userland-proxy off', optional: true });
    if (d.ip6tables && bridges.some((n) => n.enableIPv6)) {
      out.push({ key: ['net', 'bridge', 'bridge-nf-call-ip6tables'], value: '1', reason: 'Docker: br_netfilter for ICC off / userland-proxy off', optional: true });
    }
  }
  return out;
}

export function firewallNetwork(m: Model, n: BridgeNetwork, a: Addressing, names: ChosenNames): FirewallNetwork {
  const addr = a.networks.get(n.name) ?? {};
  return {
    name: n.name,
    ifName: names.deviceName(n),
    internal: n.internal,
    icc: n.icc,
    masquerade: n.masquerade,
    trustedHostInterfaces: n.trustedHostInterfaces,
    ...(addr.v4 ? { v4: { prefix: addr.v4.subnet, gatewayMode: n.gatewayModeV4, ...(n.hostIPv4 ? { hostIP: n.hostIPv4 } : {}) } } : {}),
    ...(addr.v6 ? { v6: { prefix: addr.v6.subnet, gatewayMode: n.gatewayModeV6, ...(n.hostIPv6 ? { hostIP: n.hostIPv6 } : {}) } } : {}),
    origin: originOf(m, n.path),
  };
}

/** The links netform creates as macvlan/ipvlan parents: VLAN sub-interfaces and dummy links, once each. */
export function parentLinks(m: Model, names: ChosenNames): ParentLink[] {
  const out = new Map<string, ParentLink>();
  for (const n of m.networks) {
    if (n.driver !== 'macvlan' && n.driver !== 'ipvlan') continue;
    if (n.vlan && n.parent && !m.host.interfaces?.includes(n.parent)) {
      out.set(n.parent, { name: n.parent, kind: 'vlan', link: n.vlan.link, vlanId: n.vlan.id, network: n.name });
    } else if (!n.parent) {
      const name = dummyParentName(n.driver, names.networkId(n));
      out.set(name, { name, kind: 'dummy', network: n.name });
    }
  }
  return [...out.values()];
}
