// The top-level `engine:` key: which Docker Engine release netform reproduces, and the settings of the
// model that release does not have (its facts are in engine.ts, each with the moby code it follows).
import { error, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import { atLeast, DAEMON_KEYS_SINCE, engineRelease, ENGINES, LATEST_ENGINE, NETWORK_OPTIONS_SINCE, type Engine } from './engine.ts';
import { isDefaultBridge } from './network-types.ts';
import { masked, parseAddr, parsePrefix } from '../net/index.ts';
import type { Model, Network } from './types.ts';

/** Newest first; also the order the error message lists them in. */
const LISTED = ENGINES.map((e) => `"${e}"`).join(', ');

/**
 * `engine:` as written. Strings must be one of ENGINES (the schema says so first). A YAML number is
 * accepted when it is a whole release number (27, 28, 29 cannot be misread); `20.10` unquoted is the
 * float 20.1 in YAML, and netform says so instead of guessing that 20.1 meant "20.10".
 */
export function parseEngine(value: unknown, path: YamlPath = ['engine']): { engine: Engine; diagnostics: Diagnostic[] } {
  const refuse = (message: string, code: 'BAD_OPTION' | 'UNSUPPORTED' = 'UNSUPPORTED') => ({ engine: LATEST_ENGINE, diagnostics: [error(code, path, message)] });
  if (value === undefined || value === null) return { engine: LATEST_ENGINE, diagnostics: [] };
  if (typeof value === 'string' && (ENGINES as readonly string[]).includes(value)) return { engine: value as Engine, diagnostics: [] };
  if (typeof value === 'number') {
    if (Number.isInteger(value) && (ENGINES as readonly string[]).includes(String(value))) return { engine: String(value) as Engine, diagnostics: [] };
    if (value === 20.1) return refuse('YAML reads 20.10 without quotes as the number 20.1; write "20.10" in quotes', 'BAD_OPTION');
    return refuse(`${value} is not a supported engine; expected one of ${LISTED}`);
  }
  return refuse(`${JSON.stringify(value)} is not a supported engine; expected one of ${LISTED}`);
}

const NFTABLES_BY_ENVIRONMENT =
  'Docker 28.2 to 28.5 had an experimental nftables backend, chosen only by the environment variable DOCKER_FIREWALL_BACKEND=nftables, which netform does not reproduce; use engine "29"';

function checkDaemonKeys(m: Model, out: Diagnostic[]): void {
  const e = m.engine;
  const d = m.daemon;
  const f = d.file ? { file: d.file } : {};
  for (const [key, since, what] of DAEMON_KEYS_SINCE) {
    if (d.paths[key] && !atLeast(e, since)) {
      const note = key === 'firewall-backend' && engineRelease(e).nftablesBackend === 'environment-variable' ? `; ${NFTABLES_BY_ENVIRONMENT}` : '';
      out.push(error('UNSUPPORTED', d.paths[key]!, `${what} does not exist in Docker ${e} (added in ${since}); dockerd would refuse to start${note}`, { atKey: true, ...f }));
    }
  }
  if (engineRelease(e).ip6tablesNeedsExperimental && d.ip6tables && !d.experimental) {
    out.push(error('UNSUPPORTED', d.paths['ip6tables'] ?? ['daemon'], `Docker ${e}: "ip6tables rules are only available if experimental features are enabled"; set "experimental": true`, f));
  }
}

function checkDefaultBridge(m: Model, out: Diagnostic[]): void {
  const d = m.daemon;
  const def = m.networks.find(isDefaultBridge);
  if (engineRelease(m.engine).defaultBridgeIPv6NeedsFixedCidr && def?.enableIPv6 && !d.fixedCidrV6) {
    const f = d.file ? { file: d.file } : {};
    out.push(error('UNSUPPORTED', d.paths['ipv6'] ?? ['daemon'], `Docker ${m.engine}: "IPv6 is enabled for the default bridge, but no subnet is configured. Specify an IPv6 subnet using --fixed-cidr-v6"`, f));
  }
}

function checkNetwork(e: Engine, n: Network, out: Diagnostic[]): void {
  const name = `Docker ${e}`;
  const release = engineRelease(e);
  const missing = (opt: string) => NETWORK_OPTIONS_SINCE.find(([o, since]) => o === opt && !atLeast(e, since));
  for (const [opt, since] of NETWORK_OPTIONS_SINCE) {
    if (n.optionPaths[opt] && missing(opt)) out.push(error('UNSUPPORTED', n.optionPaths[opt]!, `${name} has no ${opt} (added in ${since})`));
  }
  if (n.driver === 'bridge') {
    for (const [mode, key] of [[n.gatewayModeV4, 'com.docker.network.bridge.gateway_mode_ipv4'], [n.gatewayModeV6, 'com.docker.network.bridge.gateway_mode_ipv6']] as const) {
      if (!missing(key) && !release.gatewayModes.includes(mode)) {
        out.push(error('UNSUPPORTED', n.optionPaths[key] ?? n.path, `${name} has no gateway mode ${mode} (added in 28.0); it knows ${release.gatewayModes.join(' and ')}`));
      }
    }
    if (release.hostIPv4SnatsIPv6 && n.hostIPv4 && n.enableIPv6) {
      out.push(error('UNSUPPORTED', n.optionPaths['com.docker.network.host_ipv4'] ?? n.path, `${name} would also SNAT the network's IPv6 traffic to this IPv4 address, which ip6tables refuses; it cannot create such a network`));
    }
  }
  if (!n.enableIPv4 && !release.ipv4Optional && !n.optionPaths['com.docker.network.enable_ipv4']) {
    out.push(error('UNSUPPORTED', [...n.path, 'enable_ipv4'], `${name} gives every bridge network IPv4 (enable_ipv4 was added in 28.0), so IPv6-only endpoints do not exist there`));
  }
  if (!release.defaultIPv6Pool && n.enableIPv6 && !n.ipamV6.some((c) => c.subnet)) {
    out.push(error('UNSUPPORTED', [...n.path, 'enable_ipv6'], `${name} has no default IPv6 address pool: give the network an IPv6 subnet under ipam.config`));
  }
}

/** fe80::1, the address setup_ipv6.go's bridgeIPv6 gives the bridge. */
const LINK_LOCAL_ONE = (0xfe80n << 112n) | 1n;

/**
 * Where the release gives an IPv6 bridge fe80::1/64 (EngineRelease.bridgeLinkLocalAddress), a network
 * whose IPv6 gateway is fe80::1 with another prefix length cannot be made: setupBridgeIPv6 adds
 * fe80::1/64, then the gateway, which programIPv6Address does not find (findIPv6Address compares
 * address and length) and the kernel refuses as a second fe80::1 (EEXIST). With /64 it is skipped.
 */
function checkLinkLocalGateway(m: Model, n: Network, out: Diagnostic[]): void {
  const e = m.engine;
  const c = n.ipamV6[0];
  const p = c?.subnet ? parsePrefix(c.subnet) : undefined;
  if (!engineRelease(e).bridgeLinkLocalAddress || n.driver !== 'bridge' || !n.enableIPv6 || !c || !p || p.family !== 6 || p.length === 64) return;
  const gateway = c.gateway !== undefined ? parseAddr(c.gateway)?.value : masked(p).address + 1n;
  if (gateway !== LINK_LOCAL_ONE) return;
  // The default bridge's IPv6 settings are daemon keys (fixed-cidr-v6), perhaps in a daemon.json of their own.
  const at = isDefaultBridge(n) ? c.path : [...c.path, c.gateway !== undefined ? 'gateway' : 'subnet'];
  const f = isDefaultBridge(n) && m.daemon.file ? { file: m.daemon.file } : {};
  out.push(
    error('UNSUPPORTED', at, `Docker ${e} gives the bridge fe80::1/64 before the network's gateway fe80::1/${p.length}, and the kernel refuses a second fe80::1 ("failed to add IPv6 address"): dockerd cannot create this network; give it another gateway or a /64`, f),
  );
}

/**
 * What the chosen release cannot do with this model. dockerd <= 27 rejects unknown daemon.json keys at
 * start; a bridge option an old release does not read would be ignored by it, which would make the
 * output mean something else than the file says, so netform refuses it too.
 */
export function checkEngine(m: Model): Diagnostic[] {
  const out: Diagnostic[] = [];
  const e = m.engine;
  const release = engineRelease(e);
  checkDaemonKeys(m, out);
  for (const n of m.networks) if (!isDefaultBridge(n)) checkNetwork(e, n, out);
  checkDefaultBridge(m, out);
  for (const n of m.networks) checkLinkLocalGateway(m, n, out);
  for (const c of m.containers) {
    for (const ep of c.endpoints) {
      if (!release.endpointInterfaceName && ep.interfaceName !== undefined) {
        out.push(error('UNSUPPORTED', ep.path, `Docker ${e} cannot name a container's interface (interface_name / com.docker.network.endpoint.ifname arrived in 28.0)`));
      }
      if (!release.gwPriority && ep.gwPriority !== 0) out.push(error('UNSUPPORTED', ep.path, `Docker ${e} has no gw_priority (added in 28.0)`));
    }
  }
  return out;
}
