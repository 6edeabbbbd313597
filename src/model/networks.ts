// Bridge networks: the default bridge built from daemon.json as dockerd does (daemon_unix.go
// initBridgeDriver, getDefaultBridgeIPAMConf), and user networks from compose-style declarations with
// their com.docker.network.* driver options parsed as the bridge driver does (bridge_linux.go fromLabels).
import { error, warning, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import type { GatewayMode } from './types.ts';
import { addrString, masked, parseCIDR, parseIP, prefixAddr, prefixString, type Prefix } from '../net/index.ts';
import { parseGoBool } from './go-bool.ts';
import { interfaceNameProblem } from './names.ts';
import type { BridgeNetwork, DaemonSettings, IpamConfigEntry } from './types.ts';
import { driverNetwork } from './driver-networks.ts';
import { ipamEntries, onHosts } from './network-config.ts';

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

/** bip / bip6 (net.ParseCIDR): the network is the subnet (PreferredPool), the address the gateway (bIP.String()). */
const bipSubnet = (p: Prefix): { subnet: string; gateway: string } => ({ subnet: network(p), gateway: addrString(prefixAddr(p)) });

export function defaultBridge(d: DaemonSettings): BridgeNetwork {
  const v4: IpamConfigEntry[] = [];
  // bip sets the subnet and the gateway; fixed-cidr the allocation sub-pool (and the subnet when
  // there is no bip); default-gateway becomes the aux address containers route through.
  const aux4 = d.defaultGateway ? [{ name: 'DefaultGatewayIPv4', address: d.defaultGateway }] : [];
  const bip = d.bip ? parseCIDR(d.bip) : undefined;
  const fixed = d.fixedCidr ? parseCIDR(d.fixedCidr) : undefined;
  v4.push({
    ...(bip ? bipSubnet(bip) : fixed ? { subnet: network(fixed) } : {}),
    ...(fixed ? { ipRange: network(fixed) } : {}),
    auxAddresses: aux4,
    path: d.paths['bip'] ?? d.paths['fixed-cidr'] ?? d.paths['default-gateway'] ?? ['daemon'],
  });
  const v6: IpamConfigEntry[] = [];
  if (d.ipv6) {
    const bip6 = d.bip6 ? parseCIDR(d.bip6) : undefined;
    const fixed6 = d.fixedCidrV6 ? parseCIDR(d.fixedCidrV6) : undefined;
    v6.push({
      ...(bip6 ? bipSubnet(bip6) : fixed6 ? { subnet: network(fixed6) } : {}),
      ...(fixed6 ? { ipRange: network(fixed6) } : {}),
      auxAddresses: d.defaultGatewayV6 ? [{ name: 'DefaultGatewayIPv6', address: d.defaultGatewayV6 }] : [],
      path: d.paths['bip6'] ?? d.paths['fixed-cidr-v6'] ?? d.paths['default-gateway-v6'] ?? d.paths['ipv6'] ?? ['daemon'],
    });
  }
  return {
    name: DEFAULT_BRIDGE,
    path: ['daemon'],
    driver: 'bridge',
    isDefault: true,
    bridgeName: 'docker0',
    internal: false,
    enableIPv4: true,
    enableIPv6: d.ipv6,
    icc: d.icc,
    masquerade: d.ipMasq,
    gatewayModeV4: 'nat',
    gatewayModeV6: 'nat',
    hostBindingIPv4: d.ip,
    mtu: d.mtu,
    inhibitIPv4: false,
    trustedHostInterfaces: [],
    containerIfacePrefix: 'eth',
    ipamV4: v4,
    ipamV6: v6,
    labels: {},
    optionPaths: {},
  };
}

export function userNetwork(name: string, raw: Raw, daemon: DaemonSettings): { network?: BridgeNetwork; diagnostics: Diagnostic[] } {
  const path: YamlPath = ['networks', name];
  const diagnostics: Diagnostic[] = [];
  const driver = (raw['driver'] as string | undefined) ?? 'bridge';
  if (driver === 'overlay' || driver === 'macvlan' || driver === 'ipvlan') return driverNetwork(name, driver, raw);
  if (driver !== 'bridge') {
    // dockerd: "only one instance of "host" network is allowed" (and likewise for null/none).
    diagnostics.push(error('UNSUPPORTED', [...path, 'driver'], `only one instance of the "${driver}" network is allowed, and every daemon already has it; use network_mode: ${driver} on the container instead`));
    return { diagnostics };
  }
  // default-network-opts fill in what the network does not set (daemon/network.go createNetwork).
  const opts: Record<string, string> = { ...daemon.defaultBridgeNetworkOpts };
  const rawOpts = (raw['driver_opts'] ?? {}) as Raw;
  for (const [k, v] of Object.entries(rawOpts)) {
    opts[k] = String(v);
    if (!KNOWN_OPTIONS.has(k)) {
      diagnostics.push(warning('IGNORED', [...path, 'driver_opts', k], `driver option "${k}" is not a bridge driver option netform knows; it is ignored`, { atKey: true }));
    }
  }
  const optPath = (k: string): YamlPath =>
    k in rawOpts ? [...path, 'driver_opts', k] : [...(daemon.paths['default-network-opts'] ?? ['daemon']), 'bridge', k];
  const boolOpt = (k: string, dflt: boolean): boolean => {
    if (opts[k] === undefined) return dflt;
    const b = parseGoBool(opts[k]!);
    if (b === undefined) {
      diagnostics.push(error('BAD_OPTION', optPath(k), `"${opts[k]}" is not a boolean; expected true or false (or 1/0, t/f)`));
      return dflt;
    }
    return b;
  };
  const gwMode = (k: string): GatewayMode => {
    const v = opts[k];
    if (v === undefined || v === '') return 'nat';
    if (!GATEWAY_MODES.includes(v as GatewayMode)) {
      diagnostics.push(error('BAD_OPTION', optPath(k), `unknown gateway mode "${v}"; expected one of ${GATEWAY_MODES.join(', ')}`));
      return 'nat';
    }
    return v as GatewayMode;
  };
  // The bridge driver reads these options with net.ParseIP (bridge_linux.go networkConfiguration.fromLabels).
  const ipOpt = (k: string): string | undefined => {
    if (opts[k] === undefined) return undefined;
    const a = parseIP(opts[k]!);
    if (!a) diagnostics.push(error('BAD_ADDRESS', optPath(k), `"${opts[k]}" is not an IP address`));
    return a && addrString(a);
  };

  const bridgeName = opts['com.docker.network.bridge.name'];
  if (bridgeName !== undefined) {
    const problem = interfaceNameProblem(bridgeName);
    if (problem) diagnostics.push(error('BAD_INTERFACE_NAME', optPath('com.docker.network.bridge.name'), problem));
  }
  let mtu = 1500;
  if (opts['com.docker.network.driver.mtu'] !== undefined) {
    const t = opts['com.docker.network.driver.mtu']!;
    if (!/^\d+$/.test(t)) diagnostics.push(error('BAD_OPTION', optPath('com.docker.network.driver.mtu'), `"${t}" is not an integer MTU`));
    else mtu = Number(t);
  }
  const trusted = (opts['com.docker.network.bridge.trusted_host_interfaces'] ?? '').split(':').filter((s) => s !== '');
  for (const t of trusted) {
    const problem = interfaceNameProblem(t);
    if (problem) diagnostics.push(error('BAD_INTERFACE_NAME', optPath('com.docker.network.bridge.trusted_host_interfaces'), problem));
  }
  const prefix = opts['com.docker.network.container_iface_prefix'] ?? 'eth';
  if (opts['com.docker.network.container_iface_prefix'] !== undefined) {
    const problem = interfaceNameProblem(`${prefix}0`);
    if (problem) diagnostics.push(error('BAD_INTERFACE_NAME', optPath('com.docker.network.container_iface_prefix'), problem));
  }
  if (opts['com.docker.network.bridge.default_bridge'] !== undefined && boolOpt('com.docker.network.bridge.default_bridge', false)) {
    diagnostics.push(error('BAD_OPTION', optPath('com.docker.network.bridge.default_bridge'), 'only the daemon creates the default bridge; set the daemon block instead'));
  }

  // Compose fields win over the equivalent driver options, which also work (docker network create -o).
  const internal = typeof raw['internal'] === 'boolean' ? (raw['internal'] as boolean) : boolOpt('com.docker.network.internal', false);
  const enableIPv6 = typeof raw['enable_ipv6'] === 'boolean' ? (raw['enable_ipv6'] as boolean) : boolOpt('com.docker.network.enable_ipv6', false);
  const enableIPv4 = typeof raw['enable_ipv4'] === 'boolean' ? (raw['enable_ipv4'] as boolean) : boolOpt('com.docker.network.enable_ipv4', true);
  const ipam = ipamEntries(raw['ipam'] as Raw | undefined, path);
  diagnostics.push(...ipam.diagnostics);
  const gatewayModeV4 = gwMode('com.docker.network.bridge.gateway_mode_ipv4');
  const gatewayModeV6 = gwMode('com.docker.network.bridge.gateway_mode_ipv6');
  if ((gatewayModeV4 === 'isolated' || gatewayModeV6 === 'isolated') && !internal) {
    const k = gatewayModeV4 === 'isolated' ? 'com.docker.network.bridge.gateway_mode_ipv4' : 'com.docker.network.bridge.gateway_mode_ipv6';
    diagnostics.push(error('BAD_OPTION', optPath(k), "gateway mode 'isolated' can only be used for an internal network"));
  }
  if (!enableIPv4 && !enableIPv6) {
    diagnostics.push(error('BAD_OPTION', [...path, 'enable_ipv4'], 'a network needs IPv4 or IPv6 enabled'));
  }
  if (!enableIPv6 && ipam.v6.length > 0) {
    diagnostics.push(error('IPV6_DISABLED', ipam.v6[0]!.path, 'an IPv6 subnet needs enable_ipv6: true on the network'));
  }
  if (!enableIPv4 && ipam.v4.length > 0) {
    diagnostics.push(error('BAD_OPTION', ipam.v4[0]!.path, 'an IPv4 subnet needs IPv4 enabled on the network (enable_ipv4 is false)'));
  }
  const labels: Record<string, string> = {};
  if (Array.isArray(raw['labels'])) for (const l of raw['labels'] as string[]) labels[l.split('=')[0]!] = l.split('=').slice(1).join('=');
  else if (raw['labels'] && typeof raw['labels'] === 'object') for (const [k, v] of Object.entries(raw['labels'] as Raw)) labels[k] = String(v);

  const hostIPv4 = ipOpt('com.docker.network.host_ipv4');
  const hostIPv6 = ipOpt('com.docker.network.host_ipv6');
  const network: BridgeNetwork = {
    name,
    path,
    driver: 'bridge',
    ...onHosts(raw),
    isDefault: false,
    ...(bridgeName !== undefined ? { bridgeName } : {}),
    internal,
    enableIPv4,
    enableIPv6,
    icc: boolOpt('com.docker.network.bridge.enable_icc', true),
    masquerade: boolOpt('com.docker.network.bridge.enable_ip_masquerade', true),
    gatewayModeV4,
    gatewayModeV6,
    // The daemon's `ip` is for the default bridge only (config_unix.go: "Host IP for port publishing from the default bridge network").
    hostBindingIPv4: ipOpt('com.docker.network.bridge.host_binding_ipv4') ?? '0.0.0.0',
    ...(hostIPv4 ? { hostIPv4 } : {}),
    ...(hostIPv6 ? { hostIPv6 } : {}),
    mtu,
    inhibitIPv4: boolOpt('com.docker.network.bridge.inhibit_ipv4', false),
    trustedHostInterfaces: trusted,
    containerIfacePrefix: prefix,
    ipamV4: ipam.v4,
    ipamV6: ipam.v6,
    labels,
    optionPaths: Object.fromEntries(Object.keys(opts).map((k) => [k, optPath(k)])),
  };
  return { network, diagnostics };
}
