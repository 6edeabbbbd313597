// The bridge driver's port-mapping layer, between a container's published ports and the firewaller
// (daemon/libnetwork/drivers/bridge/port_mapping_linux.go and daemon/libnetwork/portmappers/, Docker 29):
// which container address a binding goes to, which port mapper handles it, the order in which the
// bindings reach the firewaller, and what the routed mapper does to the host side.
// Docker 27 and 28 sort with cmpPortBinding (v27.5.1 / v28.5.2 libnetwork/drivers/bridge/
// port_mapping_linux.go sortAndNormPBs), which has no mapper; Docker 20.10 takes the container's bindings
// in go-connections nat.SortPortMap order (v20.10.24 daemon/container_operations.go buildSandboxOptions)
// and maps each one for IPv4, then IPv6 (vendor/.../drivers/bridge/port_mapping.go allocatePortsInternal).
import type { EngineLayout } from '../model/engine.ts';
import { compareAddr, familyOf, isUnspecified, mustParseAddr } from '../net/index.ts';
import type { FirewallEndpoint, FirewallNetwork, FirewallPortBinding } from './input.ts';
import type { IpFamily, PortProtocol, SourcePath } from './types.ts';

/** A binding as the firewaller receives it (types.PortBinding after collectFirewallPorts). */
export interface FirewallerPortBinding {
  readonly proto: PortProtocol;
  readonly containerIP: string;
  readonly containerPort: number;
  readonly hostIP: string;
  /** 0 when the binding only opens the container's port (routed mapper): no NAT. */
  readonly hostPort: number;
  readonly origin?: SourcePath;
}

interface Request {
  readonly mapper: 'nat' | 'routed';
  readonly binding: FirewallPortBinding;
  readonly containerIP: string;
  readonly hostIP: string;
  readonly requested: readonly [number, number];
}

/** types.Protocol values, which PortBindingReq.Compare orders by. */
const PROTO_NUMBER = { tcp: 6, udp: 17, sctp: 132 } as const;

const unspecified = (f: IpFamily): string => (f === 4 ? '0.0.0.0' : '::');

/** portmapperapi PortBindingReq.Compare (29); cmpPortBinding (27, 28) is the same without the mapper. */
function compareRequests(a: Request, b: Request, byMapper: boolean): number {
  if (byMapper && a.mapper !== b.mapper) return a.mapper < b.mapper ? -1 : 1;
  const isRange = (r: Request): boolean => r.requested[0] === 0 || r.requested[0] !== r.requested[1];
  if (isRange(a) !== isRange(b)) return isRange(a) ? 1 : -1;
  return (
    a.binding.containerPort - b.binding.containerPort ||
    PROTO_NUMBER[a.binding.proto] - PROTO_NUMBER[b.binding.proto] ||
    a.requested[0] - b.requested[0] ||
    a.requested[1] - b.requested[1] ||
    compareAddr(mustParseAddr(a.hostIP), mustParseAddr(b.hostIP)) ||
    compareAddr(mustParseAddr(a.containerIP), mustParseAddr(b.containerIP))
  );
}

/**
 * The bindings the firewaller gets for one endpoint, in the order it gets them.
 *
 * `hairpin` is NOT userland-proxy. With `firewallerOnly` (moby's iptabler unit test), bindings go
 * through unchanged and unsorted; only the container address is chosen.
 */
export function firewallerBindings(
  net: FirewallNetwork,
  ep: FirewallEndpoint,
  hairpin: boolean,
  firewallerOnly: boolean,
  order: EngineLayout['portOrder'] = 'mapper',
): FirewallerPortBinding[] {
  const reqs: Request[] = [];
  for (const b of ep.ports) {
    const hostFamily = familyOf(b.hostIP);
    if (!hostFamily) throw new Error(`port binding host address is not an IP address: ${b.hostIP}`);
    // configurePortBindingIPv4 / IPv6 (sortAndNormPBs): a host-IPv6 binding goes to the container's
    // IPv4 address through docker-proxy when the container has no IPv6 address and the proxy is on.
    const containerIP = hostFamily === 4 ? ep.addr4 : (ep.addr6 ?? (hairpin ? undefined : ep.addr4));
    if (!containerIP) continue;
    // The mapper follows the gateway mode of the host address's family (getNATDisabled).
    const routed = (hostFamily === 4 ? net.v4 : net.v6)?.gatewayMode === 'routed';
    // With NAT disabled a specific host address makes no sense: "Using address 0.0.0.0 because NAT is disabled".
    const hostIP = routed && !firewallerOnly && !isUnspecified(mustParseAddr(b.hostIP)) ? unspecified(hostFamily) : b.hostIP;
    reqs.push({
      mapper: routed ? 'routed' : 'nat',
      binding: b,
      containerIP,
      hostIP,
      requested: b.requestedHostPorts ?? [b.hostPort, b.hostPort],
    });
  }
  if (!firewallerOnly && reqs.length > 1) {
    if (order === 'sort-port-map') sortPortMap(reqs);
    else stableSort(reqs, (a, b) => compareRequests(a, b, order === 'mapper'));
  }

  return reqs.map((r): FirewallerPortBinding => {
    const b = r.binding;
    const origin = b.origin ?? ep.origin;
    // portmappers/routed MapPorts zeroes the host port ("Host port ignored, because NAT is disabled");
    // toFwdBinding gives the firewaller the unspecified address of the container's family.
    // portmappers/nat: NAT = host address and the allocated host port.
    const routed = r.mapper === 'routed' && !firewallerOnly;
    const hostIP = routed ? unspecified(familyOf(r.containerIP)!) : r.hostIP;
    const hostPort = routed ? 0 : b.hostPort;
    return origin
      ? { proto: b.proto, containerIP: r.containerIP, containerPort: b.containerPort, origin, hostIP, hostPort }
      : { proto: b.proto, containerIP: r.containerIP, containerPort: b.containerPort, hostIP, hostPort };
  });
}

/**
 * Array.prototype.sort (stable, so the result is the same), without its set-up cost on the short lists
 * of one endpoint's bindings (usually one to a few; sorted once per endpoint and family).
 */
function stableSort<T>(list: T[], compare: (a: T, b: T) => number): void {
  if (list.length > 16) {
    list.sort(compare);
    return;
  }
  for (let i = 1; i < list.length; i++) {
    const x = list[i]!;
    let j = i;
    for (; j > 0 && compare(list[j - 1]!, x) > 0; j--) list[j] = list[j - 1]!;
    list[j] = x;
  }
}

/**
 * Docker 20.10's order: the bindings of one `-p` entry (IPv4, then IPv6) stay together, and the entries
 * are ordered by go-connections nat.SortPortMap, i.e. Go's sort.Sort over
 *   Less(i, j) = hostPort(i) > hostPort(j) || port(i) > port(j) || (port(i) == port(j) && proto(i) == tcp)
 * where hostPort is the start of the requested host port (range), 0 when none was given. That is not a
 * strict order, so dockerd's result can depend on the order it met the ports in (a Go map); when host
 * and container ports rise together it is simply "highest host port first". Go's sort.Sort is an
 * insertion sort below 13 elements (pdqsort's base case), reproduced here from netform's canonical
 * order, which stands in for the map order.
 */
function sortPortMap(reqs: Request[]): void {
  const groups: Request[][] = [];
  const index = new Map<string, Request[]>();
  for (const r of reqs) {
    const b = r.binding;
    const key = JSON.stringify([b.origin ?? null, b.proto, b.containerPort, r.requested]);
    let g = index.get(key);
    if (!g) {
      g = [];
      index.set(key, g);
      groups.push(g);
    }
    g.push(r);
  }
  const less = (x: Request, y: Request): boolean => {
    const hx = x.requested[0];
    const hy = y.requested[0];
    const px = x.binding.containerPort;
    const py = y.binding.containerPort;
    return hx > hy || px > py || (px === py && x.binding.proto === 'tcp');
  };
  if (groups.length <= 12) {
    for (let i = 1; i < groups.length; i++) {
      for (let j = i; j > 0 && less(groups[j]![0]!, groups[j - 1]![0]!); j--) {
        [groups[j], groups[j - 1]] = [groups[j - 1]!, groups[j]!];
      }
    }
  } else {
    // Beyond 12 entries pdqsort partitions; with a non-strict Less no order is "the" answer. Use the
    // consistent reading of the predicate: host port, then container port, descending; tcp first.
    groups.sort((x, y) => {
      const a = x[0]!;
      const b = y[0]!;
      return b.requested[0] - a.requested[0] || b.binding.containerPort - a.binding.containerPort || (a.binding.proto === 'tcp' ? -1 : b.binding.proto === 'tcp' ? 1 : 0);
    });
  }
  reqs.splice(0, reqs.length, ...groups.flat());
}
