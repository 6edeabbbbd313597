// Semantic checks that need the whole model but no addresses: references between containers and
// networks, modes that exclude each other, MTUs, bridge names, port conflicts. Address checks live
// in the IPAM stage, which is where subnets become known.
import { parseFwMark } from './fwmark.ts';
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { is4In6, isUnspecified, parseAddr, parseCIDR, within } from '../net/index.ts';
import { interfaceNameProblem } from './names.ts';
import { DEFAULT_MTU } from './network-defaults.ts';
import { isDefaultBridge } from './network-types.ts';
import type { BridgeNetwork, Container, Model } from './types.ts';
import { isRefused, type Refused } from '../schema/prune.ts';

function checkMtu(mtu: number, path: readonly (string | number)[], out: Diagnostic[]): void {
  // dockerd rejects MTUs the kernel would refuse for an Ethernet device (68..65535).
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) out.push(error('MTU_RANGE', path, `MTU ${mtu} is outside 68..65535`));
}

/**
 * normalizeEndpointIPAMConfig (daemon/container_operations.go): a static IPv4 address is IPv4 or
 * IPv4-mapped (used unmapped), an IPv6 one is neither mapped nor zoned, and neither is unspecified.
 */
function endpointAddressProblems(v4: string | undefined, v6: string | undefined): { 4?: string; 6?: string } {
  const out: { 4?: string; 6?: string } = {};
  const a4 = v4 === undefined ? undefined : parseAddr(v4);
  if (v4 && (!a4 || (a4.family !== 4 && !is4In6(a4)))) out[4] = `"${v4}" is not an IPv4 address`;
  else if (a4 && isUnspecified(a4)) out[4] = `"${v4}" is the unspecified address (dockerd: invalid IPv4 address)`;
  const a6 = v6 === undefined ? undefined : parseAddr(v6);
  if (v6 && (!a6 || a6.family !== 6 || a6.zone !== '')) out[6] = `"${v6}" is not an IPv6 address`;
  else if (a6 && is4In6(a6)) out[6] = `"${v6}" is an IPv4-mapped address (dockerd: invalid IPv6 address); use ipv4_address`;
  else if (a6 && isUnspecified(a6)) out[6] = `"${v6}" is the unspecified address (dockerd: invalid IPv6 address)`;
  return out;
}

/**
 * default-address-pools: each pool's size lies between its base's prefix length and the address length.
 * dockerd refuses to start with a smaller size (27+: defaultipam splitByIPFamily "has a smaller prefix
 * (/16) than the target size of that pool (/8)"; 20.10: ipamutils splitNetworks "invalid pools size").
 * A size beyond the address length makes no subnet at all (29: netip.PrefixFrom gives an invalid prefix;
 * 20.10 tries to list 2^(size - length) subnets).
 */
function checkPools(m: Model, out: Diagnostic[]): void {
  const d = m.daemon;
  const at = d.paths['default-address-pools'];
  if (!at || !d.defaultAddressPools) return;
  const f = d.file ? { file: d.file } : {};
  d.defaultAddressPools.forEach((pool, i) => {
    const base = parseCIDR(pool.base);
    if (!base) return;
    const bits = base.family === 4 ? 32 : 128;
    if (pool.size > bits) {
      out.push(error('BAD_PREFIX', [...at, i, 'size'], `size ${pool.size} is longer than an IPv${base.family} address (${bits} bits): the pool ${pool.base} has no subnet of that size`, f));
    } else if (pool.size < base.length) {
      out.push(error('BAD_PREFIX', [...at, i, 'size'], `dockerd refuses to start: network at index ${i} (${pool.base}) has a smaller prefix (/${base.length}) than the target size of that pool (/${pool.size})`, f));
    }
  });
}

function checkDaemon(m: Model, out: Diagnostic[]): void {
  const d = m.daemon;
  const f = d.file ? { file: d.file } : {};
  if (d.paths['mtu']) checkMtu(d.mtu, d.paths['mtu'], out);
  checkPools(m, out);
  if (d.bip && d.fixedCidr) {
    // Both are read with net.ParseCIDR (daemon_unix.go getDefaultBridgeIPAMConf).
    const bip = parseCIDR(d.bip);
    const fixed = parseCIDR(d.fixedCidr);
    if (bip && fixed && !within(fixed, bip)) {
      out.push(error('FIXED_CIDR_OUTSIDE_BIP', d.paths['fixed-cidr']!, `fixed-cidr ${d.fixedCidr} is not inside the bip subnet ${d.bip}`, f));
    }
  }
  if (!d.ipv6) {
    // dockerd only reads these when ipv6 is on (daemon_unix.go initBridgeDriver); it says nothing.
    for (const key of ['bip6', 'fixed-cidr-v6', 'default-gateway-v6']) {
      if (d.paths[key]) out.push(warning('IGNORED', d.paths[key]!, `"${key}" has no effect without "ipv6": true (dockerd ignores it)`, { atKey: true, ...f }));
    }
  }
  if (d.disableBridge) {
    for (const key of ['bip', 'fixed-cidr', 'default-gateway', 'icc', 'ip-masq']) {
      if (d.paths[key]) out.push(warning('IGNORED', d.paths[key]!, `"${key}" configures the default bridge, which "bridge": "none" disables`, { atKey: true, ...f }));
    }
  }
  // daemon/daemon_unix.go verifyDaemonSettings, in every release from 20.10 to 29.
  if (!d.iptables && !d.icc) {
    out.push(error('BAD_OPTION', d.paths['icc'] ?? ['daemon'], 'dockerd: "You specified --iptables=false with --icc=false. ICC=false uses iptables to function. Please set --icc or --iptables to true"', f));
  }
  // daemon/config/config_linux.go IsSwarmCompatible (Docker 29): "Swarm has not yet been updated to use
  // nftables. But, if "iptables" is disabled, it doesn't add rules anyway." (The daemon feature
  // swarm-nftables lifts the check; netform does not model daemon features.)
  if (m.swarm && d.firewallBackend === 'nftables' && d.iptables) {
    out.push(
      error(
        'UNSUPPORTED',
        d.paths['firewall-backend'] ?? ['daemon'],
        'dockerd: "--firewall-backend=nftables is incompatible with swarm mode" (this file declares an overlay network); set "iptables": false, or use the iptables backend',
        f,
      ),
    );
  }
  if (d.bridgeAcceptFwmark !== undefined) {
    if (!parseFwMark(d.bridgeAcceptFwmark)) {
      out.push(error('BAD_OPTION', d.paths['bridge-accept-fwmark']!, `invalid bridge-accept-fwmark "${d.bridgeAcceptFwmark}": expected MARK or MARK/MASK, 32-bit numbers`, f));
    }
  }
}

function checkNetworks(m: Model, out: Diagnostic[]): void {
  const byBridge = new Map<string, BridgeNetwork>();
  for (const n of m.networks) {
    if (!isDefaultBridge(n) && n.mtu !== DEFAULT_MTU) checkMtu(n.mtu, [...n.path, 'driver_opts', 'com.docker.network.driver.mtu'], out);
    if (n.driver === 'bridge' && n.bridgeName) {
      const other = byBridge.get(n.bridgeName);
      if (other) {
        out.push(error('BAD_INTERFACE_NAME', [...n.path, 'driver_opts', 'com.docker.network.bridge.name'], `bridge name "${n.bridgeName}" is already used by network "${other.name}" (dockerd: networks have same bridge name)`));
      } else byBridge.set(n.bridgeName, n);
    }
  }
}

function resolveContainerMode(c: Container, byName: Map<string, Container>, refused: Refused, out: Diagnostic[]): void {
  if (c.mode.kind !== 'container') return;
  const seen = new Set([c.name]);
  let target = byName.get(c.mode.container);
  if (!target && isRefused(refused.containers, c.mode.container)) return;
  if (!target) {
    out.push(error('UNKNOWN_CONTAINER', [...c.path, 'network_mode'], `network_mode refers to container "${c.mode.container}", which is not declared`));
    return;
  }
  while (target && target.mode.kind === 'container') {
    if (seen.has(target.name)) {
      out.push(error('UNKNOWN_CONTAINER', [...c.path, 'network_mode'], `network_mode container:${c.mode.container} forms a cycle`));
      return;
    }
    seen.add(target.name);
    target = byName.get(target.mode.container);
  }
}

function checkContainers(m: Model, refused: Refused, out: Diagnostic[]): void {
  const networks = new Map(m.networks.map((n) => [n.name, n]));
  const byName = new Map(m.containers.map((c) => [c.name, c]));
  for (const c of m.containers) {
    resolveContainerMode(c, byName, refused, out);
    for (const e of c.endpoints) {
      if (!networks.has(e.network) && isRefused(refused.networks, e.network)) continue;
      if (e.network === 'host' || e.network === 'none') {
        out.push(error('NETWORK_MODE_CONFLICT', e.path, `"${e.network}" is a network mode, not a network to join: write network_mode: ${e.network}`));
      } else if (!networks.has(e.network)) {
        const why = e.network === 'bridge' ? ' (the default bridge is disabled by "bridge": "none")' : '';
        out.push(error('UNKNOWN_NETWORK', e.path, `network "${e.network}" is not declared under networks${why}`, { atKey: !!c.endpoints.length && typeof e.path[e.path.length - 1] === 'string' }));
      } else {
        const n = networks.get(e.network)!;
        if (e.aliases.length > 0 && isDefaultBridge(n)) {
          // Docker: "network-scoped alias is supported only for containers in user defined networks".
          out.push(error('BAD_NAME', [...e.path, 'aliases'], 'network-scoped aliases are supported only on user-defined networks, not on the default bridge'));
        }
        if (e.interfaceName === undefined) {
          const problem = interfaceNameProblem(`${n.containerIfacePrefix}${c.endpoints.length - 1}`);
          if (problem) out.push(error('BAD_INTERFACE_NAME', e.path, problem));
        }
        const addressProblem = endpointAddressProblems(e.ipv4Address, e.ipv6Address);
        if (addressProblem[4]) out.push(error('BAD_ADDRESS', [...e.path, 'ipv4_address'], addressProblem[4]));
        if (addressProblem[6]) out.push(error('BAD_ADDRESS', [...e.path, 'ipv6_address'], addressProblem[6]));
        if (e.ipv6Address && !n.enableIPv6) out.push(error('IPV6_DISABLED', [...e.path, 'ipv6_address'], `network "${n.name}" does not have IPv6 enabled`));
        if (e.ipv4Address && !n.enableIPv4) out.push(error('BAD_ADDRESS', [...e.path, 'ipv4_address'], `network "${n.name}" does not have IPv4 enabled`));
        if ((e.ipv4Address || e.ipv6Address) && isDefaultBridge(n)) {
          // Docker: "user specified IP address is supported on user defined networks only".
          out.push(error('BAD_ADDRESS', [...e.path, e.ipv4Address ? 'ipv4_address' : 'ipv6_address'], 'user specified IP address is supported on user defined networks only'));
        }
      }
    }
    // Legacy links exist on the default bridge only (Docker 29 makes them DNS aliases elsewhere, which
    // netform does not model): both ends must be on it.
    for (const l of c.links) {
      const target = byName.get(l.container);
      if (!target && isRefused(refused.containers, l.container)) continue;
      if (!target) {
        out.push(error('UNKNOWN_CONTAINER', l.path, `link to container "${l.container}", which is not declared`));
        continue;
      }
      const onDefault = (x: Container) => x.mode.kind === 'networks' && x.endpoints.some((e) => e.network === 'bridge');
      if (!onDefault(c) || !onDefault(target)) {
        out.push(error('LINK_NOT_DEFAULT_BRIDGE', l.path, `legacy links work only between containers on the default bridge; "${onDefault(c) ? l.container : c.name}" is not on it (use a user-defined network and its names instead)`));
      }
    }
  }
}

export function checkModel(m: Model, refused: Refused): Diagnostic[] {
  const out: Diagnostic[] = [];
  checkDaemon(m, out);
  checkNetworks(m, out);
  checkContainers(m, refused, out);
  return out;
}
