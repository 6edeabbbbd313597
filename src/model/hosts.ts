// Hosts: the single `host:` form (one host, named "local" unless it says) or `hosts:`, a mapping of
// host name to the same facts; and the swarm-wide settings of a file in swarm mode.
import { error, warning, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import { SAFE_NAME } from './names.ts';
import type { HostFacts, SwarmSettings } from './types.ts';

type Raw = Record<string, unknown>;

function hostFacts(name: string, raw: Raw, path: YamlPath): HostFacts {
  return {
    name,
    path,
    ...(typeof raw['resolv_conf'] === 'string' ? { resolvConf: raw['resolv_conf'] } : {}),
    ...(typeof raw['resolv_conf_systemd'] === 'string' ? { resolvConfSystemd: raw['resolv_conf_systemd'] } : {}),
    ...(typeof raw['etc_hosts'] === 'string' ? { etcHosts: raw['etc_hosts'] } : {}),
    routes: (Array.isArray(raw['routes']) ? (raw['routes'] as unknown[]) : []).map((r, i) => ({ cidr: String(r), path: [...path, 'routes', i] })),
    ...(typeof raw['address'] === 'string' ? { address: raw['address'] } : {}),
    ...(Array.isArray(raw['interfaces']) ? { interfaces: (raw['interfaces'] as unknown[]).map(String) } : {}),
    role: raw['role'] === 'worker' ? 'worker' : 'manager',
    openSwarmPorts: raw['open_swarm_ports'] === true,
  };
}

/** Every host in file order; never empty (no host: at all means one host named "local"). */
export function buildHosts(raw: Raw, diagnostics: Diagnostic[]): HostFacts[] {
  if (raw['hosts'] !== undefined && raw['host'] !== undefined) {
    diagnostics.push(error('HOST_AND_HOSTS', ['hosts'], 'give either host: (one host) or hosts: (several), not both', { atKey: true }));
  }
  const hosts: HostFacts[] = [];
  if (raw['hosts'] && typeof raw['hosts'] === 'object') {
    for (const [name, h] of Object.entries(raw['hosts'] as Raw)) {
      if (!SAFE_NAME.test(name)) {
        diagnostics.push(error('BAD_NAME', ['hosts', name], `host name "${name}" is not a safe name: use letters, digits, _ . - (starting with a letter or digit)`, { atKey: true }));
        continue;
      }
      hosts.push(hostFacts(name, (h ?? {}) as Raw, ['hosts', name]));
    }
  }
  if (hosts.length === 0) {
    const hostRaw = (raw['host'] ?? {}) as Raw;
    const name = typeof hostRaw['name'] === 'string' ? hostRaw['name'] : 'local';
    if (!SAFE_NAME.test(name)) diagnostics.push(error('BAD_NAME', ['host', 'name'], `"${name}" is not a safe name: use letters, digits, _ . - (starting with a letter or digit)`));
    hosts.push(hostFacts(name, hostRaw, ['host']));
  }
  for (const h of hosts) {
    if (h.resolvConf === undefined) {
      const where = raw['hosts'] ? h.path : raw['host'] ? ['host'] : [];
      diagnostics.push(warning('NO_HOST_RESOLV_CONF', where, `${raw['hosts'] ? `hosts.${h.name}` : 'host'}.resolv_conf is not given: containers' resolv.conf is built from an empty host file (Docker would read the host's /etc/resolv.conf)`));
    }
  }
  return hosts;
}

/** Swarm mode: a swarm: block, an overlay network or a service task in the file. */
export function swarmSettings(raw: Raw): SwarmSettings | undefined {
  const nets = (raw['networks'] ?? {}) as Raw;
  const ctrs = (raw['containers'] ?? {}) as Raw;
  const overlay = Object.values(nets).some((n) => n && typeof n === 'object' && (n as Raw)['driver'] === 'overlay');
  const service = Object.values(ctrs).some((c) => c && typeof c === 'object' && typeof (c as Raw)['service'] === 'string');
  if (raw['swarm'] === undefined && !overlay && !service) return undefined;
  const s = (raw['swarm'] ?? {}) as Raw;
  return {
    dataPathPort: typeof s['data_path_port'] === 'number' ? s['data_path_port'] : 4789,
    defaultAddrPool: Array.isArray(s['default_addr_pool']) ? (s['default_addr_pool'] as unknown[]).map(String) : ['10.0.0.0/8'],
    defaultAddrPoolMaskLength: typeof s['default_addr_pool_mask_length'] === 'number' ? s['default_addr_pool_mask_length'] : 24,
    path: raw['swarm'] !== undefined ? ['swarm'] : [],
    paths: Object.fromEntries(Object.keys(s).map((k) => [k, ['swarm', k]])),
  };
}
