// The `daemon:` block: daemon.json keys with dockerd's defaults (daemon/command/config_unix.go and
// daemon/config, Docker 29). Keys dockerd knows but that have nothing to do with networking are
// accepted and reported as ignored.
import { error, warning, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import { engineRelease, LATEST_ENGINE, type Engine } from './engine.ts';
import { DEFAULT_MTU } from './network-defaults.ts';
import { daemonRecordProblems } from './record-words.ts';
import type { DaemonSettings } from './types.ts';

/** Daemon keys netform models. Anything else the schema let through is a real dockerd key netform ignores. */
const NETWORK_KEYS = new Set([
  'bip', 'bip6', 'fixed-cidr', 'fixed-cidr-v6', 'mtu', 'default-gateway', 'default-gateway-v6', 'dns', 'dns-opts',
  'dns-search', 'default-address-pools', 'icc', 'ip-masq', 'ip-forward', 'ip-forward-no-drop', 'iptables', 'ip6tables',
  'ipv6', 'userland-proxy', 'ip', 'allow-direct-routing', 'bridge', 'firewall-backend', 'bridge-accept-fwmark',
  'experimental', 'default-network-opts', 'host-gateway-ip', 'host-gateway-ips',
]);

type Raw = Record<string, unknown>;

export function buildDaemon(
  raw: Raw | undefined,
  base: YamlPath,
  file: string | undefined,
  engine: Engine = LATEST_ENGINE,
): { daemon: DaemonSettings; diagnostics: Diagnostic[] } {
  const r: Raw = raw ?? {};
  const diagnostics: Diagnostic[] = [];
  const paths: Record<string, YamlPath> = {};
  for (const key of Object.keys(r)) {
    paths[key] = [...base, key];
    if (!NETWORK_KEYS.has(key)) {
      diagnostics.push(warning('IGNORED', [...base, key], `daemon.json key "${key}" does not affect networking; netform ignores it`, { atKey: true, ...(file ? { file } : {}) }));
    }
  }
  diagnostics.push(...daemonRecordProblems(r, base, file));
  const bool = (key: string, dflt: boolean): boolean => (typeof r[key] === 'boolean' ? (r[key] as boolean) : dflt);
  const str = (key: string): string | undefined => (typeof r[key] === 'string' && r[key] !== '' ? (r[key] as string) : undefined);
  const list = (key: string): string[] | undefined => (Array.isArray(r[key]) ? (r[key] as unknown[]).map(String) : undefined);

  const bridge = str('bridge');
  if (bridge !== undefined && bridge !== 'none') {
    diagnostics.push(
      error('UNSUPPORTED', [...base, 'bridge'], `a user-managed default bridge ("bridge": "${bridge}") needs the addresses already on that bridge, which netform cannot read; use "none" and a user-defined network instead`, file ? { file } : {}),
    );
  }
  const pools = Array.isArray(r['default-address-pools'])
    ? (r['default-address-pools'] as { base: string; size: number }[]).map((p) => ({ base: String(p.base), size: Number(p.size) }))
    : undefined;
  const daemon: DaemonSettings = {
    ...(str('bip') ? { bip: str('bip')! } : {}),
    ...(str('bip6') ? { bip6: str('bip6')! } : {}),
    ...(str('fixed-cidr') ? { fixedCidr: str('fixed-cidr')! } : {}),
    ...(str('fixed-cidr-v6') ? { fixedCidrV6: str('fixed-cidr-v6')! } : {}),
    mtu: typeof r['mtu'] === 'number' ? (r['mtu'] as number) : DEFAULT_MTU,
    ...(str('default-gateway') ? { defaultGateway: str('default-gateway')! } : {}),
    ...(str('default-gateway-v6') ? { defaultGatewayV6: str('default-gateway-v6')! } : {}),
    ...(list('dns') ? { dns: list('dns')! } : {}),
    ...(list('dns-opts') ? { dnsOptions: list('dns-opts')! } : {}),
    ...(list('dns-search') ? { dnsSearch: list('dns-search')! } : {}),
    ...(pools && pools.length > 0 ? { defaultAddressPools: pools } : {}),
    icc: bool('icc', true),
    ipMasq: bool('ip-masq', true),
    ipForward: bool('ip-forward', true),
    ipForwardNoDrop: bool('ip-forward-no-drop', false),
    iptables: bool('iptables', true),
    ip6tables: bool('ip6tables', engineRelease(engine).ip6tablesDefault),
    experimental: bool('experimental', false),
    ipv6: bool('ipv6', false),
    userlandProxy: bool('userland-proxy', true),
    ip: str('ip') ?? '0.0.0.0',
    allowDirectRouting: bool('allow-direct-routing', false),
    disableBridge: bridge === 'none',
    firewallBackend: str('firewall-backend') === 'nftables' ? 'nftables' : 'iptables',
    ...(str('bridge-accept-fwmark') ? { bridgeAcceptFwmark: str('bridge-accept-fwmark')! } : {}),
    defaultBridgeNetworkOpts: Object.fromEntries(
      Object.entries(((r['default-network-opts'] as Raw | undefined)?.['bridge'] ?? {}) as Raw).map(([k, v]) => [k, String(v)]),
    ),
    // host-gateway-ip is the deprecated single-address form; dockerd migrates it to host-gateway-ips.
    ...(list('host-gateway-ips') ? { hostGatewayIPs: list('host-gateway-ips')! } : str('host-gateway-ip') ? { hostGatewayIPs: [str('host-gateway-ip')!] } : {}),
    paths,
    ...(file ? { file } : {}),
  };
  return { daemon, diagnostics };
}
