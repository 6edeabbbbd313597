// Each network's subnet per family, as dockerd's default IPAM driver gives them (Docker 29): explicit
// subnets first (see allocate.ts), then the lowest free subnet of the predefined pools; in each subnet the
// reserved addresses, the allocation range, the gateway and the auxiliary addresses.
import { error, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { gatewayKey, subnetKey, type LockScope } from '../lock/index.ts';
import { isDefaultBridge } from '../model/network-types.ts';
import type { IpamConfigEntry, Model, Network } from '../model/types.ts';
import { contains, isMasked, lastOf, masked, networkOf, overlaps, parseAddr, parsePrefix, prefixString, valueString, within, type Family, type Prefix } from '../net/index.ts';
import { AddressSet } from './address-set.ts';
import type { Exhausted } from './types.ts';
import { pinnedSubnetId, pinnedSubnets, pinTakenMessage, reservePinnedAddresses, type FamilyPins, type PinnedEndpoints } from './pins.ts';
import { lowestFreeSubnet } from './pools.ts';
import { SubnetSpace } from './subnet-space.ts';

/** One family of one network: its subnet, where dynamic addresses come from, and what is taken. */
export interface FamilyState {
  readonly subnet: Prefix;
  readonly range: Prefix;
  readonly set: AddressSet;
  readonly entry: IpamConfigEntry;
  gateway?: bigint;
  defaultGateway?: bigint;
  /** What the lock pins in this subnet (only when a lock is kept). */
  pins?: FamilyPins;
}

export type NetworkState = { 4?: FamilyState; 6?: FamilyState };

/** Every explicit subnet, checked and taken in model order; the ones refused are left out. */
function explicitSubnets(space: SubnetSpace): Map<IpamConfigEntry, Prefix> {
  const explicit = new Map<IpamConfigEntry, Prefix>();
  const report = (d: Diagnostic) => space.diagnostics.push(d);
  for (const n of space.model.networks) {
    for (const entry of [...n.ipamV4, ...n.ipamV6]) {
      if (!entry.subnet) continue;
      const p = parsePrefix(entry.subnet);
      const subnetPath = isDefaultBridge(n) ? entry.path : [...entry.path, 'subnet'];
      if (!p) {
        report(error('BAD_PREFIX', subnetPath, `"${entry.subnet}" is not a CIDR prefix`, space.fileOf(n)));
        continue;
      }
      if (!isDefaultBridge(n) && !isMasked(p)) {
        report(error('BAD_PREFIX', subnetPath, `invalid subnet ${entry.subnet}: it should be ${prefixString(masked(p))}`));
        continue;
      }
      const m = masked(p);
      if (space.explicit[m.family].overlaps(m)) {
        // The first subnet (in model order) it overlaps, for the message.
        const clash = space.allocated.find((a) => overlaps(a.prefix, m))!;
        report(error('SUBNET_OVERLAP', subnetPath, `subnet ${prefixString(m)} overlaps ${prefixString(clash.prefix)} of network "${clash.network}"`, space.fileOf(n)));
        continue;
      }
      const route = space.routes.find((r) => overlaps(masked(r.prefix), m));
      if (route) {
        report(error('SUBNET_OVERLAP', subnetPath, `subnet ${prefixString(m)} overlaps the host route ${route.cidr} (host.routes): containers could not reach that network`, space.fileOf(n)));
      }
      space.take(m, n.name, true);
      explicit.set(entry, m);
    }
  }
  return explicit;
}

/** The allocation range: ip_range (fixed-cidr) when valid, else the whole subnet. */
function allocationRange(space: SubnetSpace, n: Network, family: Family, entry: IpamConfigEntry, subnet: Prefix): Prefix {
  if (!entry.ipRange) return subnet;
  const r = parsePrefix(entry.ipRange);
  const rangePath = isDefaultBridge(n) ? entry.path : [...entry.path, 'ip_range'];
  const report = (d: Diagnostic) => space.diagnostics.push(d);
  if (!r || r.family !== family) report(error('BAD_PREFIX', rangePath, `"${entry.ipRange}" is not an IPv${family} CIDR prefix`, space.fileOf(n)));
  else if (!isDefaultBridge(n) && !isMasked(r)) report(error('BAD_PREFIX', rangePath, `invalid ip-range ${entry.ipRange}: it should be ${prefixString(masked(r))}`));
  else if (!within(masked(r), subnet)) report(error('ADDRESS_OUTSIDE_RANGE', rangePath, `ip_range ${entry.ipRange} is not inside the subnet ${prefixString(subnet)}`, space.fileOf(n)));
  else return masked(r);
  return subnet;
}

/** Isolated networks, and internal ones with inhibit_ipv4, get no gateway (bridge driver GetSkipGwAlloc). */
const skipsGateway = (n: Network, family: Family): boolean =>
  n.driver === 'bridge' && (family === 4 ? n.gatewayModeV4 === 'isolated' || (n.inhibitIPv4 && n.internal) : n.gatewayModeV6 === 'isolated');

/** A conflict between an address the input gives and one the lock pins. */
function pinConflict(space: SubnetSpace, n: Network, fs: FamilyState, value: bigint, path: readonly (string | number)[], text: string): boolean {
  const holder = fs.pins?.holders.get(value);
  if (!holder) return false;
  space.diagnostics.push(error('LOCK_CONFLICT', path, pinTakenMessage(text, holder, n.name), space.fileOf(n)));
  return true;
}

/**
 * The gateway: as given, else the one the lock pins (reservePinnedAddresses), else the first free
 * address of the range; none where skipsGateway.
 */
function allocateGateway(space: SubnetSpace, n: Network, family: Family, fs: FamilyState): void {
  const { entry, subnet, set } = fs;
  const d = space.model.daemon;
  const gwPath = isDefaultBridge(n) ? d.paths[family === 4 ? 'bip' : 'bip6'] ?? entry.path : [...entry.path, 'gateway'];
  const report = (dg: Diagnostic) => space.diagnostics.push(dg);
  const hostBits = (family === 4 ? 32 : 128) - subnet.length;
  if (entry.gateway) {
    const g = parseAddr(entry.gateway);
    if (!g || g.family !== family) report(error('BAD_ADDRESS', gwPath, `gateway "${entry.gateway}" is not an IPv${family} address`, space.fileOf(n)));
    else if (!contains(subnet, g)) report(error('BAD_GATEWAY', gwPath, `gateway ${entry.gateway} is not inside the subnet ${prefixString(subnet)}`, space.fileOf(n)));
    else if (hostBits > 1 && (g.value === networkOf(subnet) || (family === 4 && g.value === lastOf(subnet)))) {
      report(error('BAD_GATEWAY', gwPath, `gateway ${entry.gateway} is the ${g.value === networkOf(subnet) ? 'network' : 'broadcast'} address of ${prefixString(subnet)}`, space.fileOf(n)));
    } else if (!pinConflict(space, n, fs, g.value, gwPath, `gateway ${entry.gateway}`)) {
      fs.gateway = g.value;
      set.add(g.value);
    }
  } else if (!skipsGateway(n, family)) {
    if (fs.gateway === undefined) {
      const g = set.lowestFree(fs.range);
      if (g === undefined) {
        report(error('POOL_EXHAUSTED', n.path, `no free address for the gateway in ${prefixString(fs.range)}`, space.fileOf(n)));
        return;
      }
      fs.gateway = g;
      set.add(g);
    }
    space.lock.chose(gatewayKey(n.name, family), valueString(family, fs.gateway), n.path);
  }
}

/** Auxiliary addresses must be in the subnet; they are reserved (network.go ipamAllocateVersion). */
function reserveAuxAddresses(space: SubnetSpace, n: Network, family: Family, fs: FamilyState): void {
  const d = space.model.daemon;
  const daemonKey = family === 4 ? 'default-gateway' : 'default-gateway-v6';
  for (const aux of fs.entry.auxAddresses) {
    const auxPath = isDefaultBridge(n) ? d.paths[daemonKey] ?? fs.entry.path : [...fs.entry.path, 'aux_addresses', aux.name];
    const a = parseAddr(aux.address);
    if (!a || a.family !== family) {
      space.diagnostics.push(error('BAD_ADDRESS', auxPath, `auxiliary address "${aux.address}" is not an IPv${family} address`, space.fileOf(n)));
      continue;
    }
    if (!contains(fs.subnet, a)) {
      const what = isDefaultBridge(n) ? `${daemonKey} ${aux.address} is not inside the default bridge subnet ${prefixString(fs.subnet)} (dockerd: auxiliary address must belong to the master pool)` : `auxiliary address ${aux.address} is not inside the subnet ${prefixString(fs.subnet)}`;
      space.diagnostics.push(error('ADDRESS_OUTSIDE_SUBNET', auxPath, what, space.fileOf(n)));
      continue;
    }
    if (pinConflict(space, n, fs, a.value, auxPath, `auxiliary address ${aux.address}`)) continue;
    if (aux.name === 'DefaultGatewayIPv4' || aux.name === 'DefaultGatewayIPv6') fs.defaultGateway = a.value;
    fs.set.add(a.value);
  }
}

/** What familyState reads besides the network: the explicit subnets, and what the lock pins. */
interface Taken {
  readonly explicit: ReadonlyMap<IpamConfigEntry, Prefix>;
  readonly pinned: ReadonlyMap<string, Prefix | undefined>;
  readonly endpoints: PinnedEndpoints;
}

/**
 * One family of `n`: its subnet (explicit, pinned by the lock, or from the pools), range, the lock's
 * addresses, the gateway and aux addresses.
 */
function familyState(space: SubnetSpace, taken: Taken, n: Network, family: Family): FamilyState | undefined {
  const entries = family === 4 ? n.ipamV4 : n.ipamV6;
  // One subnet per family: the first config entry (Docker allows several; netform routes one).
  const entry: IpamConfigEntry = entries[0] ?? { auxAddresses: [], path: n.path };
  if (entries.length > 1) {
    space.diagnostics.push(error('UNSUPPORTED', entries[1]!.path, `only one IPv${family} subnet per network is supported`));
  }
  const pinnedId = pinnedSubnetId(n.name, family);
  let subnet = entry.subnet ? taken.explicit.get(entry) : taken.pinned.get(pinnedId);
  if (entry.subnet && !subnet) return undefined; // already reported
  if (!subnet) {
    subnet = lowestFreeSubnet(space.pools[family], family, space.taken[family]);
    if (!subnet) {
      if (space.badPools[family]) return undefined;
      if (space.onExhausted) space.onExhausted({ kind: 'pool', network: n.name, family });
      else space.diagnostics.push(error('POOL_EXHAUSTED', n.path, `all predefined address pools have been fully subnetted: no free IPv${family} subnet for network "${n.name}"`, space.fileOf(n)));
      return undefined;
    }
    space.take(subnet, n.name, false);
  }
  if (!entry.subnet) space.lock.chose(subnetKey(n.name, family), prefixString(subnet), n.path);
  const set = new AddressSet(subnet);
  // Reserved in every subnet: the network address (IPv6: the subnet-router anycast) and the IPv4
  // broadcast, except in /31 and /32 (/127, /128) where every address is a host.
  if ((family === 4 ? 32 : 128) - subnet.length > 1) {
    set.add(networkOf(subnet));
    if (family === 4) set.add(lastOf(subnet));
  }
  const fs: FamilyState = { subnet, range: allocationRange(space, n, family, entry, subnet), set, entry };
  // A pinned subnet refused is the problem already reported; its addresses are not checked against another.
  if (!(taken.pinned.has(pinnedId) && !taken.pinned.get(pinnedId))) {
    reservePinnedAddresses(space, taken.endpoints, n, family, fs, !entry.gateway && !skipsGateway(n, family));
  }
  allocateGateway(space, n, family, fs);
  reserveAuxAddresses(space, n, family, fs);
  return fs;
}

/**
 * Every network's subnets, in model order. `hostFacts` false: as swarm's manager allocates, knowing
 * nothing of a host (no routes or nameservers to avoid, no host-derived IPv6 ULA pool). With a lock, the
 * subnets it pins are taken after the explicit ones and before any from the pools.
 */
export function networkSubnets(
  model: Model,
  hostFacts: boolean,
  diagnostics: Diagnostic[],
  lock: LockScope,
  endpoints: PinnedEndpoints,
  onExhausted?: (x: Exhausted) => void,
): Map<string, NetworkState> {
  const space = new SubnetSpace(model, hostFacts, diagnostics, lock, onExhausted);
  const explicit = explicitSubnets(space);
  const taken: Taken = { explicit, pinned: pinnedSubnets(space), endpoints };
  const states = new Map<string, NetworkState>();
  for (const n of model.networks) {
    const st: NetworkState = {};
    states.set(n.name, st);
    for (const family of [4, 6] as const) {
      if (!(family === 4 ? n.enableIPv4 : n.enableIPv6)) continue;
      const fs = familyState(space, taken, n, family);
      if (fs) st[family] = fs;
    }
  }
  return states;
}
