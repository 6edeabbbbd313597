// Input value (already schema-valid) -> typed Model with Docker's defaults, plus the diagnostics
// found on the way. Pure: a daemon.json named by `daemon:` is read by the caller and passed in.
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { buildContainer } from './containers.ts';
import { buildDaemon } from './daemon.ts';
import { defaultBridge, PREDEFINED_NETWORKS, userNetwork } from './networks.ts';
import { SAFE_NAME } from './names.ts';
import type { BridgeNetwork, Container, HostFacts, Model, NameResolution } from './types.ts';
import { checkModel } from './checks.ts';
import { checkEngine, parseEngine } from './engine.ts';

type Raw = Record<string, unknown>;

export interface DaemonFile {
  /** Path of the daemon.json as the user wrote it (for diagnostics). */
  readonly file: string;
  readonly value: unknown;
}

export function buildModel(value: unknown, file: string, daemonFile?: DaemonFile): { model?: Model; diagnostics: Diagnostic[] } {
  const raw = (value ?? {}) as Raw;
  const diagnostics: Diagnostic[] = [];

  const { engine, diagnostics: ed } = parseEngine(raw['engine']);
  diagnostics.push(...ed);

  const daemonRaw = daemonFile ? (daemonFile.value as Raw) : typeof raw['daemon'] === 'object' ? (raw['daemon'] as Raw) : undefined;
  const { daemon, diagnostics: dd } = buildDaemon(daemonRaw, daemonFile ? [] : ['daemon'], daemonFile?.file, engine);
  diagnostics.push(...dd);

  const hostRaw = (raw['host'] ?? {}) as Raw;
  const host: HostFacts = {
    name: typeof hostRaw['name'] === 'string' ? hostRaw['name'] : 'local',
    ...(typeof hostRaw['resolv_conf'] === 'string' ? { resolvConf: hostRaw['resolv_conf'] } : {}),
    ...(typeof hostRaw['resolv_conf_systemd'] === 'string' ? { resolvConfSystemd: hostRaw['resolv_conf_systemd'] } : {}),
    ...(typeof hostRaw['etc_hosts'] === 'string' ? { etcHosts: hostRaw['etc_hosts'] } : {}),
    routes: (Array.isArray(hostRaw['routes']) ? (hostRaw['routes'] as unknown[]) : []).map((r, i) => ({ cidr: String(r), path: ['host', 'routes', i] })),
  };
  if (!SAFE_NAME.test(host.name)) diagnostics.push(error('BAD_NAME', ['host', 'name'], `"${host.name}" is not a safe name: use letters, digits, _ . - (starting with a letter or digit)`));
  if (host.resolvConf === undefined) {
    diagnostics.push(warning('NO_HOST_RESOLV_CONF', raw['host'] ? ['host'] : [], "host.resolv_conf is not given: containers' resolv.conf is built from an empty host file (Docker would read the host's /etc/resolv.conf)"));
  }

  const networks: BridgeNetwork[] = [];
  if (!daemon.disableBridge) networks.push(defaultBridge(daemon));
  for (const [name, n] of Object.entries((raw['networks'] ?? {}) as Raw)) {
    if (!SAFE_NAME.test(name)) {
      diagnostics.push(error('BAD_NAME', ['networks', name], `network name "${name}" is not a safe name: use letters, digits, _ . - (starting with a letter or digit)`, { atKey: true }));
      continue;
    }
    if (PREDEFINED_NETWORKS.has(name)) {
      diagnostics.push(error('BAD_NAME', ['networks', name], `network "${name}" is predefined by Docker and cannot be declared (network with name ${name} already exists)`, { atKey: true }));
      continue;
    }
    const r = userNetwork(name, (n ?? {}) as Raw, daemon);
    diagnostics.push(...r.diagnostics);
    if (r.network) networks.push(r.network);
  }

  const containers: Container[] = [];
  for (const [name, c] of Object.entries((raw['containers'] ?? {}) as Raw)) {
    if (!SAFE_NAME.test(name)) {
      diagnostics.push(error('BAD_NAME', ['containers', name], `container name "${name}" is not a safe name: Docker allows [a-zA-Z0-9][a-zA-Z0-9_.-]*`, { atKey: true }));
      continue;
    }
    const r = buildContainer(name, (c ?? null) as Raw | null);
    diagnostics.push(...r.diagnostics);
    containers.push(r.container);
  }

  const nameResolution: NameResolution = raw['name_resolution'] === 'hosts' ? 'hosts' : 'embedded';
  const model: Model = { file, engine, nameResolution, daemon, host, networks, containers };
  diagnostics.push(...checkModel(model));
  diagnostics.push(...checkEngine(model));
  return { model, diagnostics };
}
