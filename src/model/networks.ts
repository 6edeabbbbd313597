// Bridge networks: the default bridge built from daemon.json as dockerd does (daemon_unix.go
// initBridgeDriver, getDefaultBridgeIPAMConf), and user networks from compose-style declarations with
// their com.docker.network.* driver options parsed as the bridge driver does (bridge_linux.go fromLabels).
import { error, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import { addrString, masked, parseCIDR, prefixAddr, prefixString, type Prefix } from '../net/index.ts';
import { interfaceNameProblem } from './names.ts';
import { driverNetwork } from './driver-networks.ts';
import { checkFamilies, DriverOptions, ipamEntries, labels, onHosts } from './network-config.ts';
import { newNetwork } from './network-defaults.ts';
import type { BridgeNetwork, DaemonSettings, GatewayMode, IpamConfigEntry, Network } from './types.ts';

type Raw = Record<string, unknown>;

export const DEFAULT_BRIDGE = 'bridge';
/** Networks every daemon has; they cannot be declared again (docker network create says "already exists"). */
export const PREDEFINED_NETWORKS = new Set(['bridge', 'host', 'none']);

const GATEWAY_MODES: readonly GatewayMode[] = ['nat', 'nat-unprotected', 'routed', 'isolated'];

/** Bridge driver options netform understands (docker-engine.md, "Per-network option labels"). */
const KNOWN_OPTIONS = new Set([
  'com.docker.network.bridge.name',
  'com.docker.network.bridge.enable_icc',
  'com.docker.network.bridge.enable_ip_masquerade',
  'com.docker.network.bridge.gateway_mode_ipv4',
  'com.docker.network.bridge.gateway_mode_ipv6',
  'com.docker.network.bridge.inhibit_ipv4',
  'com.docker.network.bridge.host_binding_ipv4',
  'com.docker.network.bridge.default_bridge',
  'com.docker.network.bridge.trusted_host_interfaces',
  'com.docker.network.host_ipv4',
  'com.docker.network.host_ipv6',
  'com.docker.network.driver.mtu',
  'com.docker.network.enable_ipv4',
  'com.docker.network.enable_ipv6',
  'com.docker.network.internal',
  'com.docker.network.container_iface_prefix',
]);

/** IPNet.String of a net.ParseCIDR result: the network, masked. */
const network = (p: Prefix): string => prefixString(masked(p));

/**
 * One family of the default bridge's IPAM config: bip sets the subnet and the gateway; fixed-cidr the
 * allocation sub-pool (and the subnet when there is no bip); default-gateway becomes the aux address
 * containers route through. dockerd reads bip and fixed-cidr with net.ParseCIDR; bip's network is the
 * subnet (PreferredPool), its address the gateway (bIP.String()).
 */
function defaultBridgeIpam(bip: string | undefined, fixedCidr: string | undefined, aux: IpamConfigEntry['auxAddresses'], path: YamlPath): IpamConfigEntry {
  const bipPrefix = bip ? parseCIDR(bip) : undefined;
  const fixed = fixedCidr ? parseCIDR(fixedCidr) : undefined;
  return {
    ...(bipPrefix ? { subnet: network(bipPrefix), gateway: addrString(prefixAddr(bipPrefix)) } : fixed ? { subnet: network(fixed) } : {}),
    ...(fixed ? { ipRange: network(fixed) } : {}),
    auxAddresses: aux,
    path,
  };
}

export function defaultBridge(d: DaemonSettings): BridgeNetwork {
  const aux4 = d.defaultGateway ? [{ name: 'DefaultGatewayIPv4', address: d.defaultGateway }] : [];
  const aux6 = d.defaultGatewayV6 ? [{ name: 'DefaultGatewayIPv6', address: d.defaultGatewayV6 }] : [];
  const path4 = d.paths['bip'] ?? d.paths['fixed-cidr'] ?? d.paths['default-gateway'] ?? ['daemon'];
  const path6 = d.paths['bip6'] ?? d.paths['fixed-cidr-v6'] ?? d.paths['default-gateway-v6'] ?? d.paths['ipv6'] ?? ['daemon'];
  return newNetwork('bridge', DEFAULT_BRIDGE, ['daemon'], {
    isDefault: true,
    bridgeName: 'docker0',
    enableIPv6: d.ipv6,
    icc: d.icc,
    masquerade: d.ipMasq,
    hostBindingIPv4: d.ip,
    mtu: d.mtu,
    ipamV4: [defaultBridgeIpam(d.bip, d.fixedCidr, aux4, path4)],
    ipamV6: d.ipv6 ? [defaultBridgeIpam(d.bip6, d.fixedCidrV6, aux6, path6)] : [],
  });
}

/** A network of the file, of any driver. */
export function userNetwork(name: string, raw: Raw, daemon: DaemonSettings): { network?: Network; diagnostics: Diagnostic[] } {
  const driver = (raw['driver'] as string | undefined) ?? 'bridge';
  if (driver === 'overlay' || driver === 'macvlan' || driver === 'ipvlan') return driverNetwork(name, driver, raw);
  if (driver !== 'bridge') {
    // dockerd: "only one instance of "host" network is allowed" (and likewise for null/none).
    return { diagnostics: [error('UNSUPPORTED', ['networks', name, 'driver'], `only one instance of the "${driver}" network is allowed, and every daemon already has it; use network_mode: ${driver} on the container instead`)] };
  }
  return userBridge(name, raw, daemon);
}

/** The interface names a bridge's options give: the bridge's own, trusted host interfaces, the container prefix. */
function interfaceNames(o: DriverOptions): { bridgeName?: string; trusted: string[]; prefix: string } {
  const checkName = (key: string, name: string) => {
    const problem = interfaceNameProblem(name);
    if (problem) o.diagnostics.push(error('BAD_INTERFACE_NAME', o.where(key), problem));
  };
  const bridgeName = o.values['com.docker.network.bridge.name'];
  if (bridgeName !== undefined) checkName('com.docker.network.bridge.name', bridgeName);
  const trusted = (o.values['com.docker.network.bridge.trusted_host_interfaces'] ?? '').split(':').filter((s) => s !== '');
  for (const t of trusted) checkName('com.docker.network.bridge.trusted_host_interfaces', t);
  const prefix = o.values['com.docker.network.container_iface_prefix'] ?? 'eth';
  if (o.values['com.docker.network.container_iface_prefix'] !== undefined) checkName('com.docker.network.container_iface_prefix', `${prefix}0`);
  return { ...(bridgeName !== undefined ? { bridgeName } : {}), trusted, prefix };
}

/** Address families, ipam config and gateway modes, checked against each other. */
function bridgeAddressing(path: YamlPath, raw: Raw, o: DriverOptions) {
  // Compose fields win over the equivalent driver options, which also work (docker network create -o).
  const field = (name: string, key: string, dflt: boolean) => (typeof raw[name] === 'boolean' ? (raw[name] as boolean) : o.bool(key, dflt));
  const internal = field('internal', 'com.docker.network.internal', false);
  const enableIPv6 = field('enable_ipv6', 'com.docker.network.enable_ipv6', false);
  const enableIPv4 = field('enable_ipv4', 'com.docker.network.enable_ipv4', true);
  const ipam = ipamEntries(raw['ipam'] as Raw | undefined, path);
  o.diagnostics.push(...ipam.diagnostics);
  const gatewayModeV4 = o.choice('com.docker.network.bridge.gateway_mode_ipv4', GATEWAY_MODES, 'nat', 'gateway mode');
  const gatewayModeV6 = o.choice('com.docker.network.bridge.gateway_mode_ipv6', GATEWAY_MODES, 'nat', 'gateway mode');
  if ((gatewayModeV4 === 'isolated' || gatewayModeV6 === 'isolated') && !internal) {
    const k = gatewayModeV4 === 'isolated' ? 'com.docker.network.bridge.gateway_mode_ipv4' : 'com.docker.network.bridge.gateway_mode_ipv6';
    o.diagnostics.push(error('BAD_OPTION', o.where(k), "gateway mode 'isolated' can only be used for an internal network"));
  }
  o.diagnostics.push(...checkFamilies(path, enableIPv4, enableIPv6, ipam.v6));
  if (!enableIPv4 && ipam.v4.length > 0) {
    o.diagnostics.push(error('BAD_OPTION', ipam.v4[0]!.path, 'an IPv4 subnet needs IPv4 enabled on the network (enable_ipv4 is false)'));
  }
  return { internal, enableIPv4, enableIPv6, ipamV4: ipam.v4, ipamV6: ipam.v6, gatewayModeV4, gatewayModeV6 };
}

function userBridge(name: string, raw: Raw, daemon: DaemonSettings): { network: BridgeNetwork; diagnostics: Diagnostic[] } {
  const path: YamlPath = ['networks', name];
  const diagnostics: Diagnostic[] = [];
  // default-network-opts fill in what the network does not set (daemon/network.go createNetwork).
  const defaults = { values: daemon.defaultBridgeNetworkOpts, path: [...(daemon.paths['default-network-opts'] ?? ['daemon']), 'bridge'] };
  const o = new DriverOptions(path, raw, diagnostics, defaults);
  o.warnUnknown(KNOWN_OPTIONS, (k) => `driver option "${k}" is not a bridge driver option netform knows; it is ignored`);
  const { bridgeName, trusted, prefix } = interfaceNames(o);
  const mtu = o.mtu();
  if (o.values['com.docker.network.bridge.default_bridge'] !== undefined && o.bool('com.docker.network.bridge.default_bridge', false)) {
    diagnostics.push(error('BAD_OPTION', o.where('com.docker.network.bridge.default_bridge'), 'only the daemon creates the default bridge; set the daemon block instead'));
  }
  const addressing = bridgeAddressing(path, raw, o);
  const hostIPv4 = o.address('com.docker.network.host_ipv4');
  const hostIPv6 = o.address('com.docker.network.host_ipv6');
  const network = newNetwork('bridge', name, path, {
    ...onHosts(raw),
    ...(bridgeName !== undefined ? { bridgeName } : {}),
    ...addressing,
    icc: o.bool('com.docker.network.bridge.enable_icc', true),
    masquerade: o.bool('com.docker.network.bridge.enable_ip_masquerade', true),
    // The daemon's `ip` is for the default bridge only (config_unix.go: "Host IP for port publishing from the default bridge network").
    hostBindingIPv4: o.address('com.docker.network.bridge.host_binding_ipv4') ?? '0.0.0.0',
    ...(hostIPv4 ? { hostIPv4 } : {}),
    ...(hostIPv6 ? { hostIPv6 } : {}),
    mtu,
    inhibitIPv4: o.bool('com.docker.network.bridge.inhibit_ipv4', false),
    trustedHostInterfaces: trusted,
    containerIfacePrefix: prefix,
    labels: labels(raw),
    optionPaths: o.paths(),
  });
  return { network, diagnostics };
}
