// Input value (already schema-valid) -> typed Model with Docker's defaults, plus the diagnostics
// found on the way. Pure: a daemon.json named by `daemon:` is read by the caller and passed in.
import { error, type Diagnostic, appendAll } from '../diagnostics/diagnostic.ts';
import { buildContainer } from './containers.ts';
import { buildDaemon } from './daemon.ts';
import { defaultBridge, PREDEFINED_NETWORKS, userNetwork } from './networks.ts';
import { buildHosts, swarmSettings } from './hosts.ts';
import { defaultIngress, GATEWAY_BRIDGE, gatewayBridge } from './swarm-networks.ts';
import { SAFE_NAME } from './names.ts';
import { isIngress } from './network-types.ts';
import type { Container, DaemonSettings, Model, NameResolution, Network } from './types.ts';
import { checkModel } from './checks.ts';
import { checkLoadable } from './load-checks.ts';
import { checkHosts } from './host-checks.ts';
import { checkEngine, parseEngine } from './engine-checks.ts';
import { readExpectations } from './expectations.ts';
import { NOTHING_REFUSED, type Refused } from '../schema/prune.ts';

type Raw = Record<string, unknown>;

export interface DaemonFile {
  /** Path of the daemon.json as the user wrote it (for diagnostics). */
  readonly file: string;
  readonly value: unknown;
}

/**
 * `refused`: what the schema took out of `value` (schema/prune.ts). References to those networks and
 * containers are skipped rather than reported unknown, and the default bridge is left out when a daemon
 * key was refused; the host checks need every host fact, so they wait for a file the schema accepts.
 */
export function buildModel(value: unknown, file: string, daemonFile?: DaemonFile, refused: Refused = NOTHING_REFUSED): { model?: Model; diagnostics: Diagnostic[] } {
  const raw = (value ?? {}) as Raw;
  const diagnostics: Diagnostic[] = [];

  const { engine, diagnostics: ed } = parseEngine(raw['engine']);
  appendAll(diagnostics, ed);

  const daemonRaw = daemonFile ? (daemonFile.value as Raw) : typeof raw['daemon'] === 'object' ? (raw['daemon'] as Raw) : undefined;
  const { daemon, diagnostics: dd } = buildDaemon(daemonRaw, daemonFile ? [] : ['daemon'], daemonFile?.file, engine);
  appendAll(diagnostics, dd);

  const hosts = buildHosts(raw, diagnostics);
  const host = hosts[0]!;
  const swarm = swarmSettings(raw);

  const networks: Network[] = [];
  if (!daemon.disableBridge && !refused.networks.has('bridge')) networks.push(defaultBridge(daemon));
  // Swarm init (before any network of the file: overlays need swarm mode) creates docker_gwbridge,
  // which therefore takes the next local pool after docker0 (172.18.0.0/16 in the swarm-portmap dump).
  // A docker_gwbridge the file declares is the one Docker documents making before `docker swarm init`
  // (docker network create ... docker_gwbridge): libnetwork's createGWNetwork then finds it and keeps it.
  const ownGateway = swarm ? ((raw['networks'] ?? {}) as Raw)[GATEWAY_BRIDGE] : undefined;
  if (swarm && ownGateway === undefined) networks.push(gatewayBridge(daemon));
  else if (swarm) {
    const r = userNetwork(GATEWAY_BRIDGE, (ownGateway ?? {}) as Raw, daemon);
    appendAll(diagnostics, r.diagnostics);
    if (r.network && r.network.driver !== 'bridge') {
      diagnostics.push(error('BAD_OPTION', ['networks', GATEWAY_BRIDGE, 'driver'], 'docker_gwbridge must be a bridge network: every overlay container leaves through it'));
    } else if (r.network) networks.push(r.network);
  }
  const dropped = fileNetworks(raw, swarm !== undefined, daemon, refused, networks, diagnostics);

  const containers: Container[] = [];
  for (const [name, c] of Object.entries((raw['containers'] ?? {}) as Raw)) {
    if (!SAFE_NAME.test(name)) {
      diagnostics.push(error('BAD_NAME', ['containers', name], `container name "${name}" is not a safe name: Docker allows [a-zA-Z0-9][a-zA-Z0-9_.-]*`, { atKey: true }));
      continue;
    }
    const r = buildContainer(name, (c ?? null) as Raw | null, hosts.length === 1 ? host.name : undefined);
    appendAll(diagnostics, r.diagnostics);
    containers.push(r.container);
  }

  const nameResolution: NameResolution = raw['name_resolution'] === 'hosts' ? 'hosts' : 'embedded';
  // Swarm's own ingress network, unless the file declares one (ingress: true): created at swarm init,
  // so it is the first overlay (VNI 4096, the first /24 of the pool).
  if (swarm && !networks.some(isIngress)) {
    const at = networks.findIndex((n) => n.driver === 'overlay');
    networks.splice(at < 0 ? networks.length : at, 0, defaultIngress());
  } else if (swarm) {
    // A declared ingress network stands in the default one's place: first of the overlays.
    const i = networks.findIndex(isIngress);
    const first = networks.findIndex((n) => n.driver === 'overlay');
    if (i > first) networks.splice(first, 0, ...networks.splice(i, 1));
  }
  const { expectations, diagnostics: xd } = readExpectations(raw['expect']);
  appendAll(diagnostics, xd);
  const model: Model = { file, engine, nameResolution, daemon, host, hosts, ...(swarm ? { swarm } : {}), networks, containers, expectations };
  appendAll(diagnostics, checkModel(model, { ...refused, networks: dropped }));
  appendAll(diagnostics, checkLoadable(model));
  if (!refused.incomplete) appendAll(diagnostics, checkHosts(model));
  appendAll(diagnostics, checkEngine(model));
  return { model, diagnostics };
}

/**
 * The file's networks, pushed onto `networks` in file order. Returns the names of the networks refused
 * (by the schema, or here with their own error): references to them are not unknown ones.
 */
function fileNetworks(raw: Raw, swarm: boolean, daemon: DaemonSettings, refused: Refused, networks: Network[], diagnostics: Diagnostic[]): Set<string> {
  const dropped = new Set(refused.networks);
  for (const [name, n] of Object.entries((raw['networks'] ?? {}) as Raw)) {
    if (!SAFE_NAME.test(name)) {
      diagnostics.push(error('BAD_NAME', ['networks', name], `network name "${name}" is not a safe name: use letters, digits, _ . - (starting with a letter or digit)`, { atKey: true }));
      dropped.add(name);
      continue;
    }
    if (swarm && name === GATEWAY_BRIDGE) continue;
    if (PREDEFINED_NETWORKS.has(name)) {
      diagnostics.push(error('BAD_NAME', ['networks', name], `network "${name}" is predefined by Docker and cannot be declared (network with name ${name} already exists)`, { atKey: true }));
      continue;
    }
    const r = userNetwork(name, (n ?? {}) as Raw, daemon);
    appendAll(diagnostics, r.diagnostics);
    if (r.network) networks.push(r.network);
    else dropped.add(name);
  }
  return dropped;
}
