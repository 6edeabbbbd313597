// Swarm-scope IPAM: overlay subnets, their gateways and every overlay address, decided once for all
// hosts, as the swarm manager's allocator does (swarmkit cnmallocator over libnetwork's default IPAM
// with com.docker.network.ipam.serial=true). Subnets come from the swarm's default address pool
// (10.0.0.0/8 in /24s), the ingress network first (swarm init creates it). Addresses are handed out in
// the order the manager sees them: each node's ingress attachment (its ingress_sbox) in host order, then,
// in file order, each service's virtual IPs when its first task appears (before that task), and the
// containers. Serial allocation equals "lowest free" here: nothing is ever released.
//
// VNIs (ovmanager.go): pinned ones (vxlanid_list) are reserved; the others are given from 4096 upwards
// in network order. With a lock, the VNIs it pins are reserved too, and new networks take the lowest free.
import { error, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { NO_LOCK, sandboxKey, SWARM_SCOPE, vipKey, vniKey, type LockKey, type LockScope } from '../lock/index.ts';
import { ingressNetwork, ingressSandbox, type JoinedModel } from '../model/host-view.ts';
import type { Container, Model, OverlayNetwork } from '../model/types.ts';
import { allocateAddresses, endpointKey } from './allocate.ts';
import { exhaustionDiagnostics, type Demand } from './swarm-exhaustion.ts';
import { holderOf, sandboxHolder, vipHolder } from './holders.ts';
import type { Addressing, Exhausted } from './types.ts';

/** The first VNI swarm hands out, above every 802.1Q VLAN id. */
export const FIRST_VNI = 4096;

export interface SwarmAddressing {
  readonly addressing: Addressing;
  /** VNI per overlay network name. */
  readonly vnis: ReadonlyMap<string, number>;
  /** Address of each host's ingress_sbox on the ingress network (host name -> address). */
  readonly ingressSandboxes: ReadonlyMap<string, string>;
  /** Service virtual IPs: service -> network -> addresses (endpoint_mode vip only). */
  readonly vips: ReadonlyMap<string, ReadonlyMap<string, { readonly v4?: string; readonly v6?: string }>>;
}

/** What takes an address of `family` on `network` in the manager's allocation: sandboxes, VIPs, the others. */
function demandOn(view: Model, network: string, family: 4 | 6): Demand {
  const n = view.networks.find((x) => x.name === network);
  const demand = { sandboxes: 0, vips: 0, tasks: 0, containers: 0 };
  if (!n || !(family === 4 ? n.enableIPv4 : n.enableIPv6)) return demand;
  for (const c of view.containers) {
    if (!c.endpoints.some((e) => e.network === network)) continue;
    if (c.name.startsWith(sandboxHolder(''))) demand.sandboxes++;
    else if (c.name.startsWith(vipHolder(''))) demand.vips++;
    else if (c.service) demand.tasks++;
    else demand.containers++;
  }
  return demand;
}

/** Where the lock file keeps the addresses of the holders that are not containers: vips and ingress_sandboxes. */
function lockPlace(key: LockKey): LockKey {
  const [section, network, containers, name, family] = key;
  if (section !== 'networks' || containers !== 'containers' || !name?.startsWith('\u0000')) return key;
  const h = holderOf(name);
  const f = family === 'ipv6' ? 6 : 4;
  return h.kind === 'vip' ? vipKey(h.name, network!, f) : sandboxKey(h.name, f);
}

/**
 * VNIs: the ones the input pins (vxlanid_list), then the ones the lock pins, then from FIRST_VNI upwards
 * the lowest free for each other network, in network order.
 */
function allocateVnis(overlays: readonly OverlayNetwork[], lock: LockScope, diagnostics: Diagnostic[]): Map<string, number> {
  const vnis = new Map<string, number>();
  const used = new Map<number, string>();
  for (const n of overlays) if (n.vni !== undefined) used.set(n.vni, n.name);
  for (const n of overlays) {
    const pinned = n.vni === undefined ? lock.pinned(vniKey(n.name)) : undefined;
    if (!pinned) continue;
    const vni = pinned.value as number;
    const holder = used.get(vni);
    if (holder !== undefined) {
      diagnostics.push(error('LOCK_CONFLICT', n.path, `${lock.where(pinned)} gives network "${n.name}" the VXLAN id ${vni}, which network "${holder}" has: delete networks.${n.name}.vni from the lock to let netform choose another`, { atKey: true }));
      continue;
    }
    used.set(vni, n.name);
    vnis.set(n.name, vni);
  }
  let next = FIRST_VNI;
  for (const n of overlays) {
    if (n.vni !== undefined) {
      vnis.set(n.name, n.vni);
      continue;
    }
    if (!vnis.has(n.name)) {
      while (used.has(next)) next++;
      used.set(next, n.name);
      vnis.set(n.name, next++);
    }
    lock.chose(vniKey(n.name), vnis.get(n.name)!, n.path);
  }
  return new Map(overlays.map((n) => [n.name, vnis.get(n.name)!]));
}

export function allocateSwarmAddresses(m: JoinedModel, lock: LockScope = NO_LOCK): { swarm: SwarmAddressing; diagnostics: Diagnostic[] } {
  const overlays = m.networks.filter((n) => n.driver === 'overlay');
  const overlayNames = new Set(overlays.map((n) => n.name));
  const holders: Container[] = [];
  const ingress = ingressNetwork(m);
  if (ingress) {
    for (const h of m.hosts) holders.push({ ...ingressSandbox(h.name), name: sandboxHolder(h.name), endpoints: [{ network: ingress.name, aliases: [], gwPriority: 0, path: ['swarm'] }] });
  }
  const seenServices = new Set<string>();
  for (const c of m.containers) {
    const endpoints = c.endpoints.filter((e) => overlayNames.has(e.network));
    if (c.service && !seenServices.has(c.service)) {
      seenServices.add(c.service);
      if (c.endpointMode === 'vip' && endpoints.length > 0) {
        holders.push({ ...c, name: vipHolder(c.service), endpoints: endpoints.map((e) => ({ network: e.network, aliases: [], gwPriority: 0, path: e.path })) });
      }
    }
    if (endpoints.length > 0) holders.push({ ...c, endpoints });
  }
  const poolSize = m.swarm?.defaultAddrPoolMaskLength ?? 24;
  const view: Model = {
    ...m,
    networks: overlays,
    containers: holders,
    daemon: { ...m.daemon, defaultAddressPools: (m.swarm?.defaultAddrPool ?? ['10.0.0.0/8']).map((base) => ({ base, size: poolSize })) },
    // The manager's allocator knows nothing of a host's routes or nameservers.
    host: { ...m.host, routes: [] },
  };
  const exhausted: Exhausted[] = [];
  const { addressing, diagnostics } = allocateAddresses(view, { hostFacts: false, lock: lock.scope(SWARM_SCOPE, lockPlace), onExhausted: (x) => exhausted.push(x) });
  if (exhausted.length > 0) diagnostics.push(...exhaustionDiagnostics(m, exhausted, (network, family) => demandOn(view, network, family)));
  const vnis = allocateVnis(overlays, lock.scope(SWARM_SCOPE), diagnostics);

  const ingressSandboxes = new Map<string, string>();
  if (ingress) {
    for (const h of m.hosts) {
      const a = addressing.endpoints.get(endpointKey(sandboxHolder(h.name), ingress.name))?.v4;
      if (a) ingressSandboxes.set(h.name, a);
    }
  }
  const vips = new Map<string, Map<string, { v4?: string; v6?: string }>>();
  for (const service of seenServices) {
    for (const n of overlays) {
      const a = addressing.endpoints.get(endpointKey(vipHolder(service), n.name));
      if (!a) continue;
      if (!vips.has(service)) vips.set(service, new Map());
      vips.get(service)!.set(n.name, a);
    }
  }
  return { swarm: { addressing, vnis, ingressSandboxes, vips }, diagnostics };
}
