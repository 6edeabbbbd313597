// Networks of the other drivers: overlay (VXLAN across hosts, swarm scope), macvlan and ipvlan. Their
// options are read as the drivers read them (docker network create -d DRIVER -o KEY=VALUE); the fields
// only a bridge has keep neutral defaults, so the IPAM stage treats every driver alike.
import { error, warning, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import { interfaceNameProblem } from './names.ts';
import { ipamEntries, onHosts } from './network-config.ts';
import type { BridgeNetwork, IpvlanFlag, IpvlanMode, MacvlanMode, NetworkDriver, OverlaySettings, SubinterfaceSettings } from './types.ts';

type Raw = Record<string, unknown>;

/** Overlay option keys (drivers/overlay/ov_network.go, netlabel). `encrypted` counts by presence. */
const OVERLAY_OPTIONS = new Set(['encrypted', 'com.docker.network.driver.overlay.vxlanid_list', 'com.docker.network.driver.mtu']);
const MACVLAN_OPTIONS = new Set(['parent', 'macvlan_mode', 'com.docker.network.driver.mtu']);
const IPVLAN_OPTIONS = new Set(['parent', 'ipvlan_mode', 'ipvlan_flag', 'com.docker.network.driver.mtu']);
const MACVLAN_MODES: readonly MacvlanMode[] = ['bridge', 'private', 'vepa', 'passthru'];
const IPVLAN_MODES: readonly IpvlanMode[] = ['l2', 'l3', 'l3s'];
const IPVLAN_FLAGS: readonly IpvlanFlag[] = ['bridge', 'private', 'vepa'];

/** VXLAN adds 50 bytes; ESP 26 more, rounded down to a multiple of 4 (ov_network.go maxMTU). */
export function overlayMtu(networkMtu: number, encrypted: boolean): number {
  let mtu = networkMtu - 50;
  if (encrypted) {
    mtu -= 26;
    mtu -= mtu % 4;
  }
  return mtu;
}

export function driverNetwork(name: string, driver: Exclude<NetworkDriver, 'bridge'>, raw: Raw): { network?: BridgeNetwork; diagnostics: Diagnostic[] } {
  const path: YamlPath = ['networks', name];
  const diagnostics: Diagnostic[] = [];
  const rawOpts = (raw['driver_opts'] ?? {}) as Raw;
  const opts: Record<string, string> = {};
  const known = driver === 'overlay' ? OVERLAY_OPTIONS : driver === 'macvlan' ? MACVLAN_OPTIONS : IPVLAN_OPTIONS;
  for (const [k, v] of Object.entries(rawOpts)) {
    opts[k] = String(v);
    if (!known.has(k)) {
      diagnostics.push(warning('IGNORED', [...path, 'driver_opts', k], `driver option "${k}" is not a ${driver} driver option netform knows; it is ignored (${driver} understands ${[...known].join(', ')})`, { atKey: true }));
    }
  }
  const optPath = (k: string): YamlPath => [...path, 'driver_opts', k];
  const fieldOnly = (key: string, what: string) => {
    if (raw[key] !== undefined) diagnostics.push(error('BAD_OPTION', [...path, key], `${key} is ${what}`, { atKey: true }));
  };
  if (driver !== 'overlay') {
    fieldOnly('attachable', 'an overlay setting; a local network is attachable anyway');
    fieldOnly('ingress', 'an overlay setting (the routing mesh runs on an overlay network)');
  } else {
    fieldOnly('hosts', 'for local networks: an overlay spans every host that runs a container on it');
  }

  let networkMtu = 1500;
  const mtuText = opts['com.docker.network.driver.mtu'];
  if (mtuText !== undefined) {
    if (!/^\d+$/.test(mtuText)) diagnostics.push(error('BAD_OPTION', optPath('com.docker.network.driver.mtu'), `"${mtuText}" is not an integer MTU`));
    else networkMtu = Number(mtuText);
  }

  let internal = raw['internal'] === true;
  const enableIPv6 = raw['enable_ipv6'] === true;
  const enableIPv4 = raw['enable_ipv4'] !== false;
  if (!enableIPv4 && !enableIPv6) diagnostics.push(error('BAD_OPTION', [...path, 'enable_ipv4'], 'a network needs IPv4 or IPv6 enabled'));
  const ipam = ipamEntries(raw['ipam'] as Raw | undefined, path);
  diagnostics.push(...ipam.diagnostics);
  if (!enableIPv6 && ipam.v6.length > 0) diagnostics.push(error('IPV6_DISABLED', ipam.v6[0]!.path, 'an IPv6 subnet needs enable_ipv6: true on the network'));

  let overlay: OverlaySettings | undefined;
  let subinterface: SubinterfaceSettings | undefined;
  let mtu = networkMtu;
  if (driver === 'overlay') {
    let vni: number | undefined;
    const list = opts['com.docker.network.driver.overlay.vxlanid_list'];
    if (list !== undefined) {
      const first = list.split(',')[0]!.trim();
      // ovmanager.go: VNIs are 24-bit; swarm keeps clear of 802.1Q ids only for the ones it picks.
      if (!/^\d+$/.test(first) || Number(first) < 1 || Number(first) > 0xffffff) {
        diagnostics.push(error('BAD_OPTION', optPath('com.docker.network.driver.overlay.vxlanid_list'), `"${list}" is not a VXLAN id (1 to 16777215)`));
      } else vni = Number(first);
    }
    const encrypted = 'encrypted' in opts;
    overlay = { attachable: raw['attachable'] === true, ingress: raw['ingress'] === true, encrypted, ...(vni !== undefined ? { vni } : {}) };
    mtu = overlayMtu(networkMtu, encrypted);
    if (overlay.ingress && enableIPv6) diagnostics.push(error('BAD_OPTION', [...path, 'enable_ipv6'], 'the ingress network is IPv4 only (swarm ingress does not support IPv6)'));
    if (overlay.ingress && internal) diagnostics.push(error('BAD_OPTION', [...path, 'internal'], 'the ingress network cannot be internal (dockerd: "ingress network cannot be internal")'));
    if (enableIPv6 && ipam.v6.length === 0) {
      diagnostics.push(error('BAD_OPTION', [...path, 'enable_ipv6'], 'an IPv6 overlay needs its IPv6 subnet under ipam.config (swarm has no IPv6 default pool)'));
    }
  } else {
    const parent = opts['parent'];
    let vlan: { link: string; id: number } | undefined;
    if (parent !== undefined) {
      const problem = interfaceNameProblem(parent);
      if (problem) diagnostics.push(error('BAD_INTERFACE_NAME', optPath('parent'), problem));
      else if (parent === 'lo') diagnostics.push(error('BAD_OPTION', optPath('parent'), `loopback interface is not a valid ${driver} parent link (dockerd)`));
      const m = /^(.+)\.(\d+)$/.exec(parent);
      if (m) {
        const id = Number(m[2]);
        if (id < 1 || id > 4094) diagnostics.push(error('BAD_OPTION', optPath('parent'), `VLAN id ${m[2]} of parent "${parent}" is outside 1..4094`));
        else vlan = { link: m[1]!, id };
      }
    } else {
      // No parent: Docker makes a dummy link and the network is internal (macvlan_network.go createNetwork).
      internal = true;
    }
    const choice = <T extends string>(key: string, allowed: readonly T[], dflt: T): T => {
      const v = opts[key];
      if (v === undefined || v === '') return dflt;
      if (!allowed.includes(v as T)) {
        diagnostics.push(error('BAD_OPTION', optPath(key), `unknown ${key} "${v}"; expected one of ${allowed.join(', ')}`));
        return dflt;
      }
      return v as T;
    };
    subinterface = {
      ...(parent !== undefined ? { parent } : {}),
      ...(vlan ? { vlan } : {}),
      ...(driver === 'macvlan'
        ? { macvlanMode: choice('macvlan_mode', MACVLAN_MODES, 'bridge') }
        : { ipvlanMode: choice('ipvlan_mode', IPVLAN_MODES, 'l2'), ipvlanFlag: choice('ipvlan_flag', IPVLAN_FLAGS, 'bridge') }),
    };
  }

  const network: BridgeNetwork = {
    name,
    path,
    driver,
    ...(driver !== 'overlay' ? onHosts(raw) : {}),
    ...(overlay ? { overlay } : {}),
    ...(subinterface ? { subinterface } : {}),
    isDefault: false,
    internal,
    enableIPv4,
    enableIPv6,
    icc: true,
    masquerade: false,
    gatewayModeV4: 'nat',
    gatewayModeV6: 'nat',
    hostBindingIPv4: '0.0.0.0',
    mtu,
    inhibitIPv4: false,
    trustedHostInterfaces: [],
    containerIfacePrefix: 'eth',
    ipamV4: ipam.v4,
    ipamV6: ipam.v6,
    labels: {},
    optionPaths: Object.fromEntries(Object.keys(opts).map((k) => [k, optPath(k)])),
  };
  return { network, diagnostics };
}
