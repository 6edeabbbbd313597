// Published ports -> concrete host bindings, as the bridge driver computes them (Docker 29,
// port_mapping_linux.go sortAndNormPBs / configurePortBindingIPv4/IPv6, portmapperapi Compare),
// plus the host-port bookkeeping of the port allocator: conflicts, ranges and ephemeral ports. With a
// lock, a port netform picked (ephemeral, or one of a range) is kept: the ports it pins are reserved
// before any binding is made, and a new binding takes the lowest free port around them.
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { hostPortKey, NO_LOCK, type LockScope, type Pinned } from '../lock/index.ts';
import { compareAddr, familyOf, mustParseAddr } from '../net/index.ts';
import type { EndpointAddressing } from '../ipam/types.ts';
import type { BridgeNetwork, PortBinding } from '../model/types.ts';
import type { PortMapping } from './types.ts';

const PROTO_NUMBER = { tcp: 6, udp: 17, sctp: 132 } as const;
/** Linux's default net.ipv4.ip_local_port_range, where dockerd takes ephemeral host ports from. */
const EPHEMERAL = [32768, 60999] as const;

export interface BindingRequest {
  readonly mapper: 'nat' | 'routed';
  readonly proto: PortBinding['proto'];
  readonly hostIP: string;
  readonly hostPort: number;
  readonly hostPortEnd: number;
  readonly containerIP: string;
  readonly containerPort: number;
  readonly source: PortBinding;
  /** A binding whose host port netform picks: its key in the lock, and the port the lock pins. */
  lock?: { readonly spec: string; readonly pinned?: Pinned };
}

const isRange = (r: BindingRequest) => r.hostPort === 0 || r.hostPort !== r.hostPortEnd;

/** A binding as Docker's -p spells it (0.0.0.0::80/tcp, [::]:8000-8010:80/tcp), when netform picks its host port. */
function bindingSpec(r: BindingRequest): string | undefined {
  if (r.mapper === 'routed' || !isRange(r)) return undefined;
  const ip = r.hostIP.includes(':') ? `[${r.hostIP}]` : r.hostIP;
  return `${ip}:${r.hostPort === 0 ? '' : `${r.hostPort}-${r.hostPortEnd}`}:${r.containerPort}/${r.proto}`;
}

/**
 * Marks the bindings of one container (all its endpoints', in order) whose host port netform picks, with
 * the port the lock pins for each. A binding written twice is told apart by its number (` #2`).
 */
export function lockBindings(container: string, requests: readonly BindingRequest[], lock: LockScope): void {
  const seen = new Map<string, number>();
  for (const r of requests) {
    const base = bindingSpec(r);
    if (base === undefined) continue;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const spec = n === 1 ? base : `${base} #${n}`;
    const pinned = lock.pinned(hostPortKey(container, spec));
    r.lock = { spec, ...(pinned ? { pinned } : {}) };
  }
}

/** netip.Addr.Compare of two address texts: IPv4 sorts before IPv6, then by value. */
const compareAddrText = (a: string, b: string): number => compareAddr(mustParseAddr(a), mustParseAddr(b));

/** portmapperapi.PortBindingReq.Compare. */
function compareRequests(a: BindingRequest, b: BindingRequest): number {
  if (a.mapper !== b.mapper) return a.mapper < b.mapper ? -1 : 1;
  if (isRange(a) !== isRange(b)) return isRange(a) ? 1 : -1;
  if (a.containerPort !== b.containerPort) return a.containerPort - b.containerPort;
  if (a.proto !== b.proto) return PROTO_NUMBER[a.proto] - PROTO_NUMBER[b.proto];
  if (a.hostPort !== b.hostPort) return a.hostPort - b.hostPort;
  if (a.hostPortEnd !== b.hostPortEnd) return a.hostPortEnd - b.hostPortEnd;
  return compareAddrText(a.hostIP, b.hostIP) || compareAddrText(a.containerIP, b.containerIP);
}

export interface EndpointBindingContext {
  /** Ports are published on bridge networks only (the other drivers program no port mappings). */
  readonly network: BridgeNetwork;
  readonly addresses: EndpointAddressing;
  readonly isGw4: boolean;
  readonly isGw6: boolean;
  /** The container has an IPv6 gateway endpoint at all (if not, the IPv4 gateway also takes the IPv6 bindings). */
  readonly hasGw6: boolean;
  readonly userlandProxy: boolean;
}

/** The binding requests one endpoint programs, sorted as dockerd sorts them. */
export function endpointBindingRequests(ctx: EndpointBindingContext, ports: readonly PortBinding[]): BindingRequest[] {
  const c = ctx;
  const routed4 = c.network.gatewayModeV4 === 'routed';
  const routed6 = c.network.gatewayModeV6 === 'routed';
  const want4 = ctx.isGw4;
  const want6 = ctx.isGw6 || (!ctx.hasGw6 && ctx.isGw4);
  const add4 = want4 || routed4;
  const add6 = want6 || routed6;
  const defHostIP = c.network.hostBindingIPv4 || '0.0.0.0';
  const defFamily = familyOf(defHostIP);
  const out: BindingRequest[] = [];
  for (const b of ports) {
    const explicitFamily = b.hostIP === '' ? undefined : familyOf(b.hostIP);
    if (add4 && c.addresses.v4 && explicitFamily !== 6) {
      let hostIP = b.hostIP;
      let ok = true;
      if (hostIP === '') {
        if (defFamily === 6) ok = false;
        else hostIP = routed4 ? '0.0.0.0' : defHostIP;
      }
      if (ok && routed4 && hostIP !== '0.0.0.0') hostIP = '0.0.0.0'; // "Using address 0.0.0.0 because NAT is disabled"
      if (ok) out.push({ mapper: routed4 ? 'routed' : 'nat', proto: b.proto, hostIP, hostPort: b.hostPort, hostPortEnd: b.hostPortEnd, containerIP: c.addresses.v4, containerPort: b.containerPort, source: b });
    }
    // With no IPv6 on the endpoint, the userland proxy may forward host IPv6 to the container's IPv4.
    let containerIP = c.addresses.v6;
    if (!containerIP && ctx.isGw4 && add6 && ctx.userlandProxy) containerIP = c.addresses.v4;
    if (add6 && containerIP && explicitFamily !== 4) {
      let hostIP = b.hostIP;
      let ok = true;
      if (hostIP === '') {
        if (defHostIP === '0.0.0.0') hostIP = '::';
        else if (defFamily === 6) hostIP = routed6 ? '::' : defHostIP;
        else ok = false;
      }
      if (ok && routed6 && hostIP !== '::') hostIP = '::';
      if (ok) out.push({ mapper: routed6 ? 'routed' : 'nat', proto: b.proto, hostIP, hostPort: b.hostPort, hostPortEnd: b.hostPortEnd, containerIP, containerPort: b.containerPort, source: b });
    }
  }
  return out.sort(compareRequests);
}

interface PortUse {
  readonly ip: string;
  readonly family: 4 | 6 | undefined;
  readonly container: string;
  /** Held for this binding (its spec) by the lock before any binding was made. */
  readonly pin?: { readonly spec: string; readonly where: string };
}

/** The host ports a binding may take. */
const portRange = (r: BindingRequest): readonly [number, number] => (r.hostPort === 0 ? EPHEMERAL : [r.hostPort, r.hostPortEnd]);

/** Host-port bookkeeping across all containers of the host (the port allocator). */
export class HostPorts {
  /** Who holds each protocol/port, by address (few per port: a lookup is a short scan). */
  private readonly used = new Map<string, PortUse[]>();
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly lock: LockScope = NO_LOCK) {}

  private clash(proto: string, port: number, ip: string, skip?: (u: PortUse) => boolean): PortUse | undefined {
    const list = this.used.get(`${proto}/${port}`);
    if (!list) return undefined;
    const f = familyOf(ip);
    const wild = f === 4 ? '0.0.0.0' : '::';
    return list.find((u) => u.family === f && (u.ip === ip || u.ip === wild || ip === wild) && !skip?.(u));
  }

  private take(proto: string, port: number, ip: string, container: string, pin?: PortUse['pin']): void {
    const k = `${proto}/${port}`;
    const use = { ip, family: familyOf(ip), container, ...(pin ? { pin } : {}) };
    const list = this.used.get(k);
    if (list) list.push(use);
    else this.used.set(k, [use]);
  }

  /** Who holds a port, for a message. */
  private holder(u: PortUse): string {
    return u.pin ? `the port ${u.pin.where} gives container "${u.container}" (${u.pin.spec})` : `already published by container "${u.container}" (on ${u.ip})`;
  }

  /** Reserves the ports the lock pins for a container's bindings (lockBindings), before any binding is made. */
  reserve(container: string, requests: readonly BindingRequest[]): void {
    for (const r of requests) {
      const pinned = r.lock?.pinned;
      if (!pinned) continue;
      const port = pinned.value as number;
      const [start, end] = portRange(r);
      if (port < start || port > end) continue; // reported when it is bound
      const where = this.lock.where(pinned);
      const clash = this.clash(r.proto, port, r.hostIP);
      if (clash) {
        this.diagnostics.push(error('LOCK_CONFLICT', r.source.path, `${where} gives ${r.lock!.spec} of container "${container}" the host port ${port}, which is ${this.holder(clash)}: delete one from the lock to let netform choose another`));
        continue;
      }
      this.take(r.proto, port, r.hostIP, container, { spec: r.lock!.spec, where });
    }
  }

  /**
   * Bind a group of requests that differ only in host address (they share one host port, needSamePort).
   * Returns the chosen port, or undefined after reporting a conflict.
   */
  bind(group: readonly BindingRequest[], container: string): number | undefined {
    const r = group[0]!;
    if (r.mapper === 'routed') return 0; // the routed mapper zeroes the host port: nothing is bound
    const pinned = group.find((g) => g.lock?.pinned)?.lock?.pinned;
    const port = pinned ? this.bindPinned(group, container, pinned) : this.bindFree(group, container);
    if (port === undefined) return undefined;
    if (r.hostPort === 0) {
      const why = pinned ? `the one ${this.lock.where(pinned)} pins` : `the first free one of ${EPHEMERAL[0]}-${EPHEMERAL[1]}`;
      this.diagnostics.push(warning('IGNORED', r.source.path, `no host port given: Docker picks a free ephemeral port when the container starts; netform assumes ${port}/${r.proto}, ${why}`));
    }
    for (const g of group) if (g.lock) this.lock.chose(hostPortKey(container, g.lock.spec), port, g.source.path);
    return port;
  }

  /** The lowest port of the range free for every address of the group (ports the lock reserved are not). */
  private bindFree(group: readonly BindingRequest[], container: string): number | undefined {
    const r = group[0]!;
    const [start, end] = portRange(r);
    for (let port = start; port <= end; port++) {
      const clash = group.map((g) => this.clash(g.proto, port, g.hostIP)).find((x) => x);
      if (clash) continue;
      for (const g of group) this.take(g.proto, port, g.hostIP, container);
      return port;
    }
    const clash = group.map((g) => this.clash(g.proto, start, g.hostIP)).find((x) => x)!;
    const where = start === end ? `${start}/${r.proto}` : `any of ${start}-${end}/${r.proto}`;
    if (clash.pin) {
      this.diagnostics.push(error('LOCK_CONFLICT', r.source.path, `host port ${where} on ${r.hostIP} is ${this.holder(clash)}: delete that entry from the lock to let netform choose another`));
    } else {
      this.diagnostics.push(error('PORT_CONFLICT', r.source.path, `host port ${where} on ${r.hostIP} is already published by container "${clash.container}" (on ${clash.ip}); Docker: port is already allocated`));
    }
    return undefined;
  }

  /** The port the lock pins for the group, reserved for it (reserve) unless something else holds it. */
  private bindPinned(group: readonly BindingRequest[], container: string, pinned: Pinned): number | undefined {
    const r = group[0]!;
    const port = pinned.value as number;
    const [start, end] = portRange(r);
    const spec = r.lock!.spec;
    const where = this.lock.where(pinned);
    if (port < start || port > end) {
      this.diagnostics.push(error('LOCK_CONFLICT', r.source.path, `${where} gives ${spec} of container "${container}" the host port ${port}, which is not in ${start}-${end}: delete it from the lock to let netform choose another`));
      return undefined;
    }
    const mine = (u: PortUse) => u.container === container && u.pin !== undefined && group.some((g) => g.lock?.spec === u.pin!.spec);
    const other = group.map((g) => this.clash(g.proto, port, g.hostIP, mine)).find((x) => x);
    if (other) {
      this.diagnostics.push(error('LOCK_CONFLICT', r.source.path, `${where} gives ${spec} of container "${container}" the host port ${port}, which is ${this.holder(other)}: delete one from the lock to let netform choose another`));
      return undefined;
    }
    for (const g of group) if (!this.clash(g.proto, port, g.hostIP)) this.take(g.proto, port, g.hostIP, container);
    return port;
  }
}

const sameExceptHostIP = (a: BindingRequest, b: BindingRequest) =>
  a.mapper === b.mapper && a.containerPort === b.containerPort && a.proto === b.proto && a.hostPort === b.hostPort && a.hostPortEnd === b.hostPortEnd;

/** Allocate the host ports of one endpoint's sorted requests; returns the mappings made. */
export function bindEndpointPorts(requests: readonly BindingRequest[], ports: HostPorts, container: string, network: string): PortMapping[] {
  const out: PortMapping[] = [];
  let group: BindingRequest[] = [];
  const flush = () => {
    if (group.length === 0) return;
    const port = ports.bind(group, container);
    if (port !== undefined) {
      for (const g of group) {
        const proxyOnly = familyOf(g.hostIP) !== familyOf(g.containerIP);
        out.push({
          container,
          network,
          proto: g.proto,
          hostIP: g.hostIP,
          hostPort: port,
          containerIP: g.containerIP,
          containerPort: g.containerPort,
          mapper: proxyOnly ? 'proxy' : g.mapper,
          origin: g.source.path,
        });
      }
    }
    group = [];
  };
  for (const r of requests) {
    if (group.length > 0 && !sameExceptHostIP(group[0]!, r)) flush();
    group.push(r);
  }
  flush();
  return out;
}
