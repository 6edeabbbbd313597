// IPAM as dockerd's default driver does it (Docker 29): subnets for networks, the gateway, auxiliary
// addresses, then container addresses.
//
// Order: networks are created in model order (the default bridge first), containers join in file
// order, and each dynamic address is the lowest free one in the network's range (AddAny, not serial).
// One deliberate difference: every static address (ipv4_address / ipv6_address) and every explicit
// subnet is reserved before anything dynamic is allocated. Docker reserves them when it reaches them,
// so there a dynamic allocation made earlier can take an address a later declaration asks for and the
// later `docker run` fails; a declarative file has no "earlier", so netform keeps them apart instead.
//
// With a lock (lock/, docs/lock.md) the allocations it pins are taken first, each subnet's after the
// explicit ones and each address's after its network's subnet (pins.ts), and only what is new is
// allocated as above, around them: inserting, removing or reordering items renumbers nothing.
import { error, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { addressKey, NO_LOCK, type LockScope } from '../lock/index.ts';
import type { Model } from '../model/types.ts';
import { addrFrom, contains, lastOf, networkOf, parseAddr, prefixString, unmap, valueString, type Addr, type Family } from '../net/index.ts';
import { pinnedEndpoints, pinTakenMessage } from './pins.ts';
import { networkSubnets, type FamilyState, type NetworkState } from './subnets.ts';
import type { Addressing, Exhausted, FamilyAddressing } from './types.ts';

/** Key of an endpoint in Addressing.endpoints. */
export const endpointKey = (container: string, network: string) => `${container}\u0000${network}`;

type Slot = { v4?: Addr; v6?: Addr };

export interface AllocateOptions {
  /**
   * false: allocate as swarm's manager does (ipam/swarm.ts), knowing nothing of a host: no host routes or
   * nameservers to avoid, no host-derived IPv6 ULA pool. Default true (a dockerd on its host).
   */
  readonly hostFacts?: boolean;
  /**
   * Told, instead of a diagnostic, when the pools have no subnet left for a network or a network has no
   * address left for an endpoint: swarm's resources are shared by the fleet, and ipam/swarm.ts reports
   * their exhaustion once, at the setting to change.
   */
  readonly onExhausted?: (x: Exhausted) => void;
  /** The lock's allocations in this scope, and where the choices go (default: no lock). */
  readonly lock?: LockScope;
}

/** Static addresses (ipv4_address / ipv6_address), every one before any dynamic one; a slot per endpoint. */
function staticAddresses(model: Model, states: ReadonlyMap<string, NetworkState>, diagnostics: Diagnostic[]): Map<string, Slot> {
  const endpoints = new Map<string, Slot>();
  const staticOwner = new Map<string, string>();
  for (const c of model.containers) {
    if (c.mode.kind !== 'networks') continue;
    for (const e of c.endpoints) {
      const st = states.get(e.network);
      if (!st) continue;
      const slot: Slot = {};
      endpoints.set(endpointKey(c.name, e.network), slot);
      for (const [family, text, field] of [[4, e.ipv4Address, 'ipv4_address'], [6, e.ipv6Address, 'ipv6_address']] as const) {
        if (!text) continue;
        const fs = st[family];
        // normalizeEndpointIPAMConfig (daemon/container_operations.go) unmaps the static addresses.
        const parsed = parseAddr(text);
        const a = parsed && unmap(parsed);
        if (!fs || !a || a.family !== family) continue; // reported by model checks
        const p = [...e.path, field];
        if (!contains(fs.subnet, a)) {
          diagnostics.push(error('ADDRESS_OUTSIDE_SUBNET', p, `${text} is not inside the subnet ${prefixString(fs.subnet)} of network "${e.network}" (dockerd: no configured subnet contains IP address ${text})`));
          continue;
        }
        const owner = staticOwner.get(`${e.network}\u0000${a.value}`);
        if (owner) {
          diagnostics.push(error('DUPLICATE_ADDRESS', p, `${text} is already assigned to container "${owner}" on network "${e.network}"`));
          continue;
        }
        const pinned = fs.pins?.holders.get(a.value);
        if (pinned) {
          diagnostics.push(error('LOCK_CONFLICT', p, pinTakenMessage(text, pinned, e.network)));
          continue;
        }
        if (fs.set.has(a.value)) {
          const why = a.value === fs.gateway ? 'the gateway' : a.value === networkOf(fs.subnet) ? 'the network address' : family === 4 && a.value === lastOf(fs.subnet) ? 'the broadcast address' : 'reserved (auxiliary address)';
          diagnostics.push(error('DUPLICATE_ADDRESS', p, `${text} is ${why} of network "${e.network}"`));
          continue;
        }
        fs.set.add(a.value);
        staticOwner.set(`${e.network}\u0000${a.value}`, c.name);
        slot[family === 4 ? 'v4' : 'v6'] = a;
      }
    }
  }
  return endpoints;
}

/** The other addresses: the one the lock pins, else the lowest free one of the range, in join order. */
function dynamicAddresses(model: Model, states: ReadonlyMap<string, NetworkState>, endpoints: ReadonlyMap<string, Slot>, diagnostics: Diagnostic[], onExhausted?: AllocateOptions['onExhausted']): void {
  for (const c of model.containers) {
    if (c.mode.kind !== 'networks') continue;
    for (const e of c.endpoints) {
      const st = states.get(e.network);
      const slot = endpoints.get(endpointKey(c.name, e.network));
      if (!st || !slot) continue;
      for (const family of [4, 6] as const) {
        const fs = st[family];
        const slotKey = family === 4 ? 'v4' : 'v6';
        if (!fs || slot[slotKey] || (family === 4 ? e.ipv4Address : e.ipv6Address)) continue;
        const v = fs.pins?.endpoints.get(c.name) ?? fs.set.lowestFree(fs.range);
        if (v === undefined) {
          if (onExhausted) onExhausted({ kind: 'address', network: e.network, family, range: prefixString(fs.range), container: c.name });
          else diagnostics.push(error('POOL_EXHAUSTED', e.path, `no free IPv${family} address left in ${prefixString(fs.range)} of network "${e.network}"`));
          continue;
        }
        fs.set.add(v);
        slot[slotKey] = addrFrom(family, v);
      }
    }
  }
}

/** What was decided, as text. */
function addressing(states: ReadonlyMap<string, NetworkState>, endpoints: ReadonlyMap<string, Slot>): Addressing {
  const out: Addressing = { networks: new Map(), endpoints: new Map() };
  const fam = (fs: FamilyState | undefined, family: Family): FamilyAddressing | undefined =>
    fs && {
      subnet: prefixString(fs.subnet),
      prefixLength: fs.subnet.length,
      ...(fs.gateway !== undefined ? { gateway: valueString(family, fs.gateway) } : {}),
      ...(fs.range !== fs.subnet ? { range: prefixString(fs.range) } : {}),
      ...(fs.defaultGateway !== undefined ? { defaultGateway: valueString(family, fs.defaultGateway) } : {}),
    };
  for (const [name, st] of states) {
    const v4 = fam(st[4], 4);
    const v6 = fam(st[6], 6);
    out.networks.set(name, { ...(v4 ? { v4 } : {}), ...(v6 ? { v6 } : {}) });
  }
  for (const [k, slot] of endpoints) {
    out.endpoints.set(k, {
      ...(slot.v4 ? { v4: valueString(4, slot.v4.value) } : {}),
      ...(slot.v6 ? { v6: valueString(6, slot.v6.value) } : {}),
    });
  }
  return out;
}

/** Records every endpoint address the input left to netform. */
function recordAddresses(model: Model, endpoints: ReadonlyMap<string, Slot>, lock: LockScope): void {
  for (const c of model.containers) {
    if (c.mode.kind !== 'networks') continue;
    for (const e of c.endpoints) {
      const slot = endpoints.get(endpointKey(c.name, e.network));
      if (slot?.v4 && !e.ipv4Address) lock.chose(addressKey(e.network, c.name, 4), valueString(4, slot.v4.value), e.path);
      if (slot?.v6 && !e.ipv6Address) lock.chose(addressKey(e.network, c.name, 6), valueString(6, slot.v6.value), e.path);
    }
  }
}

export function allocateAddresses(model: Model, options: AllocateOptions = {}): { addressing: Addressing; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lock = options.lock ?? NO_LOCK;
  const states = networkSubnets(model, options.hostFacts ?? true, diagnostics, lock, pinnedEndpoints(model, lock), options.onExhausted);
  const endpoints = staticAddresses(model, states, diagnostics);
  dynamicAddresses(model, states, endpoints, diagnostics, options.onExhausted);
  if (lock.active) recordAddresses(model, endpoints, lock);
  return { addressing: addressing(states, endpoints), diagnostics };
}
