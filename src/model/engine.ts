// The Docker Engine releases netform reproduces, and what differs between them, as data: one small
// strategy object per release. The stages read these facts and branch on them; the model's gates (which
// settings a release lacks) are in engine-checks.ts.

export type Engine = '29' | '28' | '27' | '20.10';

/** Newest first. */
export const ENGINES: readonly Engine[] = ['29', '28', '27', '20.10'];

const RANK: { readonly [E in Engine]: number } = { '20.10': 0, '27': 1, '28': 2, '29': 3 };

/** `a` is release `b` or newer. */
export const atLeast = (a: Engine, b: Engine): boolean => RANK[a] >= RANK[b];

// The firewall layout of each release.
//
// Sources (moby/moby, read at each tag):
//   29     daemon/libnetwork/drivers/bridge/internal/iptabler/*.go (newest snapshot, docker-v29.x)
//   28     v28.5.2: libnetwork/drivers/bridge/internal/iptabler/*.go, libnetwork/firewall_linux.go, and
//          the iptablesdoc dumps integration/network/bridge/iptablesdoc/generated/*.md of that tag.
//          "28" means 28.5.x; 28.0.0's ipset-based FORWARD rules (docker-ext-bridges-v4) and the
//          DOCKER-USER RETURN of 28.0-28.2 are not reproduced.
//   27     v27.5.1: libnetwork/drivers/bridge/setup_ip_tables_linux.go, port_mapping_linux.go,
//          bridge_linux.go, setup_ip_forwarding.go, libnetwork/iptables/iptables.go,
//          libnetwork/firewall_linux.go, libnetwork/controller.go.
//   20.10  v20.10.24: vendor/github.com/docker/libnetwork/drivers/bridge/{setup_ip_tables,bridge,
//          port_mapping,setup_ip_forwarding}.go, .../iptables/iptables.go (ChainInfo.Forward),
//          .../portmapper/mapper.go, .../firewall_linux.go; daemon/container_operations.go and
//          go-connections nat.SortPortMap for the order of a container's port bindings.


export interface EngineLayout {
  readonly engine: Engine;
  /**
   * Where a bridge's filter rules live.
   * - 'docker-forward' (28, 29): FORWARD jumps to DOCKER-FORWARD, which holds DOCKER-CT, DOCKER-BRIDGE and
   *   the per-bridge ACCEPT/ICC rules (iptabler.go setupIPChains).
   * - 'forward' (<= 27): per-bridge rules inserted straight into FORWARD (iptables.go ProgramChain,
   *   setup_ip_tables_linux.go setupIPTablesInternal/setIcc), so the newest network comes first.
   */
  readonly filter: 'docker-forward' | 'forward';
  /** DOCKER-ISOLATION-STAGE-1/2 (<= 28). 29 isolates networks with each network's default DROP instead. */
  readonly isolationChains: boolean;
  /** The STAGE chains end with `-j RETURN` (<= 27: setupIPChains AddReturnRule; removed in 28). */
  readonly isolationReturn: boolean;
  /**
   * setINC runs for a family whenever ip(6)tables is on, also for networks without an address of that
   * family (<= 27: bridge_linux.go isolateNetwork); 28 only for networks with a prefix (network.go configure).
   */
  readonly isolationEveryNetwork: boolean;
  /** setINC runs only when iptables (IPv4) is on, also for ip6tables (20.10: `{d.config.EnableIPTables,
   * setupNetworkIsolationRules}`); 27 runs it when either is on. */
  readonly isolationNeedsIptables: boolean;
  /** The chain of --internal networks' DROPs: DOCKER-INTERNAL (29) or DOCKER-ISOLATION-STAGE-1 (<= 28). */
  readonly internalChain: 'DOCKER-INTERNAL' | 'DOCKER-ISOLATION-STAGE-1';
  /** IPv6 internal rules add `! -o br` / `! -i br` (27+); 20.10 writes the IPv4 form in ip6tables too. */
  readonly internalV6Interfaces: boolean;
  /**
   * nat `-A DOCKER -i br -j RETURN` with the userland proxy on ("SKIP DNAT"): not in 29; in 28 whenever the
   * network masquerades (even routed, see v28.5.2 usernet-portmap-routed.md); in <= 27 when the network
   * masquerades and NAT is on (setupIPTablesInternal: `if nat && config.EnableIPMasquerade`).
   */
  readonly skipDnat: 'never' | 'masquerade' | 'nat-and-masquerade';
  /** The nat PREROUTING/OUTPUT jumps: at driver init (28+), or by ProgramChain with each non-internal network (<= 27). */
  readonly natJumpsPerNetwork: boolean;
  /** Routed gateway mode exists (27+); routed networks ACCEPT ICMP in DOCKER (28+: setICMP). */
  readonly routedIcmp: boolean;
  /** A default `! -i br -o br -j DROP` per network in filter DOCKER and per-port ACCEPTs inserted above it (28+);
   * <= 27 appends the per-port ACCEPTs and has no default rule (port_mapping_linux.go setPerPortForwarding). */
  readonly defaultForwardDrop: boolean;
  /** The per-port `-s C -d C --dport P -j MASQUERADE`: always (<= 27) or only with the userland proxy off (28+). */
  readonly portMasqueradeAlways: boolean;
  /** DNAT for IPv6 excludes `fe80::/10` sources (28+: port.go setPerPortNAT). */
  readonly dnatSkipsLinkLocal6: boolean;
  /** mangle `-p sctp --sport P -j CHECKSUM --checksum-fill` for SCTP ports (<= 27 always; 28+ only with an env var). */
  readonly sctpChecksum: boolean;
  /** The raw table's direct-access and loopback-port DROPs (28+; per address since 28.2.0). <= 27 has no raw table. */
  readonly raw: boolean;
  /** DOCKER-USER ends with `-j RETURN` (<= 27; 28.0-28.2 too, gone in 28.3.0). */
  readonly userChainReturn: boolean;
  /** DOCKER-USER in ip6tables as well (27+: controller enabledIptablesVersions); 20.10 has it for IPv4 only. */
  readonly userChainIPv6: boolean;
  /** The controller re-ensures the DOCKER-USER jump after every network it creates (<= 27: NewNetwork ->
   * SetupUserChains / arrangeUserFilterRule), which keeps it above the per-bridge FORWARD rules. */
  readonly userChainAfterEachNetwork: boolean;
  /**
   * `-P FORWARD DROP`: set per network when its forwarding setup needs it (28+, setupIPv4/6Forwarding), or
   * once at driver init (<= 27 setupIPForwarding), where ip6tables gets DROP whenever ip-forward is on.
   */
  readonly forwardDropAtInit: boolean;
  /** How one endpoint's port bindings are ordered before they reach the rules:
   * 'mapper' (29: portmapperapi PortBindingReq.Compare, the mapper first), 'sorted' (27, 28: cmpPortBinding),
   * 'sort-port-map' (20.10: go-connections nat.SortPortMap, then IPv4 and IPv6 per binding). */
  readonly portOrder: 'mapper' | 'sorted' | 'sort-port-map';
}

const ENGINE_29: EngineLayout = {
  engine: '29',
  filter: 'docker-forward',
  isolationChains: false,
  isolationReturn: false,
  isolationEveryNetwork: false,
  isolationNeedsIptables: false,
  internalChain: 'DOCKER-INTERNAL',
  internalV6Interfaces: true,
  skipDnat: 'never',
  natJumpsPerNetwork: false,
  routedIcmp: true,
  defaultForwardDrop: true,
  portMasqueradeAlways: false,
  dnatSkipsLinkLocal6: true,
  sctpChecksum: false,
  raw: true,
  userChainReturn: false,
  userChainIPv6: true,
  userChainAfterEachNetwork: false,
  forwardDropAtInit: false,
  portOrder: 'mapper',
};

const ENGINE_28: EngineLayout = {
  ...ENGINE_29,
  engine: '28',
  isolationChains: true,
  internalChain: 'DOCKER-ISOLATION-STAGE-1',
  skipDnat: 'masquerade',
  portOrder: 'sorted',
};

const ENGINE_27: EngineLayout = {
  engine: '27',
  filter: 'forward',
  isolationChains: true,
  isolationReturn: true,
  isolationEveryNetwork: true,
  isolationNeedsIptables: false,
  internalChain: 'DOCKER-ISOLATION-STAGE-1',
  internalV6Interfaces: true,
  skipDnat: 'nat-and-masquerade',
  natJumpsPerNetwork: true,
  routedIcmp: false,
  defaultForwardDrop: false,
  portMasqueradeAlways: true,
  dnatSkipsLinkLocal6: false,
  sctpChecksum: true,
  raw: false,
  userChainReturn: true,
  userChainIPv6: true,
  userChainAfterEachNetwork: true,
  forwardDropAtInit: true,
  portOrder: 'sorted',
};

const ENGINE_20_10: EngineLayout = {
  ...ENGINE_27,
  engine: '20.10',
  internalV6Interfaces: false,
  isolationNeedsIptables: true,
  userChainIPv6: false,
  portOrder: 'sort-port-map',
};

const LAYOUTS: { readonly [E in Engine]: EngineLayout } = { '29': ENGINE_29, '28': ENGINE_28, '27': ENGINE_27, '20.10': ENGINE_20_10 };

export const engineLayout = (engine: Engine | undefined): EngineLayout => LAYOUTS[engine ?? '29'];
