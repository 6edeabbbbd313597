// A namespace's routes looked up as the kernel's FIB does, longest prefix first, without testing every
// route: a host of 1,000 bridges has 1,000 connected routes, and a trace asks its table at every hop.
// Routes are grouped by prefix length (longest first) and keyed by their network; an address is masked
// once per length in use. Within a length the first route in table order wins, as a walk would find it.
import { mask } from '../net/index.ts';
import { addr, cidrTest, mask4Of } from './packet.ts';

type NetKey = number | bigint;

/** What the table needs of a route (fabric.ts RouteEntry). */
interface Route {
  readonly family: 4 | 6;
  /** undefined: a default route. */
  readonly cidr?: string;
  readonly length: number;
}

interface Ranked<R> {
  readonly route: R;
  readonly rank: number;
}

interface LengthGroup<R> {
  readonly family: 4 | 6;
  readonly length: number;
  readonly byNet: Map<NetKey, Ranked<R>>;
  /** The first route of this length that names no prefix (a default route): it holds every address. */
  any?: Ranked<R>;
}

const netKey = (family: 4 | 6, value: bigint, length: number): NetKey =>
  family === 4 ? (Number(value) & mask4Of(length)) >>> 0 : value & mask(6, length);

export class RouteTable<R extends Route> {
  private readonly groups: LengthGroup<R>[] = [];

  /** `routes` in lookup order (longest prefix first). */
  constructor(routes: readonly R[]) {
    const byLength = new Map<number, LengthGroup<R>>();
    for (let rank = 0; rank < routes.length; rank++) {
      const route = routes[rank]!;
      const id = route.family * 256 + route.length;
      let g = byLength.get(id);
      if (!g) {
        g = { family: route.family, length: route.length, byNet: new Map() };
        byLength.set(id, g);
        this.groups.push(g);
      }
      if (route.cidr === undefined) {
        g.any ??= { route, rank };
        continue;
      }
      // A prefix that does not parse, or of the other family, holds no address of the route's family.
      const t = cidrTest(route.cidr);
      const value = t?.host !== undefined ? addr(t.host)?.value : t?.prefix.address;
      if (!t || t.family !== route.family || value === undefined) continue;
      const key = netKey(t.family, value, route.length);
      if (!g.byNet.has(key)) g.byNet.set(key, { route, rank });
    }
    this.groups.sort((a, b) => b.length - a.length);
  }

  /**
   * The route a packet to `dst` takes (the first in table order that holds it), or undefined.
   * `prefixOnly`: only routes that name a prefix count (whether some route covers the address).
   */
  lookup(dst: string, family: 4 | 6, prefixOnly = false): R | undefined {
    const a = addr(dst);
    const keyed = a && a.family === family && a.zone === '' ? a : undefined;
    for (const g of this.groups) {
      if (g.family !== family) continue;
      const hit = keyed ? g.byNet.get(netKey(family, keyed.value, g.length)) : undefined;
      const any = prefixOnly ? undefined : g.any;
      const first = hit && any ? (hit.rank < any.rank ? hit : any) : (hit ?? any);
      if (first) return first.route;
    }
    return undefined;
  }
}
