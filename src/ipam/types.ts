// What IPAM decided, as text in canonical form (what Docker would print).

export interface FamilyAddressing {
  /** Masked subnet, e.g. 172.17.0.0/16. */
  readonly subnet: string;
  readonly prefixLength: number;
  /** The bridge's address; absent for isolated networks. */
  readonly gateway?: string;
  /** ip_range / fixed-cidr: where dynamic container addresses come from. */
  readonly range?: string;
  /** default-gateway(-v6): the route containers use instead of the bridge address. */
  readonly defaultGateway?: string;
}

export interface NetworkAddressing {
  readonly v4?: FamilyAddressing;
  readonly v6?: FamilyAddressing;
}

export interface EndpointAddressing {
  readonly v4?: string;
  readonly v6?: string;
}

export interface Addressing {
  readonly networks: Map<string, NetworkAddressing>;
  /** Keyed by endpointKey(container, network). */
  readonly endpoints: Map<string, EndpointAddressing>;
}

/** A pool with no subnet left for `network`, or `network` with no address left in `range` for `container`. */
export type Exhausted =
  | { readonly kind: 'pool'; readonly network: string; readonly family: 4 | 6 }
  | { readonly kind: 'address'; readonly network: string; readonly family: 4 | 6; readonly range: string; readonly container: string };
