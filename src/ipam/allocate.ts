// IPAM as dockerd's default driver does it (Docker 29): subnets for networks, the gateway, auxiliary
// addresses, then container addresses.
//
// Order: networks are created in model order (the default bridge first), containers join in file
// order, and each dynamic address is the lowest free one in the network's range (AddAny, not serial).
// One deliberate difference: every static address (ipv4_address / ipv6_address) and every explicit
// subnet is reserved before anything dynamic is allocated. Docker reserves them when it reaches them,
// so there a dynamic allocation made earlier can take an address a later declaration asks for and the
// later `docker run` fails; a declarative file has no "earlier", so netform keeps them apart instead.
import { error, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { BridgeNetwork, IpamConfigEntry, Model } from '../model/types.ts';
import {
  addrFrom, contains, hostPrefix, isMasked, lastOf, masked, networkOf, overlaps, parseAddr, parsePrefix, prefixString, unmap, valueString, within,
  type Addr, type Family, type Prefix,
} from '../net/index.ts';
import { DEFAULT_LOCAL_POOLS, lowestFreeSubnet, normalisePools, ulaPool, type PoolSpec } from './pools.ts';
import { AddressSpace } from './space.ts';
import type { Addressing, FamilyAddressing } from './types.ts';

const key = (container: string, network: string) => `${container}\u0000${network}`;

/**
 * Nameservers of the host's resolv.conf: dockerd keeps predefined subnets clear of them
 * (InferReservedNetworks), each as a single-address prefix (the resolv.conf parser reads them with
 * netip.ParseAddr; a prefix drops the zone).
 */
function hostNameservers(text: string | undefined): Prefix[] {
  const out: Prefix[] = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    const a = m && parseAddr(m[1]!);
    if (a) out.push(hostPrefix(a));
  }
  return out;
}

class AddressSet {
  private readonly used = new Set<bigint>();
  /** Addresses are only ever added, so the lowest free address of a range only moves up: remember it. */
  private readonly cursor = new Map<string, bigint>();
  constructor(readonly subnet: Prefix) {}
  has(v: bigint): boolean {
    return this.used.has(v);
  }
  add(v: bigint): void {
    this.used.add(v);
  }
  /** The lowest free address in `range`; the subnet's network address (and IPv4 broadcast) are never free. */
  lowestFree(range: Prefix): bigint | undefined {
    const k = `${range.address}/${range.length}`;
    const last = lastOf(range);
    for (let v = this.cursor.get(k) ?? networkOf(range); v <= last; v++) {
      if (!this.used.has(v)) {
        this.cursor.set(k, v);
        return v;
      }
    }
    return undefined;
  }
}

interface FamilyState {
  readonly subnet: Prefix;
  readonly range: Prefix;
  readonly set: AddressSet;
  readonly entry: IpamConfigEntry;
  gateway?: bigint;
  defaultGateway?: bigint;
}

export interface AllocateOptions {
  /**
   * false: allocate as swarm's manager does (ipam/swarm.ts), knowing nothing of a host: no host routes or
   * nameservers to avoid, no host-derived IPv6 ULA pool. Default true (a dockerd on its host).
   */
  readonly hostFacts?: boolean;
}

export function allocateAddresses(model: Model, options: AllocateOptions = {}): { addressing: Addressing; diagnostics: Diagnostic[] } {
  const hostFacts = options.hostFacts ?? true;
  const diagnostics: Diagnostic[] = [];
  const d = model.daemon;
  const fileOf = (n: BridgeNetwork) => (n.isDefault && d.file ? { file: d.file } : {});
  const routes = model.host.routes.map((r) => ({ cidr: r.cidr, prefix: parsePrefix(r.cidr) })).filter((r): r is { cidr: string; prefix: Prefix } => !!r.prefix);
  const reserved = hostFacts ? [...routes.map((r) => masked(r.prefix)), ...hostNameservers(model.host.resolvConf)] : [];
  const allocated: { prefix: Prefix; network: string; path: readonly (string | number)[] }[] = [];
  const states = new Map<string, { 4?: FamilyState; 6?: FamilyState }>();
  // The same prefixes as interval sets per family: `explicitSpace` holds allocated subnets (disjoint),
  // `takenSpace` also the reserved ones, which predefined pools avoid.
  const explicitSpace = { 4: new AddressSpace(), 6: new AddressSpace() };
  const takenSpace = { 4: new AddressSpace(), 6: new AddressSpace() };
  for (const p of reserved) takenSpace[p.family].addPrefix(p);

  // Explicit subnets first (see the header comment), in model order.
  const explicit = new Map<IpamConfigEntry, Prefix>();
  for (const n of model.networks) {
    for (const entry of [...n.ipamV4, ...n.ipamV6]) {
      if (!entry.subnet) continue;
      const p = parsePrefix(entry.subnet);
      const subnetPath = n.isDefault ? entry.path : [...entry.path, 'subnet'];
      if (!p) {
        diagnostics.push(error('BAD_PREFIX', subnetPath, `"${entry.subnet}" is not a CIDR prefix`, fileOf(n)));
        continue;
      }
      if (!n.isDefault && !isMasked(p)) {
        diagnostics.push(error('BAD_PREFIX', subnetPath, `invalid subnet ${entry.subnet}: it should be ${prefixString(masked(p))}`));
        continue;
      }
      const m = masked(p);
      if (explicitSpace[m.family].overlaps(m)) {
        // The first subnet (in model order) it overlaps, for the message.
        const clash = allocated.find((a) => overlaps(a.prefix, m))!;
        diagnostics.push(error('SUBNET_OVERLAP', subnetPath, `subnet ${prefixString(m)} overlaps ${prefixString(clash.prefix)} of network "${clash.network}"`, fileOf(n)));
        continue;
      }
      const route = routes.find((r) => overlaps(masked(r.prefix), m));
      if (route) {
        diagnostics.push(error('SUBNET_OVERLAP', subnetPath, `subnet ${prefixString(m)} overlaps the host route ${route.cidr} (host.routes): containers could not reach that network`, fileOf(n)));
      }
      allocated.push({ prefix: m, network: n.name, path: subnetPath });
      explicitSpace[m.family].addPrefix(m);
      takenSpace[m.family].addPrefix(m);
      explicit.set(entry, m);
    }
  }

  const poolSpecsV4: readonly PoolSpec[] = d.defaultAddressPools?.length ? d.defaultAddressPools : DEFAULT_LOCAL_POOLS;
  const poolSpecsV6: readonly PoolSpec[] = [...(d.defaultAddressPools ?? []), ...(hostFacts ? [ulaPool(model.host.name)] : [])];
  const pools = { 4: normalisePools(poolSpecsV4, 4), 6: normalisePools(poolSpecsV6, 6) };

  for (const n of model.networks) {
    const st: { 4?: FamilyState; 6?: FamilyState } = {};
    states.set(n.name, st);
    for (const family of [4, 6] as const) {
      const enabled = family === 4 ? n.enableIPv4 : n.enableIPv6;
      if (!enabled) continue;
      const entries = family === 4 ? n.ipamV4 : n.ipamV6;
      // One subnet per family: the first config entry (Docker allows several; netform routes one).
      const entry: IpamConfigEntry = entries[0] ?? { auxAddresses: [], path: n.path };
      if (entries.length > 1) {
        diagnostics.push(error('UNSUPPORTED', entries[1]!.path, `only one IPv${family} subnet per network is supported`));
      }
      let subnet = entry.subnet ? explicit.get(entry) : undefined;
      if (entry.subnet && !subnet) continue; // already reported
      if (!subnet) {
        subnet = lowestFreeSubnet(pools[family], family, takenSpace[family]);
        if (!subnet) {
          diagnostics.push(error('POOL_EXHAUSTED', n.path, `all predefined address pools have been fully subnetted: no free IPv${family} subnet for network "${n.name}"`, fileOf(n)));
          continue;
        }
        allocated.push({ prefix: subnet, network: n.name, path: n.path });
        takenSpace[family].addPrefix(subnet);
      }
      const set = new AddressSet(subnet);
      // Reserved in every subnet: the network address (IPv6: the subnet-router anycast) and the IPv4
      // broadcast, except in /31 and /32 (/127, /128) where every address is a host.
      const hostBits = (family === 4 ? 32 : 128) - subnet.length;
      if (hostBits > 1) {
        set.add(networkOf(subnet));
        if (family === 4) set.add(lastOf(subnet));
      }
      let range = subnet;
      if (entry.ipRange) {
        const r = parsePrefix(entry.ipRange);
        const rangePath = n.isDefault ? entry.path : [...entry.path, 'ip_range'];
        if (!r || r.family !== family) diagnostics.push(error('BAD_PREFIX', rangePath, `"${entry.ipRange}" is not an IPv${family} CIDR prefix`, fileOf(n)));
        else if (!n.isDefault && !isMasked(r)) diagnostics.push(error('BAD_PREFIX', rangePath, `invalid ip-range ${entry.ipRange}: it should be ${prefixString(masked(r))}`));
        else if (!within(masked(r), subnet)) diagnostics.push(error('ADDRESS_OUTSIDE_RANGE', rangePath, `ip_range ${entry.ipRange} is not inside the subnet ${prefixString(subnet)}`, fileOf(n)));
        else range = masked(r);
      }
      const fs: FamilyState = { subnet, range, set, entry };
      st[family] = fs;

      // Gateway: as given, else the first free address of the range. Isolated networks, and internal
      // ones with inhibit_ipv4, get none (bridge driver GetSkipGwAlloc).
      const skipGw = family === 4 ? n.gatewayModeV4 === 'isolated' || (n.inhibitIPv4 && n.internal) : n.gatewayModeV6 === 'isolated';
      const gwPath = n.isDefault ? d.paths[family === 4 ? 'bip' : 'bip6'] ?? entry.path : [...entry.path, 'gateway'];
      if (entry.gateway) {
        const g = parseAddr(entry.gateway);
        if (!g || g.family !== family) diagnostics.push(error('BAD_ADDRESS', gwPath, `gateway "${entry.gateway}" is not an IPv${family} address`, fileOf(n)));
        else if (!contains(subnet, g)) diagnostics.push(error('BAD_GATEWAY', gwPath, `gateway ${entry.gateway} is not inside the subnet ${prefixString(subnet)}`, fileOf(n)));
        else if (hostBits > 1 && (g.value === networkOf(subnet) || (family === 4 && g.value === lastOf(subnet)))) {
          diagnostics.push(error('BAD_GATEWAY', gwPath, `gateway ${entry.gateway} is the ${g.value === networkOf(subnet) ? 'network' : 'broadcast'} address of ${prefixString(subnet)}`, fileOf(n)));
        } else {
          fs.gateway = g.value;
          set.add(g.value);
        }
      } else if (!skipGw) {
        const g = set.lowestFree(range);
        if (g === undefined) diagnostics.push(error('POOL_EXHAUSTED', n.path, `no free address for the gateway in ${prefixString(range)}`, fileOf(n)));
        else {
          fs.gateway = g;
          set.add(g);
        }
      }
      // Auxiliary addresses must be in the subnet; they are reserved (network.go ipamAllocateVersion).
      entry.auxAddresses.forEach((aux) => {
        const auxPath = n.isDefault ? d.paths[family === 4 ? 'default-gateway' : 'default-gateway-v6'] ?? entry.path : [...entry.path, 'aux_addresses', aux.name];
        const a = parseAddr(aux.address);
        if (!a || a.family !== family) {
          diagnostics.push(error('BAD_ADDRESS', auxPath, `auxiliary address "${aux.address}" is not an IPv${family} address`, fileOf(n)));
          return;
        }
        if (!contains(subnet, a)) {
          const what = n.isDefault ? `${family === 4 ? 'default-gateway' : 'default-gateway-v6'} ${aux.address} is not inside the default bridge subnet ${prefixString(subnet)} (dockerd: auxiliary address must belong to the master pool)` : `auxiliary address ${aux.address} is not inside the subnet ${prefixString(subnet)}`;
          diagnostics.push(error('ADDRESS_OUTSIDE_SUBNET', auxPath, what, fileOf(n)));
          return;
        }
        if (aux.name === 'DefaultGatewayIPv4' || aux.name === 'DefaultGatewayIPv6') fs.defaultGateway = a.value;
        set.add(a.value);
      });
    }
  }

  // Container addresses: statics first, then dynamic ones in join order.
  const endpoints = new Map<string, { v4?: Addr; v6?: Addr }>();
  const staticOwner = new Map<string, string>();
  for (const c of model.containers) {
    if (c.mode.kind !== 'networks') continue;
    for (const e of c.endpoints) {
      const st = states.get(e.network);
      if (!st) continue;
      const slot: { v4?: Addr; v6?: Addr } = {};
      endpoints.set(key(c.name, e.network), slot);
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
  for (const c of model.containers) {
    if (c.mode.kind !== 'networks') continue;
    for (const e of c.endpoints) {
      const st = states.get(e.network);
      const slot = endpoints.get(key(c.name, e.network));
      if (!st || !slot) continue;
      for (const family of [4, 6] as const) {
        const fs = st[family];
        const slotKey = family === 4 ? 'v4' : 'v6';
        if (!fs || slot[slotKey] || (family === 4 ? e.ipv4Address : e.ipv6Address)) continue;
        const v = fs.set.lowestFree(fs.range);
        if (v === undefined) {
          diagnostics.push(error('POOL_EXHAUSTED', e.path, `no free IPv${family} address left in ${prefixString(fs.range)} of network "${e.network}"`));
          continue;
        }
        fs.set.add(v);
        slot[slotKey] = addrFrom(family, v);
      }
    }
  }

  const addressing: Addressing = { networks: new Map(), endpoints: new Map() };
  for (const [name, st] of states) {
    const fam = (fs: FamilyState | undefined, family: Family): FamilyAddressing | undefined =>
      fs && {
        subnet: prefixString(fs.subnet),
        prefixLength: fs.subnet.length,
        ...(fs.gateway !== undefined ? { gateway: valueString(family, fs.gateway) } : {}),
        ...(fs.range !== fs.subnet ? { range: prefixString(fs.range) } : {}),
        ...(fs.defaultGateway !== undefined ? { defaultGateway: valueString(family, fs.defaultGateway) } : {}),
      };
    const v4 = fam(st[4], 4);
    const v6 = fam(st[6], 6);
    addressing.networks.set(name, { ...(v4 ? { v4 } : {}), ...(v6 ? { v6 } : {}) });
  }
  for (const [k, slot] of endpoints) {
    addressing.endpoints.set(k, {
      ...(slot.v4 ? { v4: valueString(4, slot.v4.value) } : {}),
      ...(slot.v6 ? { v6: valueString(6, slot.v6.value) } : {}),
    });
  }
  return { addressing, diagnostics };
}

export const endpointKey = key;
