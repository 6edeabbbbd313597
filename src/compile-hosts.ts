// The stages after the model, for every host: swarm-scope IPAM once (overlays), then each host's own
// IPAM and topology from its view of the model (model/host-view.ts), and its ESP state when it shares an
// encrypted overlay with other hosts. A single host without swarm is the model itself.
import { error, type Diagnostic } from './diagnostics/diagnostic.ts';
import { allocateAddresses, endpointKey } from './ipam/allocate.ts';
import { allocateSwarmAddresses } from './ipam/swarm.ts';
import type { Addressing } from './ipam/types.ts';
import { hostScope, NO_LOCK, SWARM_SCOPE, type LockScope } from './lock/index.ts';
import { hostView, INGRESS_SANDBOX, ingressNetwork, joinedModel } from './model/host-view.ts';
import type { Model } from './model/types.ts';
import { buildTopology, type SwarmContext } from './topology/build.ts';
import type { TopologyLock } from './topology/chosen.ts';
import { overlayMembers, type OverlayMember } from './topology/overlay-sandboxes.ts';
import type { OverlayKey } from './topology/overlay/secrets.ts';
import { planXfrm, type XfrmPlan } from './topology/overlay/xfrm.ts';
import type { Topology } from './topology/types.ts';

const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === 'error');

/**
 * IPAM and topology for every host. Swarm-scope addresses (overlays) are decided once; each host's
 * dockerd then allocates its local networks and builds its own topology from its view of the model.
 * A diagnostic the hosts share (the same default bridge problem on each) is reported once. `lock`: the
 * lock file's allocations (each host's under hosts.NAME, the swarm's under swarm), and where every
 * stage records what it chose.
 */
export function compileHosts(model: Model, secrets: readonly OverlayKey[] | undefined, requireSecrets: boolean, lock: LockScope = NO_LOCK): { topologies?: Topology[]; diagnostics: Diagnostic[] } {
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
    if (hasErrors(diagnostics)) return { diagnostics };
    const { topology, diagnostics: td } = buildTopology(model, addressing, undefined, locks(model.host.name));
    report(td);
    return { topologies: [topology], diagnostics };
  }
  // Docker's own joins (ingress, docker_gwbridge), worked out once for every stage that reads them.
  const joined = joinedModel(model);
  let swarmContext: SwarmContext | undefined;
  if (model.swarm) {
    const { swarm, diagnostics: sd } = allocateSwarmAddresses(joined, lock);
    report(sd);
    if (hasErrors(diagnostics)) return { diagnostics };
    swarmContext = { swarm, members: overlayMembers(joined, swarm, lock), allContainers: joined.containers };
  }
  const topologies: Topology[] = [];
  for (const h of model.hosts) {
    const view = hostView(joined, h.name);
    const { addressing: local, diagnostics: ad } = allocateAddresses({ ...view, networks: view.networks.filter((n) => n.driver !== 'overlay') }, { lock: lock.scope(hostScope(h.name)) });
    report(ad);
    if (hasErrors(diagnostics)) return { diagnostics };
    const addressing = swarmContext ? mergeAddressing(local, swarmContext.swarm.addressing, sandboxAddressing(model, h.name, swarmContext)) : local;
    const { topology, diagnostics: td } = buildTopology(view, addressing, swarmContext, locks(h.name));
    report(td);
    const xfrm = swarmContext && (secrets || requireSecrets) ? encryptionPlan(model, h.name, swarmContext.members, secrets, report) : undefined;
    topologies.push(xfrm ? { ...topology, xfrm } : topology);
  }
  if (hasErrors(diagnostics)) return { diagnostics };
  return { topologies, diagnostics };
}

/**
 * The ESP state of `host` (overlay/encryption.go setupEncryption): SAs and policies with every host that
 * shares an encrypted overlay with it (both run an endpoint on it), in host order. None without peers.
 */
function encryptionPlan(model: Model, host: string, members: readonly OverlayMember[], secrets: readonly OverlayKey[] | undefined, report: (ds: Diagnostic[]) => void): XfrmPlan | undefined {
  const encrypted = model.networks.filter((n) => n.driver === 'overlay' && n.encrypted);
  const peers = new Set<string>();
  for (const n of encrypted) {
    const on = new Set(members.filter((x) => x.network === n.name).map((x) => x.host));
    if (!on.has(host)) continue;
    for (const h of on) if (h !== host) peers.add(h);
  }
  if (peers.size === 0) return undefined;
  if (!secrets || secrets.length === 0) {
    report([error('NO_SECRETS', [...encrypted[0]!.path, 'driver_opts', 'encrypted'], 'an encrypted overlay needs the swarm\'s data path keys: build with --secrets FILE (see docs/overlay.md for its format)', { atKey: true })]);
    return undefined;
  }
  const facts = (name: string) => ({ name, address: model.hosts.find((h) => h.name === name)!.address! });
  return planXfrm({
    local: facts(host),
    peers: model.hosts.filter((h) => peers.has(h.name)).map((h) => facts(h.name)),
    keys: secrets,
    dataPathPort: model.swarm?.dataPathPort ?? 4789,
  });
}

const mergeAddressing = (a: Addressing, b: Addressing, extra: ReadonlyMap<string, { v4?: string }>): Addressing => ({
  networks: new Map([...a.networks, ...b.networks]),
  endpoints: new Map([...a.endpoints, ...b.endpoints, ...extra]),
});

/** The host's ingress_sbox address on the ingress network, under the sandbox's name in this host's view. */
function sandboxAddressing(model: Model, host: string, ctx: SwarmContext): Map<string, { v4?: string }> {
  const ingress = ingressNetwork(model);
  const ip = ctx.swarm.ingressSandboxes.get(host);
  return new Map(ingress && ip ? [[endpointKey(INGRESS_SANDBOX, ingress.name), { v4: ip }]] : []);
}

