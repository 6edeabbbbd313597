// What netform wants on one host, from the compiled build: the same objects setup.sh makes (namespaces
// for containers, bridges, veth pairs with their namespace ends, addresses, default routes, sysctls),
// each container's hosts and resolv.conf for /etc/netns/<namespace>/, and the firewall rules. Names
// carry NETFORM_NETNS_PREFIX as the scripts' do. Anything setup.sh makes that apply does not manage yet
// is refused here, before anything is read or changed.
import type { Model } from '../model/types.ts';
import { ApplyError } from './errors.ts';
import type { Topology } from '../topology/types.ts';
import { bridgeDeviceAddresses } from '../topology/host-devices.ts';
import type { Desired, HostLink, Interface, DefaultRoute, NetnsFile, SysctlSetting, Target } from './types.ts';
import { overlayNetwork } from './desired-overlay.ts';

/** What setup.sh makes that apply does not manage yet; empty when apply can take the build. */
export function unsupported(t: Topology): string[] {
  const out: string[] = [];
  if (t.parentLinks?.length) out.push(`macvlan/ipvlan parent links (${t.parentLinks.map((l) => l.name).join(', ')})`);
  const attached = t.endpoints.filter((e) => e.attachment?.kind === 'ipvlan');
  if (attached.length) out.push(`ipvlan endpoints (${[...new Set(attached.map((e) => e.network))].join(', ')})`);
  const encrypted = (t.overlays ?? []).filter((o) => o.encrypted);
  // ESP with AES-GCM (overlay/encryption.go) is programmed by setup.sh from the swarm's keys; apply
  // would have to keep those keys in its state directory and roll SAs back, which it does not do.
  if (t.xfrm || encrypted.length) out.push(`encrypted overlays (${encrypted.map((o) => o.network).join(', ') || 'xfrm'}: ESP security associations and policies)`);
  return out;
}

const sysctlOf = (s: Topology['hostSysctls'][number], link?: string): SysctlSetting => ({
  path: s.key.join('/'),
  value: s.value,
  optional: !!s.optional,
  ...(link ? { link } : {}),
  reason: s.reason,
});

/** Files a container's namespace gets: what Docker writes into the container, by name. */
export type ContainerFiles = (container: string) => { readonly hosts: string; readonly resolvConf: string } | undefined;

/**
 * What dockerd would run on this host that netform does not, said once in every plan: docker-proxy for
 * published ports when userland-proxy is on (drivers/bridge/port_mapping_linux.go startProxy), and the
 * embedded DNS server at 127.0.0.11 of user-defined networks (libnetwork resolver_unix.go).
 */
export function notices(t: Topology, model: Pick<Model, 'daemon'>, files: readonly NetnsFile[]): string[] {
  const out: string[] = [];
  if (model.daemon.userlandProxy && t.ports.length) {
    const proxyOnly = t.ports.filter((p) => p.mapper === 'proxy').length;
    out.push(
      `userland-proxy is on: dockerd would run docker-proxy for the ${t.ports.length} published port(s); netform runs no process, so a ` +
        `published port does not answer on the host's loopback addresses${proxyOnly ? ` and ${proxyOnly} IPv6-to-IPv4 mapping(s) answer nowhere` : ''}. ` +
        'Set "userland-proxy": false to have the kernel do it (hairpin NAT, route_localnet), as dockerd then does.',
    );
  }
  const embedded = files.filter((f) => f.name === 'resolv.conf' && /^nameserver 127\.0\.0\.11$/m.test(f.text)).map((f) => f.netns);
  if (embedded.length) {
    out.push(
      `${embedded.length} container(s) have nameserver 127.0.0.11, dockerd's embedded DNS server, which netform does not run: ` +
        'names of other containers do not resolve there. Set name_resolution: hosts to write them into each /etc/hosts instead.',
    );
  }
  return out;
}

/** The desired state of one host. `files` gives each container's hosts and resolv.conf as the build renders them. */
export function desiredState(t: Topology, model: Pick<Model, 'daemon'>, target: Target, files: ContainerFiles): Desired {
  const problems = unsupported(t);
  if (problems.length) throw new ApplyError(`netform: plan and apply do not manage ${problems.join('; ')} yet; use setup.sh and teardown.sh for this build`);
  const ns = (name: string) => `${target.prefix}${name}`;
  const own = t.containers.filter((c) => c.networking.kind === 'netns');
  // The bridge's IPv6 address skips duplicate address detection from Docker 27 on (interface_linux.go
  // AddrReplace with IFA_F_NODAD); 20.10 added it plainly (vendored libnetwork interface.go).
  const nodad = t.engine !== '20.10';
  const links: HostLink[] = t.bridges.map((b) => ({ kind: 'bridge', name: b.name, mac: b.mac, mtu: b.mtu, addresses: bridgeDeviceAddresses(b), nodad }));
  const interfaces: Interface[] = [];
  const balancers = new Map(t.containers.flatMap((c) => (c.loadBalancer ? [[c.name, c.loadBalancer] as const] : [])));
  for (const e of t.endpoints) {
    // An overlay endpoint's veth has no end in the host namespace (desired-overlay.ts).
    if (!e.attachment) links.push({ kind: 'veth', name: e.hostIfname, mtu: e.mtu, master: e.bridge, hairpin: e.hairpin, peer: { netns: ns(e.container), ifname: e.ifname } });
    const lb = balancers.get(e.container);
    const aliases = lb?.device === e.ifname ? lb.vips : [];
    interfaces.push({
      netns: ns(e.container),
      ifname: e.ifname,
      mac: e.mac,
      mtu: e.mtu,
      // The routing mesh's VIPs are /32 aliases on ingress_sbox's ingress interface (addLBBackend):
      // with no broadcast address at that length, they are added like the interface's own.
      addresses: [...(e.ipv4 ? [`${e.ipv4}/${e.ipv4PrefixLength}`] : []), ...(e.ipv6 ? [`${e.ipv6}/${e.ipv6PrefixLength}`] : []), ...aliases],
    });
  }
  const routes: DefaultRoute[] = own.flatMap((c) => c.routes.map((r) => ({ netns: ns(c.name), family: r.family, ...(r.via ? { via: r.via } : {}), device: r.device })));
  // A host sysctl of a bridge's (docker_gwbridge's route_localnet for the routing mesh) belongs to that
  // bridge: it appears with it and goes with it.
  const bridgeNames = new Set(t.bridges.map((b) => b.name));
  const ofBridge = (s: Topology['hostSysctls'][number]) => (s.key[2] === 'conf' && bridgeNames.has(s.key[3] ?? '') ? s.key[3] : undefined);
  const sysctls = [...t.hostSysctls.map((s) => sysctlOf(s, ofBridge(s))), ...t.bridges.flatMap((b) => b.sysctls.map((s) => sysctlOf(s, b.name)))];
  const netnsFiles: NetnsFile[] = [];
  for (const c of own) {
    if (c.sandbox) continue;
    const f = files(c.name);
    if (!f) throw new ApplyError(`netform: the build has no hosts or resolv.conf for container ${c.name}`);
    netnsFiles.push({ netns: ns(c.name), name: 'hosts', text: f.hosts }, { netns: ns(c.name), name: 'resolv.conf', text: f.resolvConf });
  }
  const overlay = overlayNetwork(t, ns);
  return {
    target,
    network: { namespaces: [...own.map((c) => ns(c.name)), ...overlay.namespaces], links, interfaces, routes, sysctls, files: netnsFiles, ...overlay.network },
    firewall: t.firewall,
    notices: [...notices(t, model, netnsFiles), ...overlay.notices],
  };
}
