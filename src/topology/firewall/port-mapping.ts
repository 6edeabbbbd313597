// The bridge driver's port-mapping layer, between a container's published ports and the firewaller
// (daemon/libnetwork/drivers/bridge/port_mapping_linux.go and daemon/libnetwork/portmappers/, Docker 29):
// which container address a binding goes to, which port mapper handles it, the order in which the
// bindings reach the firewaller, and what the routed mapper does to the host side.
import { compareIp, familyOf, isUnspecified } from './ip.ts';
import type { FirewallEndpoint, FirewallNetwork, FirewallPortBinding, IpFamily, SourcePath } from './types.ts';

/** A binding as the firewaller receives it (types.PortBinding after collectFirewallPorts). */
export interface FirewallerPortBinding {
  readonly proto: 'tcp' | 'udp' | 'sctp';
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

/** portmapperapi PortBindingReq.Compare. */
function compareRequests(a: Request, b: Request): number {
  if (a.mapper !== b.mapper) return a.mapper < b.mapper ? -1 : 1;
  const isRange = (r: Request): boolean => r.requested[0] === 0 || r.requested[0] !== r.requested[1];
  if (isRange(a) !== isRange(b)) return isRange(a) ? 1 : -1;
  return (
    a.binding.containerPort - b.binding.containerPort ||
    PROTO_NUMBER[a.binding.proto] - PROTO_NUMBER[b.binding.proto] ||
    a.requested[0] - b.requested[0] ||
    a.requested[1] - b.requested[1] ||
    compareIp(a.hostIP, b.hostIP) ||
    compareIp(a.containerIP, b.containerIP)
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
    const hostIP = routed && !firewallerOnly && !isUnspecified(b.hostIP) ? unspecified(hostFamily) : b.hostIP;
    reqs.push({
      mapper: routed ? 'routed' : 'nat',
      binding: b,
      containerIP,
      hostIP,
      requested: b.requestedHostPorts ?? [b.hostPort, b.hostPort],
    });
  }
  if (!firewallerOnly) reqs.sort(compareRequests);

  return reqs.map((r): FirewallerPortBinding => {
    const b = r.binding;
    const origin = b.origin ?? ep.origin;
    const base = { proto: b.proto, containerIP: r.containerIP, containerPort: b.containerPort, ...(origin ? { origin } : {}) };
    if (r.mapper === 'routed' && !firewallerOnly) {
      // portmappers/routed MapPorts zeroes the host port ("Host port ignored, because NAT is disabled");
      // toFwdBinding gives the firewaller the unspecified address of the container's family.
      return { ...base, hostIP: unspecified(familyOf(r.containerIP)!), hostPort: 0 };
    }
    // portmappers/nat: NAT = host address and the allocated host port.
    return { ...base, hostIP: r.hostIP, hostPort: b.hostPort };
  });
}
