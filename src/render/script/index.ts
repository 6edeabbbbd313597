// setup.sh / teardown.sh from the topology. The view below is the only thing the templates see; every
// word in it has passed the safe-alphabet check (batchWord, which throws on anything else) or, for the
// source file name, comment escaping (commentWord) on its way in, so the templates place words without
// helpers.
import { engineRelease } from '../../model/engine.ts';
import type { Topology } from '../../topology/types.ts';
import { batchWord as bw, commentWord, template } from '../template/handlebars.ts';
import { SETUP, TEARDOWN } from './templates.ts';
import { containerBlocks } from './container-blocks.ts';
import type { ScriptView } from './view.ts';
import type { RenderContext, Renderer } from '../renderer.ts';
import { renderIptablesRestore } from '../../firewall/iptables/text/index.ts';
import { renderXfrmPolicies, renderXfrmTeardown } from '../xfrm/index.ts';

export type { ScriptView };

/** What the templates see of a topology. */
export function scriptView(t: Topology, source: string): ScriptView {
  return makeView(t, source);
}

function makeView(t: Topology, source: string): ScriptView {
  const own = t.containers.filter((c) => c.networking.kind === 'netns');
  // Endpoints by container, in join order (one pass: a filter per container would be quadratic).
  const endpointsOf = new Map<string, Topology['endpoints'][number][]>();
  for (const e of t.endpoints) {
    const list = endpointsOf.get(e.container);
    if (list) list.push(e);
    else endpointsOf.set(e.container, [e]);
  }
  // The bridge's IPv6 address is added with IFA_F_NODAD where the release does (EngineRelease.bridgeIPv6Nodad).
  const nodad = engineRelease(t.engine).bridgeIPv6Nodad;
  const bridges = t.bridges.map((b) => ({
    name: bw(b.name),
    mac: bw(b.mac),
    mtu: b.mtu,
    addresses: b.addresses.map((a) => ({ address: bw(a), v4: !a.includes(':'), nodad: a.includes(':') && nodad })),
  }));
  const link = (e: Topology['endpoints'][number]) => ({ hostIfname: bw(e.hostIfname), ifname: bw(e.ifname), mtu: e.mtu, bridge: bw(e.bridge), hairpin: e.hairpin });
  const onHostBridge = (e: Topology['endpoints'][number]) => !e.attachment;
  const endpoints = t.endpoints.filter(onHostBridge).map((e) => ({ ...link(e), netns: bw(e.container) }));
  const overlays = (t.overlays ?? []).map((o) => overlayView(o, t.endpoints));
  const parentLinks = (t.parentLinks ?? []).map((l) => ({
    name: bw(l.name),
    create: l.kind === 'vlan' ? `link add link ${bw(l.link!)} name ${bw(l.name)} type vlan id ${l.vlanId}` : `link add name ${bw(l.name)} type dummy`,
  }));
  const sysctls = [...t.hostSysctls, ...t.bridges.flatMap((b) => b.sysctls)].map((s) => ({
    path: `/proc/sys/${s.key.map(bw).join('/')}`,
    value: bw(s.value),
    key: s.key.join('.'),
    reason: s.reason.replace(/[^A-Za-z0-9 _.,:/()+-]/g, ''),
    optional: !!s.optional,
  }));
  const containers = own.map((c, i) => ({
      n: i + 1,
      name: bw(c.name),
      links: (endpointsOf.get(c.name) ?? []).filter(onHostBridge).map(link),
      otherLinks: (endpointsOf.get(c.name) ?? []).filter((e) => !onHostBridge(e)).map((e) => otherLink(e, c.name)),
      linkCount: (endpointsOf.get(c.name) ?? []).length,
      interfaces: (endpointsOf.get(c.name) ?? []).map((e) => ({
        ifname: bw(e.ifname),
        mac: bw(e.mac),
        addresses: [
          ...(e.ipv4 ? [{ address: bw(`${e.ipv4}/${e.ipv4PrefixLength}`), v4: true }] : []),
          ...(e.ipv6 ? [{ address: bw(`${e.ipv6}/${e.ipv6PrefixLength}`), v4: false }] : []),
        ],
      })),
      routes: c.routes.map((r) => ({ ...(r.via ? { via: bw(r.via) } : {}), device: bw(r.device) })),
      ...(c.firewall?.v4 ? { rules: renderIptablesRestore(c.firewall.v4) } : {}),
      rulesOptional: c.sandbox === 'ingress',
      ...(c.loadBalancer ? { loadBalancer: loadBalancerView(c.loadBalancer) } : {}),
    }));
  return {
    host: bw(t.host),
    firewallNote:
      t.firewall.backend === 'nftables'
        ? `Firewall rules are in nftables.rules\n# (load it with nft -f)${t.firewall.iptables ? ', NETFORM-SWARM in iptables.rules / ip6tables.rules (iptables-restore)' : ''}`
        : 'Firewall rules are in iptables.rules / ip6tables.rules\n# (load them with iptables-restore)',
    engine: bw(t.engine),
    source: commentWord(source),
    namespaces: [...own.map((c) => bw(c.name)), ...overlays.map((o) => o.ns)],
    bridges,
    endpoints,
    hostBatch: bridges.length + endpoints.length > 0,
    hostCleanup: bridges.length + endpoints.length + overlays.length + parentLinks.length > 0,
    overlays,
    parentLinks,
    ...(t.xfrm ? { xfrm: { policies: renderXfrmPolicies(t.xfrm), teardown: renderXfrmTeardown(t.xfrm) } } : {}),
    hostLinkNames: [...bridges.map((b) => b.name), ...endpoints.map((e) => e.hostIfname), ...overlays.map((o) => o.vxlan), ...parentLinks.map((l) => l.name)],
    sysctls,
    containers,
    containerBlocks: containerBlocks(containers),
  };
}

/**
 * A non-bridge interface, created from the host namespace directly where it belongs: an overlay veth with
 * one end in the overlay namespace and the other in the container's (Docker creates both in the host
 * namespace and moves them), or a macvlan/ipvlan link on its parent, created inside the container.
 */
function otherLink(e: Topology['endpoints'][number], container: string): string {
  const a = e.attachment!;
  const inContainer = `${bw(e.ifname)} mtu ${e.mtu} netns \${P}${bw(container)}`;
  if (a.kind === 'overlay') return `link add name ${bw(e.hostIfname)} mtu ${e.mtu} netns \${P}${bw(a.namespace)} type veth peer name ${inContainer}`;
  if (a.kind === 'macvlan') return `link add link ${bw(a.parent)} name ${inContainer} type macvlan mode ${bw(a.mode)}`;
  return `link add link ${bw(a.parent)} name ${inContainer} type ipvlan mode ${bw(a.mode)} ${bw(a.flag)}`;
}

/** ipvsadm-save form: `-A -f MARK -s rr`, then `-a -f MARK -r IP:0 -m -w 1` per task (masquerading). */
function loadBalancerView(lb: NonNullable<Topology['containers'][number]['loadBalancer']>): NonNullable<ScriptView['containers'][number]['loadBalancer']> {
  let ipvs = '';
  for (const s of lb.services) {
    ipvs += `-A -f ${s.fwMark} -s rr\n`;
    for (const d of s.destinations) ipvs += `-a -f ${s.fwMark} -r ${bw(d)}:0 -m -w 1\n`;
  }
  return {
    aliases: lb.vips.map((v) => `addr add ${bw(v)} dev ${bw(lb.device)}`),
    ipvs,
    sysctls: lb.sysctls.map((x) => {
      const file = `/proc/sys/${x.key.map(bw).join('/')}`;
      return `if [ -e ${file} ]; then echo ${bw(x.value)} > ${file}; fi`;
    }),
  };
}

function overlayView(o: NonNullable<Topology['overlays']>[number], all: Topology['endpoints']): ScriptView['overlays'][number] {
  const vxlan = bw(o.vxlanName);
  const nsLines = [
    'link set dev lo up',
    `link add name br0 type bridge`,
    `link set dev br0 address ${bw(o.bridgeMac)} mtu ${o.mtu}`,
    ...o.bridgeAddresses.map((a) => `addr add ${bw(a)} dev br0${a.includes(':') ? ' nodad' : ' brd +'}`),
    `link set dev ${vxlan} name vxlan0`,
    `link set dev vxlan0 master br0 mtu ${o.mtu}`,
    'link set dev vxlan0 up',
    'link set dev br0 up',
    ...o.peers.flatMap((p) => [p.ipv4, p.ipv6].filter((x): x is string => !!x).map((ip) => `neigh add ${bw(ip)} lladdr ${bw(p.mac)} dev vxlan0 nud permanent`)),
  ];
  const fdbLines = [
    ...o.floods.map((v) => `fdb append 00:00:00:00:00:00 dev vxlan0 dst ${bw(v)}`),
    ...o.peers.map((p) => `fdb add ${bw(p.mac)} dev vxlan0 dst ${bw(p.vtep)} self permanent`),
  ];
  return {
    ns: bw(o.namespace),
    vxlan,
    create: `link add name ${vxlan} mtu ${o.mtu} type vxlan id ${o.vni}${o.local ? ` local ${bw(o.local)}` : ''} dstport ${o.port} learning proxy l2miss l3miss`,
    nsLines,
    fdbLines,
    ports: all.filter((e) => e.attachment?.kind === 'overlay' && e.network === o.network).map((e) => bw(e.hostIfname)),
  };
}

/** setup.sh and teardown.sh, from one view of the topology. */
function* scripts(t: Topology, context: RenderContext): Generator<readonly [string, string]> {
  const view = scriptView(t, context.source);
  yield ['setup.sh', template<ScriptView>('setup.sh', SETUP)(view)];
  yield ['teardown.sh', template<ScriptView>('teardown.sh', TEARDOWN)(view)];
}

export const scriptRenderer: Renderer = { name: 'scripts', files: scripts };
