// Networks of the other drivers: overlay (VXLAN across hosts, swarm scope), macvlan and ipvlan. Their
// options are read as the drivers read them (docker network create -d DRIVER -o KEY=VALUE).
import { error, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import { interfaceNameProblem } from './names.ts';
import { checkFamilies, DriverOptions, ipamEntries, labels, onHosts } from './network-config.ts';
import { newNetwork, overlayMtu } from './network-defaults.ts';
import type { IpvlanFlag, IpvlanMode, IpvlanNetwork, MacvlanMode, MacvlanNetwork, NetworkDriver, OverlayNetwork } from './types.ts';

type Raw = Record<string, unknown>;

/** Overlay option keys (drivers/overlay/ov_network.go, netlabel). `encrypted` counts by presence. */
const OVERLAY_OPTIONS = new Set(['encrypted', 'com.docker.network.driver.overlay.vxlanid_list', 'com.docker.network.driver.mtu']);
const MACVLAN_OPTIONS = new Set(['parent', 'macvlan_mode', 'com.docker.network.driver.mtu']);
const IPVLAN_OPTIONS = new Set(['parent', 'ipvlan_mode', 'ipvlan_flag', 'com.docker.network.driver.mtu']);
const MACVLAN_MODES: readonly MacvlanMode[] = ['bridge', 'private', 'vepa', 'passthru'];
const IPVLAN_MODES: readonly IpvlanMode[] = ['l2', 'l3', 'l3s'];
const IPVLAN_FLAGS: readonly IpvlanFlag[] = ['bridge', 'private', 'vepa'];

type OtherDriver = Exclude<NetworkDriver, 'bridge'>;

/** What every driver reads alike: options, MTU, address families, ipam config, labels. */
interface CommonFields {
  readonly path: YamlPath;
  readonly options: DriverOptions;
  /** The fields every driver's network has, as written. */
  readonly fields: Pick<OverlayNetwork, 'internal' | 'enableIPv4' | 'enableIPv6' | 'mtu' | 'ipamV4' | 'ipamV6' | 'labels' | 'optionPaths'>;
}

function commonFields(name: string, driver: OtherDriver, raw: Raw, diagnostics: Diagnostic[]): CommonFields {
  const path: YamlPath = ['networks', name];
  const o = new DriverOptions(path, raw, diagnostics);
  const known = driver === 'overlay' ? OVERLAY_OPTIONS : driver === 'macvlan' ? MACVLAN_OPTIONS : IPVLAN_OPTIONS;
  o.warnUnknown(known, (k) => `driver option "${k}" is not a ${driver} driver option netform knows; it is ignored (${driver} understands ${[...known].join(', ')})`);
  const fieldOnly = (key: string, what: string) => {
    if (raw[key] !== undefined) diagnostics.push(error('BAD_OPTION', [...path, key], `${key} is ${what}`, { atKey: true }));
  };
  if (driver !== 'overlay') {
    fieldOnly('attachable', 'an overlay setting; a local network is attachable anyway');
    fieldOnly('ingress', 'an overlay setting (the routing mesh runs on an overlay network)');
  } else {
    fieldOnly('hosts', 'for local networks: an overlay spans every host that runs a container on it');
  }
  const mtu = o.mtu();
  const enableIPv6 = raw['enable_ipv6'] === true;
  const enableIPv4 = raw['enable_ipv4'] !== false;
  const ipam = ipamEntries(raw['ipam'] as Raw | undefined, path);
  diagnostics.push(...ipam.diagnostics, ...checkFamilies(path, enableIPv4, enableIPv6, ipam.v6));
  return {
    path,
    options: o,
    fields: { internal: raw['internal'] === true, enableIPv4, enableIPv6, mtu, ipamV4: ipam.v4, ipamV6: ipam.v6, labels: labels(raw), optionPaths: o.paths() },
  };
}

function overlayNetwork(name: string, raw: Raw, { path, options: o, fields }: CommonFields): OverlayNetwork {
  const d = o.diagnostics;
  let vni: number | undefined;
  const list = o.values['com.docker.network.driver.overlay.vxlanid_list'];
  if (list !== undefined) {
    const first = list.split(',')[0]!.trim();
    // ovmanager.go: VNIs are 24-bit; swarm keeps clear of 802.1Q ids only for the ones it picks.
    if (!/^\d+$/.test(first) || Number(first) < 1 || Number(first) > 0xffffff) {
      d.push(error('BAD_OPTION', o.where('com.docker.network.driver.overlay.vxlanid_list'), `"${list}" is not a VXLAN id (1 to 16777215)`));
    } else vni = Number(first);
  }
  const encrypted = 'encrypted' in o.values;
  const ingress = raw['ingress'] === true;
  if (ingress && fields.enableIPv6) d.push(error('BAD_OPTION', [...path, 'enable_ipv6'], 'the ingress network is IPv4 only (swarm ingress does not support IPv6)'));
  if (ingress && fields.internal) d.push(error('BAD_OPTION', [...path, 'internal'], 'the ingress network cannot be internal (dockerd: "ingress network cannot be internal")'));
  if (fields.enableIPv6 && fields.ipamV6.length === 0) {
    d.push(error('BAD_OPTION', [...path, 'enable_ipv6'], 'an IPv6 overlay needs its IPv6 subnet under ipam.config (swarm has no IPv6 default pool)'));
  }
  return newNetwork('overlay', name, path, {
    ...fields,
    mtu: overlayMtu(fields.mtu, encrypted),
    attachable: raw['attachable'] === true,
    ingress,
    encrypted,
    ...(vni !== undefined ? { vni } : {}),
  });
}

/** `parent`: an interface of the host, or NAME.VID for an 802.1Q link on one. */
function parentLink(driver: 'macvlan' | 'ipvlan', o: DriverOptions): { parent?: string; vlan?: { link: string; id: number } } {
  const parent = o.values['parent'];
  if (parent === undefined) return {};
  const problem = interfaceNameProblem(parent);
  if (problem) o.diagnostics.push(error('BAD_INTERFACE_NAME', o.where('parent'), problem));
  else if (parent === 'lo') o.diagnostics.push(error('BAD_OPTION', o.where('parent'), `loopback interface is not a valid ${driver} parent link (dockerd)`));
  const m = /^(.+)\.(\d+)$/.exec(parent);
  if (!m) return { parent };
  const id = Number(m[2]);
  if (id >= 1 && id <= 4094) return { parent, vlan: { link: m[1]!, id } };
  o.diagnostics.push(error('BAD_OPTION', o.where('parent'), `VLAN id ${m[2]} of parent "${parent}" is outside 1..4094`));
  return { parent };
}

function subinterfaceNetwork(name: string, driver: 'macvlan' | 'ipvlan', raw: Raw, { path, options: o, fields }: CommonFields): MacvlanNetwork | IpvlanNetwork {
  const link = parentLink(driver, o);
  // No parent: Docker makes a dummy link and the network is internal (macvlan_network.go createNetwork).
  const common = { ...onHosts(raw), ...fields, ...link, internal: fields.internal || link.parent === undefined };
  if (driver === 'macvlan') return newNetwork('macvlan', name, path, { ...common, mode: o.choice('macvlan_mode', MACVLAN_MODES, 'bridge') });
  return newNetwork('ipvlan', name, path, { ...common, mode: o.choice('ipvlan_mode', IPVLAN_MODES, 'l2'), flag: o.choice('ipvlan_flag', IPVLAN_FLAGS, 'bridge') });
}

export function driverNetwork(name: string, driver: OtherDriver, raw: Raw): { network?: OverlayNetwork | MacvlanNetwork | IpvlanNetwork; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const common = commonFields(name, driver, raw, diagnostics);
  const network = driver === 'overlay' ? overlayNetwork(name, raw, common) : subinterfaceNetwork(name, driver, raw, common);
  return { network, diagnostics };
}
