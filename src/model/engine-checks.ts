// The top-level `engine:` key: which Docker Engine release netform reproduces, and what the model does
// differently for it: defaults that changed between releases, and settings a release does not have.
// Every gate below cites the moby tag where the setting appears (or is absent).
import { error, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import { atLeast, ENGINES, type Engine } from './engine.ts';
import type { Model } from './types.ts';

/** Newest first; also the order the error message lists them in. */
const LISTED = ENGINES.map((e) => `"${e}"`).join(', ');

/**
 * `engine:` as written. Strings must be one of ENGINES (the schema says so first). A YAML number is
 * accepted when it is a whole release number (27, 28, 29 cannot be misread); `20.10` unquoted is the
 * float 20.1 in YAML, and netform says so instead of guessing that 20.1 meant "20.10".
 */
export function parseEngine(value: unknown, path: YamlPath = ['engine']): { engine: Engine; diagnostics: Diagnostic[] } {
  if (value === undefined || value === null) return { engine: '29', diagnostics: [] };
  if (typeof value === 'string' && (ENGINES as readonly string[]).includes(value)) return { engine: value as Engine, diagnostics: [] };
  if (typeof value === 'number') {
    if (Number.isInteger(value) && (ENGINES as readonly string[]).includes(String(value))) return { engine: String(value) as Engine, diagnostics: [] };
    if (value === 20.1) {
      return {
        engine: '29',
        diagnostics: [error('BAD_OPTION', path, 'YAML reads 20.10 without quotes as the number 20.1; write "20.10" in quotes')],
      };
    }
    return { engine: '29', diagnostics: [error('UNSUPPORTED', path, `${value} is not a supported engine; expected one of ${LISTED}`)] };
  }
  return { engine: '29', diagnostics: [error('UNSUPPORTED', path, `${JSON.stringify(value)} is not a supported engine; expected one of ${LISTED}`)] };
}

/** daemon.json keys by the release that introduced them (cmd/dockerd/config*.go at each tag). */
const DAEMON_KEYS_SINCE: readonly (readonly [string, Engine, string])[] = [
  ['firewall-backend', '29', 'the firewall-backend option'],
  ['bridge-accept-fwmark', '29', 'the bridge-accept-fwmark option'],
  ['allow-direct-routing', '28', 'the allow-direct-routing option'],
  ['ip-forward-no-drop', '28', 'the ip-forward-no-drop option'],
  ['bip6', '28', 'the bip6 option'],
  ['host-gateway-ips', '28', 'host-gateway-ips (use host-gateway-ip)'],
  ['default-network-opts', '27', 'default-network-opts'],
];

/**
 * v28.2.0 to v28.5.2 libnetwork/firewall_linux.go selectFirewallBackend: "Only try to use nftables if
 * explicitly enabled by env-var" (an experimental backend with no daemon.json key).
 */
const NFTABLES_IN_28 =
  'Docker 28.2 to 28.5 had an experimental nftables backend, chosen only by the environment variable DOCKER_FIREWALL_BACKEND=nftables, which netform does not reproduce; use engine "29"';

/** Bridge driver options by the release that reads them (drivers/bridge labels.go, netlabel/labels.go). */
const NETWORK_OPTIONS_SINCE: readonly (readonly [string, Engine])[] = [
  ['com.docker.network.bridge.gateway_mode_ipv4', '27'],
  ['com.docker.network.bridge.gateway_mode_ipv6', '27'],
  ['com.docker.network.host_ipv6', '27'],
  ['com.docker.network.bridge.trusted_host_interfaces', '28'],
  ['com.docker.network.enable_ipv4', '28'],
];

/**
 * What the chosen release cannot do with this model. dockerd <= 27 rejects unknown daemon.json keys at
 * start; a bridge option an old release does not read would be ignored by it, which would make the
 * output mean something else than the file says, so netform refuses it too.
 */
export function checkEngine(m: Model): Diagnostic[] {
  const out: Diagnostic[] = [];
  const e = m.engine;
  const d = m.daemon;
  const f = d.file ? { file: d.file } : {};
  const name = `Docker ${e}`;
  for (const [key, since, what] of DAEMON_KEYS_SINCE) {
    if (d.paths[key] && !atLeast(e, since)) {
      const note = key === 'firewall-backend' && e === '28' ? `; ${NFTABLES_IN_28}` : '';
      out.push(error('UNSUPPORTED', d.paths[key]!, `${what} does not exist in ${name} (added in ${since}); dockerd would refuse to start${note}`, { atKey: true, ...f }));
    }
  }
  // v20.10.24 daemon/daemon_unix.go verifyDaemonSettings.
  if (e === '20.10' && d.ip6tables && !d.experimental) {
    out.push(error('UNSUPPORTED', d.paths['ip6tables'] ?? ['daemon'], 'Docker 20.10: "ip6tables rules are only available if experimental features are enabled"; set "experimental": true', f));
  }
  for (const n of m.networks) {
    if (n.isDefault) continue;
    for (const [opt, since] of NETWORK_OPTIONS_SINCE) {
      if (n.optionPaths[opt] && !atLeast(e, since)) {
        out.push(error('UNSUPPORTED', n.optionPaths[opt]!, `${name} has no ${opt} (added in ${since})`));
      }
    }
    // v27.5.1 bridge_linux.go newGwMode knows nat and routed; nat-unprotected and isolated came with 28.0.
    for (const [mode, key] of [[n.gatewayModeV4, 'com.docker.network.bridge.gateway_mode_ipv4'], [n.gatewayModeV6, 'com.docker.network.bridge.gateway_mode_ipv6']] as const) {
      if ((mode === 'nat-unprotected' || mode === 'isolated') && e === '27') {
        out.push(error('UNSUPPORTED', n.optionPaths[key] ?? n.path, `Docker 27 has no gateway mode ${mode} (added in 28.0); it knows nat and routed`));
      }
    }
    if (!n.enableIPv4 && !atLeast(e, '28') && !n.optionPaths['com.docker.network.enable_ipv4']) {
      out.push(error('UNSUPPORTED', [...n.path, 'enable_ipv4'], `${name} gives every bridge network IPv4 (enable_ipv4 was added in 28.0), so IPv6-only endpoints do not exist there`));
    }
    // v20.10.24 setup_ip_tables.go passes the one config.HostIP (host_ipv4) to setupIPTablesInternal for
    // both families: ip6tables is asked to SNAT to an IPv4 address, and network creation fails.
    if (e === '20.10' && n.hostIPv4 && n.enableIPv6) {
      out.push(error('UNSUPPORTED', n.optionPaths['com.docker.network.host_ipv4'] ?? n.path, 'Docker 20.10 would also SNAT the network\'s IPv6 traffic to this IPv4 address, which ip6tables refuses; it cannot create such a network'));
    }
    // No IPv6 pool before 27.0 (v27.5.1 daemon/daemon.go deriveULABaseNetwork adds the ULA pool).
    if (e === '20.10' && n.enableIPv6 && !n.ipamV6.some((c) => c.subnet)) {
      out.push(error('UNSUPPORTED', [...n.path, 'enable_ipv6'], 'Docker 20.10 has no default IPv6 address pool: give the network an IPv6 subnet under ipam.config'));
    }
  }
  // v20.10.24 / v27.5.1 daemon/daemon_unix.go initBridgeDriver.
  const def = m.networks.find((n) => n.isDefault);
  if (!atLeast(e, '28') && def?.enableIPv6 && !d.fixedCidrV6) {
    out.push(error('UNSUPPORTED', d.paths['ipv6'] ?? ['daemon'], `${name}: "IPv6 is enabled for the default bridge, but no subnet is configured. Specify an IPv6 subnet using --fixed-cidr-v6"`, f));
  }
  for (const c of m.containers) {
    for (const ep of c.endpoints) {
      if (!atLeast(e, '28') && ep.interfaceName !== undefined) {
        out.push(error('UNSUPPORTED', ep.path, `${name} cannot name a container's interface (interface_name / com.docker.network.endpoint.ifname arrived in 28.0)`));
      }
      if (!atLeast(e, '28') && ep.gwPriority !== 0) {
        out.push(error('UNSUPPORTED', ep.path, `${name} has no gw_priority (added in 28.0)`));
      }
    }
  }
  return out;
}
