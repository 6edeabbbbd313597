// Published ports -> concrete host bindings, as the bridge driver computes them (Docker 29,
// port_mapping_linux.go sortAndNormPBs / configurePortBindingIPv4/IPv6, portmapperapi Compare),
// plus the host-port bookkeeping of the port allocator: conflicts, ranges and ephemeral ports.
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { compareAddr, familyOf, mustParseAddr } from '../net/index.ts';
import type { EndpointAddressing } from '../ipam/types.ts';
import type { BridgeNetwork, PortBinding } from '../model/types.ts';
import type { PortMapping } from './types.ts';

const PROTO_NUMBER = { tcp: 6, udp: 17, sctp: 132 } as const;
/** Linux's default net.ipv4.ip_local_port_range, where dockerd takes ephemeral host ports from. */
const EPHEMERAL = [32768, 60999] as const;

interface BindingRequest {
  readonly mapper: 'nat' | 'routed';
  readonly proto: PortBinding['proto'];
  readonly hostIP: string;
  readonly hostPort: number;
  readonly hostPortEnd: number;
  readonly containerIP: string;
  readonly containerPort: number;
  readonly source: PortBinding;
}

const isRange = (r: BindingRequest) => r.hostPort === 0 || r.hostPort !== r.hostPortEnd;

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
}

/** Host-port bookkeeping across all containers of the host (the port allocator). */
export class HostPorts {
  /** Who holds each protocol/port, by address (few per port: a lookup is a short scan). */
  private readonly used = new Map<string, PortUse[]>();
  readonly diagnostics: Diagnostic[] = [];

  private clash(proto: string, port: number, ip: string): PortUse | undefined {
    const list = this.used.get(`${proto}/${port}`);
    if (!list) return undefined;
    const f = familyOf(ip);
    const wild = f === 4 ? '0.0.0.0' : '::';
    return list.find((u) => u.family === f && (u.ip === ip || u.ip === wild || ip === wild));
  }

  private take(proto: string, port: number, ip: string, container: string): void {
    const k = `${proto}/${port}`;
    const use = { ip, family: familyOf(ip), container };
    const list = this.used.get(k);
    if (list) list.push(use);
    else this.used.set(k, [use]);
  }

  /**
   * Bind a group of requests that differ only in host address (they share one host port, needSamePort).
   * Returns the chosen port, or undefined after reporting a conflict.
   */
  bind(group: readonly BindingRequest[], container: string): number | undefined {
    const r = group[0]!;
    if (r.mapper === 'routed') return 0; // the routed mapper zeroes the host port: nothing is bound
    const [start, end] = r.hostPort === 0 ? EPHEMERAL : [r.hostPort, r.hostPortEnd];
    for (let port = start; port <= end; port++) {
      const clash = group.map((g) => this.clash(g.proto, port, g.hostIP)).find((x) => x);
      if (clash) continue;
      for (const g of group) this.take(g.proto, port, g.hostIP, container);
      if (r.hostPort === 0) {
        this.diagnostics.push(warning('IGNORED', r.source.path, `no host port given: Docker picks a free ephemeral port when the container starts; netform assumes ${port}/${r.proto}, the first free one of ${EPHEMERAL[0]}-${EPHEMERAL[1]}`));
      }
      return port;
    }
    const clash = group.map((g) => this.clash(g.proto, start, g.hostIP)).find((x) => x)!;
    const where = start === end ? `${start}/${r.proto}` : `any of ${start}-${end}/${r.proto}`;
    this.diagnostics.push(error('PORT_CONFLICT', r.source.path, `host port ${where} on ${r.hostIP} is already published by container "${clash.container}" (on ${clash.ip}); Docker: port is already allocated`));
    return undefined;
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
