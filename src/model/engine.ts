// The Docker Engine releases netform reproduces and, as data, everything that differs between them:
// one object per release with its firewall layout and the other facts (engine-types.ts names and cites
// each). The stages read these facts where they use them; engine-checks.ts reports the settings a
// release lacks.
import type { Engine, EngineLayout, EngineRelease } from './engine-types.ts';

export type { Engine, EngineLayout, EngineRelease } from './engine-types.ts';

/** Newest first. */
export const ENGINES: readonly Engine[] = ['29', '28', '27', '20.10'];

/** The release reproduced when the file names none. */
export const LATEST_ENGINE: Engine = '29';

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

const FIREWALL_29: EngineLayout = {
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

const FIREWALL_28: EngineLayout = {
  ...FIREWALL_29,
  engine: '28',
  isolationChains: true,
  internalChain: 'DOCKER-ISOLATION-STAGE-1',
  skipDnat: 'masquerade',
  portOrder: 'sorted',
};

const FIREWALL_27: EngineLayout = {
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

const FIREWALL_20_10: EngineLayout = {
  ...FIREWALL_27,
  engine: '20.10',
  internalV6Interfaces: false,
  isolationNeedsIptables: true,
  userChainIPv6: false,
  portOrder: 'sort-port-map',
};

const RELEASE_29: EngineRelease = {
  engine: '29',
  firewall: FIREWALL_29,
  macs: 'random',
  bridgeIPv6Nodad: true,
  hostGateway: 'ipv4-and-ipv6',
  legacyHostsIPv6Spelling: false,
  resolvConf: 'current',
  brNetfilterWithoutProxy: true,
  deferredDefaultBridgeIPv6: false,
  ip6tablesDefault: true,
  nftablesBackend: 'daemon-option',
  ip6tablesNeedsExperimental: false,
  gatewayModes: ['nat', 'nat-unprotected', 'routed', 'isolated'],
  ipv4Optional: true,
  hostIPv4SnatsIPv6: false,
  defaultIPv6Pool: true,
  defaultBridgeIPv6NeedsFixedCidr: false,
  endpointInterfaceName: true,
  gwPriority: true,
  linkPortOrder: 'map',
  internalBridgeGateway: false,
  bridgeLinkLocalAddress: false,
};

const RELEASE_28: EngineRelease = { ...RELEASE_29, engine: '28', firewall: FIREWALL_28, nftablesBackend: 'environment-variable', linkPortOrder: 'sort-port-map' };

const RELEASE_27: EngineRelease = {
  ...RELEASE_28,
  engine: '27',
  firewall: FIREWALL_27,
  nftablesBackend: 'none',
  macs: 'from-ipv4',
  hostGateway: 'ipv4',
  legacyHostsIPv6Spelling: true,
  resolvConf: '27',
  deferredDefaultBridgeIPv6: true,
  gatewayModes: ['nat', 'routed'],
  ipv4Optional: false,
  defaultBridgeIPv6NeedsFixedCidr: true,
  endpointInterfaceName: false,
  gwPriority: false,
};

const RELEASE_20_10: EngineRelease = {
  ...RELEASE_27,
  engine: '20.10',
  firewall: FIREWALL_20_10,
  bridgeIPv6Nodad: false,
  resolvConf: '20.10',
  brNetfilterWithoutProxy: false,
  ip6tablesDefault: false,
  ip6tablesNeedsExperimental: true,
  gatewayModes: ['nat'],
  hostIPv4SnatsIPv6: true,
  defaultIPv6Pool: false,
  internalBridgeGateway: true,
  bridgeLinkLocalAddress: true,
};

const RELEASES: { readonly [E in Engine]: EngineRelease } = { '29': RELEASE_29, '28': RELEASE_28, '27': RELEASE_27, '20.10': RELEASE_20_10 };

export const engineRelease = (engine: Engine | undefined): EngineRelease => RELEASES[engine ?? LATEST_ENGINE];

export const engineLayout = (engine: Engine | undefined): EngineLayout => engineRelease(engine).firewall;

/** daemon.json keys by the release that introduced them (cmd/dockerd/config*.go at each tag), and what to call them. */
export const DAEMON_KEYS_SINCE: readonly (readonly [string, Engine, string])[] = [
  ['firewall-backend', '29', 'the firewall-backend option'],
  ['bridge-accept-fwmark', '29', 'the bridge-accept-fwmark option'],
  ['allow-direct-routing', '28', 'the allow-direct-routing option'],
  ['ip-forward-no-drop', '28', 'the ip-forward-no-drop option'],
  ['bip6', '28', 'the bip6 option'],
  ['host-gateway-ips', '28', 'host-gateway-ips (use host-gateway-ip)'],
  ['default-network-opts', '27', 'default-network-opts'],
];

/** Bridge driver options by the release that reads them (drivers/bridge labels.go, netlabel/labels.go). */
export const NETWORK_OPTIONS_SINCE: readonly (readonly [string, Engine])[] = [
  ['com.docker.network.bridge.gateway_mode_ipv4', '27'],
  ['com.docker.network.bridge.gateway_mode_ipv6', '27'],
  ['com.docker.network.host_ipv6', '27'],
  ['com.docker.network.bridge.trusted_host_interfaces', '28'],
  ['com.docker.network.enable_ipv4', '28'],
];
