// What differs between the Docker Engine releases netform reproduces, named fact by fact; engine.ts
// holds each release's values. Every fact says which release does what and cites the moby code followed
// (read at v20.10.24, v27.5.1, v28.5.2 and docker-v29.x; "28" means 28.5.x).
import type { GatewayMode } from './network-types.ts';

export type Engine = '29' | '28' | '27' | '20.10';

/** The firewall's layout in one release (read by src/firewall). */
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

/** One release: its firewall layout and every other difference the stages read. */
export interface EngineRelease {
  readonly engine: Engine;
  readonly firewall: EngineLayout;
  /**
   * The MACs Docker makes. 'from-ipv4' (<= 27, netutils genMAC): 02:42 and four bytes, an endpoint's
   * IPv4 address (bridge_linux.go CreateEndpoint GenerateMACFromIP) or random for a bridge
   * (setup_device_linux.go GenerateRandomMAC). 'random' (28+ GenerateRandomMAC): six random bytes,
   * unicast and locally administered, for both.
   */
  readonly macs: 'from-ipv4' | 'random';
  /**
   * The bridge's IPv6 address skips duplicate address detection (27+: interface_linux.go AddrReplace with
   * IFA_F_NODAD); 20.10 adds it plainly (vendored libnetwork interface.go).
   */
  readonly bridgeIPv6Nodad: boolean;
  /**
   * What extra_hosts' host-gateway means when daemon.json does not say: the default bridge's IPv4 gateway
   * (<= 27: daemon_unix.go setHostGatewayIP, config.HostGatewayIP is one net.IP), or its IPv4 and IPv6
   * gateways (28+: config.HostGatewayIPs).
   */
  readonly hostGateway: 'ipv4' | 'ipv4-and-ipv6';
  /**
   * /etc/hosts spells the IPv6 defaults "fe00::0" and "ff00::0" (<= 27: etchosts.go defaultContentIPv6
   * holds strings); 28+ keeps netip.Addrs, which print fe00:: and ff00::.
   */
  readonly legacyHostsIPv6Spelling: boolean;
  /**
   * Which release's resolv.conf a container gets: 28 and 29 write the same bytes ('current'); 27 differs
   * in TransformForIntNS; 20.10 rewrites the file at each join (render/resolvconf/legacy.ts).
   */
  readonly resolvConf: 'current' | '27' | '20.10';
  /**
   * br_netfilter (bridge-nf-call-iptables) is loaded for a bridge with ICC off, and also when the userland
   * proxy is off (27+: bridge_linux.go `enableBrNfCallIptables := !config.EnableICC ||
   * !d.config.EnableUserlandProxy`); 20.10 only for ICC off (bridge.go `!config.EnableICC &&
   * d.config.EnableIPTables`).
   */
  readonly brNetfilterWithoutProxy: boolean;
  /**
   * The default bridge defers IPv6 allocation when fixed-cidr-v6 leaves at least 48 host bits (<= 27:
   * daemon_unix.go initBridgeDriver `deferIPv6Alloc = ones <= 80`); the bridge driver then builds the
   * address from the network and the endpoint's MAC (CreateEndpoint `ip6[i+10] = h`). 28 dropped it.
   */
  readonly deferredDefaultBridgeIPv6: boolean;
  /** The daemon's `ip6tables` default: true since 27.0, false in 20.10 (cmd/dockerd/config_unix.go). */
  readonly ip6tablesDefault: boolean;
  /**
   * How the nftables firewall backend is chosen: the daemon option `firewall-backend` (29), only the
   * environment variable DOCKER_FIREWALL_BACKEND=nftables, an experimental backend (28.2 to 28.5:
   * libnetwork/firewall_linux.go selectFirewallBackend "Only try to use nftables if explicitly enabled by
   * env-var"), or not at all (<= 27).
   */
  readonly nftablesBackend: 'daemon-option' | 'environment-variable' | 'none';
  /**
   * ip6tables needs `experimental` (20.10: daemon_unix.go verifyDaemonSettings, "ip6tables rules are only
   * available if experimental features are enabled").
   */
  readonly ip6tablesNeedsExperimental: boolean;
  /**
   * The gateway modes bridge_linux.go newGwMode knows where the option exists: nat and routed in 27;
   * nat-unprotected and isolated came with 28.0.
   */
  readonly gatewayModes: readonly GatewayMode[];
  /** A bridge network may leave IPv4 off (enable_ipv4, 28.0+); before, every bridge network has IPv4. */
  readonly ipv4Optional: boolean;
  /**
   * com.docker.network.host_ipv4 is also the SNAT source of the network's IPv6 traffic (20.10:
   * setup_ip_tables.go passes the one config.HostIP to setupIPTablesInternal for both families, and
   * ip6tables refuses an IPv4 address).
   */
  readonly hostIPv4SnatsIPv6: boolean;
  /** A default IPv6 address pool (27+: daemon.go deriveULABaseNetwork adds the ULA pool). */
  readonly defaultIPv6Pool: boolean;
  /**
   * The default bridge with IPv6 needs fixed-cidr-v6 (<= 27: daemon_unix.go initBridgeDriver, "IPv6 is
   * enabled for the default bridge, but no subnet is configured").
   */
  readonly defaultBridgeIPv6NeedsFixedCidr: boolean;
  /**
   * The order of a legacy link's ports (the child's exposed ports, one pair of ACCEPT rules each):
   * 'sort-port-map' (20.10 to 28: daemon/network.go buildCreateEndpointOptions sorts them with
   * go-connections nat.SortPortMap, so the highest port comes first); 'map' (29:
   * buildPortsRelatedCreateEndpointOptions ranges over the PortBindings map, an order Go randomises;
   * netform writes them ascending).
   */
  readonly linkPortOrder: 'sort-port-map' | 'map';
  /**
   * An internal bridge network still gives its endpoints a gateway, so a container whose only network is
   * internal gets a default route through it (<= 24: bridge driver Join calls SetGateway for every
   * network; 25.0 added `if !network.config.Internal`). It never gets published ports there (libnetwork
   * sbJoin programs external connectivity only on non-internal networks).
   */
  readonly internalBridgeGateway: boolean;
  /**
   * A bridge with IPv6 enabled also gets fe80::1/64, internal or not, beside the kernel's own link-local
   * address: 20.10 to 24 setupBridgeIPv6 (queued on config.EnableIPv6 alone) programs bridgeIPv6 before
   * the network's address; 25 and 26 getRequiredIPv6Addrs (26.1.1 on skip it with
   * DOCKER_BRIDGE_PRESERVE_KERNEL_LL=1); 27.0 dropped it (programIPv6Addresses adds only the network's).
   */
  readonly bridgeLinkLocalAddress: boolean;
  /** Endpoint options of 28.0: interface_name (com.docker.network.endpoint.ifname) and gw_priority. */
  readonly endpointInterfaceName: boolean;
  readonly gwPriority: boolean;
}
