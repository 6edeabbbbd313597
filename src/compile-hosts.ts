// The stages after the model, for every host: swarm-scope IPAM once (overlays) and what every host reads
// of the swarm (topology/swarm-context.ts), then each host's own IPAM and topology from its view of the
// model (model/host-view.ts), and its ESP state when it shares an encrypted overlay with other hosts. A
// single host without swarm is the model itself. Everything fleet-wide is indexed once here: a host's
// work follows what it holds (its containers, its networks, the remote endpoints of its overlays).
import { error, type Diagnostic } from './diagnostics/diagnostic.ts';
import { allocateAddresses, endpointKey } from './ipam/allocate.ts';
import { allocateSwarmAddresses, type SwarmAddressing } from './ipam/swarm.ts';
import type { Addressing, EndpointAddressing, NetworkAddressing } from './ipam/types.ts';
import { hostScope, NO_LOCK, SWARM_SCOPE, type LockScope } from './lock/index.ts';
import { hostIndex, hostView, INGRESS_SANDBOX, ingressNetwork, joinedModel } from './model/host-view.ts';
import type { HostFacts, Model } from './model/types.ts';
import { parseIP } from './net/index.ts';
import { buildTopology } from './topology/build.ts';
import type { TopologyLock } from './topology/chosen.ts';
import { swarmContext, type SwarmContext } from './topology/swarm-context.ts';
import type { OverlayKey } from './topology/overlay/secrets.ts';
import { planXfrm, type XfrmPlan } from './topology/overlay/xfrm.ts';
import type { Topology } from './topology/types.ts';

const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === 'error');

/**
 * How far compileHosts is: allocating the swarm's addresses (once for the fleet), then `done` of `total`
 * hosts built, and their containers.
 */
export type HostsProgress =
  | { readonly stage: 'swarm' }
  | { readonly stage: 'hosts'; readonly done: number; readonly total: number; readonly containers: number };

/**
 * IPAM and topology for every host. Swarm-scope addresses (overlays) are decided once; each host's
 * dockerd then allocates its local networks and builds its own topology from its view of the model.
 * A diagnostic the hosts share (the same default bridge problem on each) is reported once. The topology
 * is built even when IPAM found errors, for its own checks (host port conflicts): it leaves out the
 * endpoints that got no address. `lock`: the lock file's allocations (each host's under hosts.NAME, the
 * swarm's under swarm), and where every stage records what it chose.
 */
export function compileHosts(
  model: Model,
  secrets: readonly OverlayKey[] | undefined,
  requireSecrets: boolean,
  lock: LockScope = NO_LOCK,
  progress?: (p: HostsProgress) => void,
): { topologies?: Topology[]; diagnostics: Diagnostic[] } {
  const locks = (host: string): TopologyLock => ({ host: lock.scope(hostScope(host)), swarm: lock.scope(SWARM_SCOPE) });
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const report = (ds: readonly Diagnostic[]) => {
    for (const d of ds) {
      const k = `${d.code}\u0000${d.file ?? ''}\u0000${d.path.join('\u0000')}\u0000${d.message}`;
      if (!seen.has(k)) {
        seen.add(k);
        diagnostics.push(d);
      }
    }
  };
  // The common case, one host and no swarm, is the model itself.
  if (!model.swarm && model.hosts.length === 1) {
    const { addressing, diagnostics: ad } = allocateAddresses(model, { lock: lock.scope(hostScope(model.host.name)) });
    report(ad);
    const { topology, diagnostics: td } = buildTopology(model, addressing, undefined, locks(model.host.name));
    report(td);
    progress?.({ stage: 'hosts', done: 1, total: 1, containers: model.containers.length });
    return { topologies: [topology], diagnostics };
  }
  // Docker's own joins (ingress, docker_gwbridge), worked out once for every stage that reads them.
  const joined = joinedModel(model);
  let ctx: SwarmContext | undefined;
  if (model.swarm) {
    progress?.({ stage: 'swarm' });
    const { swarm, diagnostics: sd } = allocateSwarmAddresses(joined, lock);
    report(sd);
    const cd: Diagnostic[] = [];
    ctx = swarmContext(joined, swarm, cd, lock);
    report(cd);
  }
  const index = hostIndex(joined);
  const encryption = ctx && (secrets || requireSecrets) ? encryptionPeers(model, ctx) : undefined;
  const topologies: Topology[] = [];
  let containers = 0;
  for (const h of model.hosts) {
    const view = hostView(joined, index, h);
    const { addressing: local, diagnostics: ad } = allocateAddresses({ ...view, networks: view.networks.filter((n) => n.driver !== 'overlay') }, { lock: lock.scope(hostScope(h.name)) });
    report(ad);
    const addressing = ctx ? hostAddressing(local, ctx.swarm, view) : local;
    const { topology, diagnostics: td } = buildTopology(view, addressing, ctx, locks(h.name));
    report(td);
    const xfrm = encryption ? encryptionPlan(model, h, encryption, secrets, report) : undefined;
    topologies.push(xfrm ? { ...topology, xfrm } : topology);
    containers += index.containers.get(h.name)?.length ?? 0;
    progress?.({ stage: 'hosts', done: topologies.length, total: model.hosts.length, containers });
  }
  if (hasErrors(diagnostics)) return { diagnostics };
  return { topologies, diagnostics };
}

/** Who shares encrypted overlays with whom, worked out once: the hosts that run an endpoint on each. */
interface EncryptionPeers {
  /** Host name -> the other hosts it shares an encrypted overlay with. */
  readonly peers: ReadonlyMap<string, ReadonlySet<string>>;
  /** Where `hosts:` lists each host (ESP state follows host order). */
  readonly order: ReadonlyMap<string, number>;
  readonly hosts: ReadonlyMap<string, HostFacts>;
  /** The first encrypted overlay, where a missing key is reported. */
  readonly first?: Model['networks'][number];
}

function encryptionPeers(model: Model, ctx: SwarmContext): EncryptionPeers {
  const peers = new Map<string, Set<string>>();
  const encrypted = model.networks.filter((n) => n.driver === 'overlay' && n.encrypted);
  const declared = new Set(model.hosts.map((h) => h.name));
  for (const n of encrypted) {
    // A container on a host that `hosts:` does not declare was reported (every error at once); it has no tunnel.
    const on = [...new Set((ctx.members.get(n.name) ?? []).map((x) => x.host))].filter((h) => declared.has(h));
    for (const h of on) {
      let set = peers.get(h);
      if (!set) peers.set(h, (set = new Set()));
      for (const other of on) if (other !== h) set.add(other);
    }
  }
  return {
    peers,
    order: new Map(model.hosts.map((h, i) => [h.name, i])),
    hosts: new Map(model.hosts.map((h) => [h.name, h])),
    ...(encrypted[0] ? { first: encrypted[0] } : {}),
  };
}

/**
 * The ESP state of `host` (overlay/encryption.go setupEncryption): SAs and policies with every host that
 * shares an encrypted overlay with it (both run an endpoint on it), in host order. None without peers.
 */
function encryptionPlan(model: Model, host: HostFacts, enc: EncryptionPeers, secrets: readonly OverlayKey[] | undefined, report: (ds: Diagnostic[]) => void): XfrmPlan | undefined {
  const peers = enc.peers.get(host.name);
  if (!peers || peers.size === 0) return undefined;
  if (!secrets || secrets.length === 0) {
    report([error('NO_SECRETS', [...enc.first!.path, 'driver_opts', 'encrypted'], 'an encrypted overlay needs the swarm\'s data path keys: build with --secrets FILE (see docs/overlay.md for its format)', { atKey: true })]);
    return undefined;
  }
  const facts = (h: HostFacts) => ({ name: h.name, address: h.address! });
  const local = facts(host);
  const others = [...peers].sort((a, b) => enc.order.get(a)! - enc.order.get(b)!).map((p) => facts(enc.hosts.get(p)!));
  // A host without a usable underlay address, two hosts on one address, or mixed families: the model
  // reported it (NO_UNDERLAY_ADDRESS, DUPLICATE_UNDERLAY), and there is no tunnel to plan.
  const underlays = [local, ...others].map((f) => (f.address === undefined ? undefined : parseIP(f.address)));
  const texts = new Set(underlays.map((a) => (a ? `${a.family}/${a.value}` : '')));
  if (underlays.some((a) => !a || a.family !== underlays[0]!.family) || texts.size !== underlays.length) return undefined;
  return planXfrm({
    local,
    peers: others,
    keys: secrets,
    dataPathPort: model.swarm?.dataPathPort ?? 4789,
  });
}

/**
 * The addresses `view.host` uses: its own allocation of its local networks, and the swarm's allocation
 * of the overlays it joins for its own endpoints and its ingress_sbox (under the sandbox's name here).
 */
function hostAddressing(local: Addressing, swarm: SwarmAddressing, view: Model): Addressing {
  const networks = new Map<string, NetworkAddressing>(local.networks);
  const endpoints = new Map<string, EndpointAddressing>(local.endpoints);
  for (const n of view.networks) {
    const a = n.driver === 'overlay' ? swarm.addressing.networks.get(n.name) : undefined;
    if (a) networks.set(n.name, a);
  }
  for (const c of view.containers) {
    for (const e of c.endpoints) {
      const key = endpointKey(c.name, e.network);
      const a = swarm.addressing.endpoints.get(key);
      if (a) endpoints.set(key, a);
    }
  }
  const ingress = ingressNetwork(view);
  const ip = ingress && swarm.ingressSandboxes.get(view.host.name);
  if (ingress && ip) endpoints.set(endpointKey(INGRESS_SANDBOX, ingress.name), { v4: ip });
  return { networks, endpoints };
}
