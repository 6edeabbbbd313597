// The routing decision in a namespace: local delivery for its own addresses (127.0.0.0/8 and ::1 too),
// else the longest matching route of the family, with the next hop and the source address the kernel
// picks (a connected route's own address, else the outgoing interface's first address of the family).
import type { Fabric, Iface, Ns } from './fabric.ts';
import { inPrefix, isLoopbackAddress } from './packet.ts';

export type RouteResult =
  | { readonly kind: 'local' }
  | { readonly kind: 'unicast'; readonly dev: Iface; readonly nexthop: string; readonly src?: string; readonly via?: string }
  | { readonly kind: 'none' };

/** Whether `address` is local to `ns` (the outside standing for the internet has every address the fleet lacks). */
export function isLocalTo(ns: Ns, address: string, fabric: Fabric, family: 4 | 6): boolean {
  if (ns.isLocal(address) || isLoopbackAddress(address)) return true;
  if (!ns.ownsTheRest || fabric.inFleet(address)) return false;
  return ns.routeTable().lookup(address, family, true) === undefined;
}

export function route(ns: Ns, dst: string, family: 4 | 6, fabric: Fabric): RouteResult {
  if (isLocalTo(ns, dst, fabric, family)) return { kind: 'local' };
  const r = ns.routeTable().lookup(dst, family);
  if (!r) return { kind: 'none' };
  const src = r.src ?? sourceOn(r.dev, family, r.via) ?? anySource(ns, family);
  return { kind: 'unicast', dev: r.dev, nexthop: r.via ?? dst, ...(src ? { src } : {}), ...(r.via ? { via: r.via } : {}) };
}

/** The address the kernel gives a packet leaving `dev` (MASQUERADE's too): one in the next hop's subnet, else the first. */
export function sourceOn(dev: Iface, family: 4 | 6, nexthop?: string): string | undefined {
  const own = dev.addrs.filter((a) => a.family === family);
  return (nexthop ? own.find((a) => inPrefix(a.cidr, nexthop)) : undefined)?.address ?? own[0]?.address;
}

function anySource(ns: Ns, family: 4 | 6): string | undefined {
  for (const i of ns.ifaces.values()) {
    if (i.kind === 'lo') continue;
    const a = i.addrs.find((x) => x.family === family);
    if (a) return a.address;
  }
  return undefined;
}
