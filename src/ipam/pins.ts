// The lock's allocations in IPAM. Pinned subnets are taken before any subnet comes from the pools, and in
// each subnet the pinned gateway and container addresses before anything dynamic, so that a new network
// or container takes the lowest free one around them (as a dockerd that kept its networks would). A pin
// the input no longer allows (its subnet or range edited, the address now given to something else) is
// a LOCK_CONFLICT at the input's line, naming the lock's line: never a silent renumbering.
import { error, type YamlPath } from '../diagnostics/diagnostic.ts';
import { addressKey, gatewayKey, subnetKey, type LockScope, type Pinned } from '../lock/index.ts';
import { isDefaultBridge } from '../model/network-types.ts';
import type { Model, Network } from '../model/types.ts';
import { contains, lastOf, networkOf, overlaps, parseAddr, parsePrefix, prefixString, valueString, type Family, type Prefix } from '../net/index.ts';
import { holderText } from './holders.ts';
import type { SubnetSpace } from './subnet-space.ts';

/** Who the lock gives a pinned address to, for messages. */
export interface PinHolder {
  readonly what: string;
  readonly where: string;
}

/** An address the input gives that the lock pins to something else. */
export const pinTakenMessage = (text: string, holder: PinHolder, network: string): string =>
  `${text} is the address ${holder.where} gives ${holder.what} on network "${network}": delete that entry from the lock to let netform give ${holder.what} another`;

/** The addresses the lock pins in one family of one network. */
export interface FamilyPins {
  readonly holders: Map<bigint, PinHolder>;
  /** Pinned address of each container (holder name) on the network. */
  readonly endpoints: Map<string, bigint>;
}

interface PinnedEndpoint {
  readonly container: string;
  readonly family: Family;
  readonly pinned: Pinned;
  readonly value: bigint;
  /** The endpoint in the input. */
  readonly path: YamlPath;
}

/** The pinned endpoint addresses of each network, for endpoints that leave the address to netform. */
export type PinnedEndpoints = ReadonlyMap<string, readonly PinnedEndpoint[]>;

const familyWord = (family: Family) => (family === 4 ? 'ipv4' : 'ipv6');

export function pinnedEndpoints(model: Model, lock: LockScope): PinnedEndpoints {
  const out = new Map<string, PinnedEndpoint[]>();
  if (!lock.active) return out;
  for (const c of model.containers) {
    if (c.mode.kind !== 'networks') continue;
    for (const e of c.endpoints) {
      for (const family of [4, 6] as const) {
        // An address the input gives supersedes the lock's.
        if (family === 4 ? e.ipv4Address : e.ipv6Address) continue;
        const pinned = lock.pinned(addressKey(e.network, c.name, family));
        if (!pinned) continue;
        const list = out.get(e.network) ?? [];
        list.push({ container: c.name, family, pinned, value: parseAddr(String(pinned.value))!.value, path: e.path });
        out.set(e.network, list);
      }
    }
  }
  return out;
}

/** What a pinned subnet overlaps: a subnet taken before it, a host route, a host nameserver. */
function subnetClash(space: SubnetSpace, p: Prefix): string | undefined {
  const subnet = space.allocated.find((a) => overlaps(a.prefix, p));
  if (subnet) return `the subnet ${prefixString(subnet.prefix)} of network "${subnet.network}"`;
  const route = space.routes.find((r) => overlaps(r.prefix, p));
  if (route) return `the host route ${route.cidr} (host.routes)`;
  const ns = space.nameservers.find((x) => overlaps(x, p));
  if (ns) return `the host's nameserver ${valueString(ns.family, ns.address)} (host.resolv_conf)`;
  return undefined;
}

/**
 * The pinned subnets of networks whose input gives none, checked and taken before any comes from the
 * pools; a refused one maps to undefined (its addresses are not checked again: the subnet is the problem).
 */
export function pinnedSubnets(space: SubnetSpace): Map<string, Prefix | undefined> {
  const out = new Map<string, Prefix | undefined>();
  if (!space.lock.active) return out;
  for (const n of space.model.networks) {
    for (const family of [4, 6] as const) {
      if (!(family === 4 ? n.enableIPv4 : n.enableIPv6) || (family === 4 ? n.ipamV4 : n.ipamV6)[0]?.subnet) continue;
      const pinned = space.lock.pinned(subnetKey(n.name, family));
      if (!pinned) continue;
      const prefix = parsePrefix(String(pinned.value))!;
      const clash = subnetClash(space, prefix);
      if (clash) {
        const message = `${space.lock.where(pinned)} gives network "${n.name}" the subnet ${prefixString(prefix)}, which overlaps ${clash}: delete networks.${n.name}.${familyWord(family)} from the lock to let netform choose another`;
        space.diagnostics.push(error('LOCK_CONFLICT', n.path, message, { atKey: true, ...space.fileOf(n) }));
        out.set(pinnedSubnetId(n.name, family), undefined);
        continue;
      }
      space.take(prefix, n.name, false);
      out.set(pinnedSubnetId(n.name, family), prefix);
    }
  }
  return out;
}

export const pinnedSubnetId = (network: string, family: Family): string => `${network}\u0000${family}`;

/** The state pinned addresses go into (subnets.ts FamilyState). */
interface PinTarget {
  readonly subnet: Prefix;
  readonly range: Prefix;
  readonly set: { has(v: bigint): boolean; add(v: bigint): void };
  gateway?: bigint;
  pins?: FamilyPins;
}

/** Why an address of the subnet is not free for a pin. */
function takenBy(fs: PinTarget, family: Family, v: bigint): string {
  const holder = fs.pins?.holders.get(v);
  if (holder) return `the one ${holder.where} gives ${holder.what}`;
  if (v === fs.gateway) return 'the gateway';
  if (v === networkOf(fs.subnet)) return 'the network address';
  if (family === 4 && v === lastOf(fs.subnet)) return 'the broadcast address';
  return 'reserved (auxiliary address)';
}

/** Lists pins for a message: the first three, then how many more. */
function listPins(items: readonly { what: string; value: bigint; where: string }[], family: Family): string {
  const shown = items.slice(0, 3).map((x) => `${x.what} ${valueString(family, x.value)} (${x.where})`);
  return items.length > 3 ? `${shown.join(', ')} and ${items.length - 3} more` : shown.join(', ');
}

/**
 * The pinned gateway (when the input leaves it to netform) and container addresses of one family of `n`,
 * taken before anything dynamic. Pins outside the subnet (or the range) are one diagnostic per network.
 */
export function reservePinnedAddresses(space: SubnetSpace, index: PinnedEndpoints, n: Network, family: Family, fs: PinTarget, gatewayFree: boolean): void {
  const lock = space.lock;
  if (!lock.active) return;
  const pins: FamilyPins = { holders: new Map(), endpoints: new Map() };
  fs.pins = pins;
  const outside: { what: string; value: bigint; where: string }[] = [];
  const outsideRange: typeof outside = [];
  const take = (what: string, pinned: Pinned, value: bigint, path: YamlPath): boolean => {
    const where = lock.where(pinned);
    if (!contains(fs.subnet, { family, value, zone: '' })) outside.push({ what, value, where });
    else if (fs.set.has(value)) {
      const message = `${where} gives ${what} the address ${valueString(family, value)} on network "${n.name}", which is ${takenBy(fs, family, value)}: delete it from the lock to let netform choose another`;
      space.diagnostics.push(error('LOCK_CONFLICT', path, message, { ...(path === n.path ? { atKey: true } : {}), ...space.fileOf(n) }));
    } else {
      fs.set.add(value);
      pins.holders.set(value, { what, where });
      return true;
    }
    return false;
  };
  const gw = gatewayFree ? lock.pinned(gatewayKey(n.name, family)) : undefined;
  if (gw) {
    const value = parseAddr(String(gw.value))!.value;
    if (take('the gateway', gw, value, n.path)) fs.gateway = value;
  }
  for (const x of index.get(n.name) ?? []) {
    if (x.family !== family) continue;
    const what = holderText(x.container);
    if (contains(fs.subnet, { family, value: x.value, zone: '' }) && !contains(fs.range, { family, value: x.value, zone: '' })) {
      outsideRange.push({ what, value: x.value, where: lock.where(x.pinned) });
    } else if (take(what, x.pinned, x.value, x.path)) pins.endpoints.set(x.container, x.value);
  }
  const entry = (family === 4 ? n.ipamV4 : n.ipamV6)[0];
  const at = (field: 'subnet' | 'ip_range') => (entry?.[field === 'subnet' ? 'subnet' : 'ipRange'] ? (isDefaultBridge(n) ? entry.path : [...entry.path, field]) : n.path);
  const renumber = `delete them (or networks.${n.name}) from the lock to let netform renumber them`;
  if (outside.length > 0) {
    const message = `the subnet of network "${n.name}" is ${prefixString(fs.subnet)}, but the lock pins addresses outside it: ${listPins(outside, family)}; ${renumber}`;
    space.diagnostics.push(error('LOCK_CONFLICT', at('subnet'), message, { ...(at('subnet') === n.path ? { atKey: true } : {}), ...space.fileOf(n) }));
  }
  if (outsideRange.length > 0) {
    const message = `the range of network "${n.name}" is ${prefixString(fs.range)}, but the lock pins container addresses outside it: ${listPins(outsideRange, family)}; ${renumber}`;
    space.diagnostics.push(error('LOCK_CONFLICT', at('ip_range'), message, { ...(at('ip_range') === n.path ? { atKey: true } : {}), ...space.fileOf(n) }));
  }
}
