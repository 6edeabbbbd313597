// setup.sh / teardown.sh from the topology. The view below is the only thing the templates see; every
// word in it has passed the safe-alphabet check (batchWord, which throws on anything else) or, for the
// source file name, comment escaping (commentWord) on its way in, so the templates place words without
// helpers.
import { engineRelease } from '../../model/engine.ts';
import type { Topology } from '../../topology/types.ts';
import { bridgeDeviceAddresses } from '../../topology/host-devices.ts';
import { batchWord as bw, commentWord, template } from '../template/handlebars.ts';
import { SETUP, TEARDOWN } from './templates.ts';
import { containerBlocks } from './container-blocks.ts';
import type { ScriptView } from './view.ts';
import type { RenderContext, Renderer } from '../renderer.ts';
import { OriginMarkers, type AnnotatedText } from './origin-markers.ts';
import { iptablesRestoreOrigins, renderIptablesRestore } from '../../firewall/iptables/text/index.ts';
import type { Ruleset } from '../../firewall/iptables/types.ts';
import { implicit, type Origin } from '../../diagnostics/origin.ts';
import { renderXfrmPolicies, renderXfrmTeardown } from '../xfrm/index.ts';

export type { ScriptView };

/**
 * Puts an origin on a word of the view, for source maps: a marker the caller removes after rendering,
 * noting which lines held it (origin-markers.ts). Without one, words go in as they are.
 */
export type OriginTag = (origin: Origin, word: string) => string;

const untagged: OriginTag = (_o, w) => w;

/** What the templates see of a topology. */
export function scriptView(t: Topology, source: string, tag: OriginTag = untagged): ScriptView {
  return makeView(t, source, tag);
}

/** Each line of a multi-line text tagged with `origin` (a ruleset, ipvsadm input, xfrm lines). */
const tagLines = (tag: OriginTag, origin: Origin, text: string): string => (tag === untagged ? text : text.replace(/^(?=.)/gm, tag(origin, '')));

function makeView(t: Topology, source: string, tag: OriginTag): ScriptView {
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
    name: tag(b.origin, bw(b.name)),
    mac: bw(b.mac),
    mtu: b.mtu,
    addresses: bridgeDeviceAddresses(b).map((a) => ({ address: tag(b.origin, bw(a)), v4: !a.includes(':'), nodad: a.includes(':') && nodad })),
  }));
  const link = (e: Topology['endpoints'][number]) => ({ hostIfname: tag(e.origin, bw(e.hostIfname)), ifname: bw(e.ifname), mtu: e.mtu, bridge: bw(e.bridge), hairpin: e.hairpin });
  const onHostBridge = (e: Topology['endpoints'][number]) => !e.attachment;
  const endpoints = t.endpoints.filter(onHostBridge).map((e) => ({ ...link(e), netns: bw(e.container) }));
  const overlays = (t.overlays ?? []).map((o) => overlayView(o, t.endpoints, tag));
  const parentLinks = (t.parentLinks ?? []).map((l) => ({
    name: tag(['networks', l.network], bw(l.name)),
    create: tag(['networks', l.network], l.kind === 'vlan' ? `link add link ${bw(l.link!)} name ${bw(l.name)} type vlan id ${l.vlanId}` : `link add name ${bw(l.name)} type dummy`),
  }));
  // Docker sets the host's sysctls (ip-forward, br_netfilter) unless told otherwise; a bridge's for that bridge.
  const withOrigin = [...t.hostSysctls.map((x) => [x, implicit('daemon default')] as const), ...t.bridges.flatMap((b) => b.sysctls.map((x) => [x, b.origin] as const))];
  const sysctls = withOrigin.map(([s, origin]) => ({
    path: tag(origin, `/proc/sys/${s.key.map(bw).join('/')}`),
    value: bw(s.value),
    key: s.key.join('.'),
    reason: s.reason.replace(/[^A-Za-z0-9 _.,:/()+-]/g, ''),
    optional: !!s.optional,
  }));
  const containers = own.map((c, i) => {
    const eps = endpointsOf.get(c.name) ?? [];
    // A default route is there for the endpoint that gives the container its gateway.
    const routeOrigin = (device: string) => eps.find((e) => e.ifname === device)?.origin ?? c.origin;
    return {
      n: i + 1,
      name: tag(c.origin, bw(c.name)),
      links: eps.filter(onHostBridge).map(link),
      otherLinks: eps.filter((e) => !onHostBridge(e)).map((e) => tag(e.origin, otherLink(e, c.name))),
      linkCount: eps.length,
      interfaces: eps.map((e) => ({
        ifname: tag(e.origin, bw(e.ifname)),
        mac: bw(e.mac),
        addresses: [
          ...(e.ipv4 ? [{ address: tag(e.origin, bw(`${e.ipv4}/${e.ipv4PrefixLength}`)), v4: true }] : []),
          ...(e.ipv6 ? [{ address: tag(e.origin, bw(`${e.ipv6}/${e.ipv6PrefixLength}`)), v4: false }] : []),
        ],
      })),
      routes: c.routes.map((r) => ({ ...(r.via ? { via: bw(r.via) } : {}), device: tag(routeOrigin(r.device), bw(r.device)) })),
      ...(c.firewall?.v4 ? { rules: rulesText(c.firewall.v4, c.origin, tag) } : {}),
      rulesOptional: c.sandbox === 'ingress',
      ...(c.loadBalancer ? { loadBalancer: loadBalancerView(c.loadBalancer, c.origin, tag) } : {}),
    };
  });
  return {
    host: bw(t.host),
    firewallNote:
      t.firewall.backend === 'nftables'
        ? `Firewall rules are in nftables.rules\n# (load it with nft -f)${t.firewall.iptables ? ', NETFORM-SWARM in iptables.rules / ip6tables.rules (iptables-restore)' : ''}`
        : 'Firewall rules are in iptables.rules / ip6tables.rules\n# (load them with iptables-restore)',
    engine: bw(t.engine),
    source: commentWord(source),
    namespaces: [...own.map((c) => tag(c.origin, bw(c.name))), ...overlays.map((o) => o.ns)],
    bridges,
    endpoints,
    hostBatch: bridges.length + endpoints.length > 0,
    hostCleanup: bridges.length + endpoints.length + overlays.length + parentLinks.length > 0,
    overlays,
    parentLinks,
    ...(t.xfrm ? { xfrm: xfrmView(t, tag) } : {}),
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

/** Rules inside a namespace as iptables-restore input, each rule's line tagged with its origin, the frame with the namespace's. */
function rulesText(rs: Ruleset, origin: Origin, tag: OriginTag): string {
  const text = renderIptablesRestore(rs);
  if (tag === untagged) return text;
  const origins = iptablesRestoreOrigins(rs);
  let i = 0;
  return text.replace(/^(?=.)/gm, () => tag(origins[i++] ?? origin, ''));
}

/** The encrypted overlays' policies and their teardown, tagged with the encrypted overlays they are for. */
function xfrmView(t: Topology, tag: OriginTag): NonNullable<ScriptView['xfrm']> {
  const origin = (t.overlays ?? []).find((o) => o.encrypted)?.origin ?? implicit('swarm init');
  return { policies: tagLines(tag, origin, renderXfrmPolicies(t.xfrm!)), teardown: tagLines(tag, origin, renderXfrmTeardown(t.xfrm!)) };
}

/** ipvsadm-save form: `-A -f MARK -s rr`, then `-a -f MARK -r IP:0 -m -w 1` per task (masquerading). */
function loadBalancerView(lb: NonNullable<Topology['containers'][number]['loadBalancer']>, origin: Origin, tag: OriginTag): NonNullable<ScriptView['containers'][number]['loadBalancer']> {
  let ipvs = '';
  for (const s of lb.services) {
    ipvs += `-A -f ${s.fwMark} -s rr\n`;
    for (const d of s.destinations) ipvs += `-a -f ${s.fwMark} -r ${bw(d)}:0 -m -w 1\n`;
  }
  return {
    aliases: lb.vips.map((v) => tag(origin, `addr add ${bw(v)} dev ${bw(lb.device)}`)),
    ipvs: tagLines(tag, origin, ipvs),
    sysctls: lb.sysctls.map((x) => {
      const file = `/proc/sys/${x.key.map(bw).join('/')}`;
      return tag(origin, `if [ -e ${file} ]; then echo ${bw(x.value)} > ${file}; fi`);
    }),
  };
}

function overlayView(o: NonNullable<Topology['overlays']>[number], all: Topology['endpoints'], tag: OriginTag): ScriptView['overlays'][number] {
  const vxlan = tag(o.origin, bw(o.vxlanName));
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
    // replace, not add: vxlan0 learns, so a peer up first can leave a learned entry for this MAC, where
    // `fdb add` fails (Docker's AddNeighbor, osl/neigh_linux.go, only warns then); the permanent entry either way.
    ...o.peers.map((p) => `fdb replace ${bw(p.mac)} dev vxlan0 dst ${bw(p.vtep)} self permanent`),
  ];
  return {
    ns: tag(o.origin, bw(o.namespace)),
    vxlan,
    create: `link add name ${vxlan} mtu ${o.mtu} type vxlan id ${o.vni}${o.local ? ` local ${bw(o.local)}` : ''} dstport ${o.port} learning proxy l2miss l3miss`,
    nsLines: nsLines.map((l) => tag(o.origin, l)),
    fdbLines: fdbLines.map((l) => tag(o.origin, l)),
    ports: all.filter((e) => e.attachment?.kind === 'overlay' && e.network === o.network).map((e) => tag(e.origin, bw(e.hostIfname))),
  };
}

/** setup.sh and teardown.sh, from one view of the topology. */
function* scripts(t: Topology, context: RenderContext): Generator<readonly [string, string]> {
  const view = scriptView(t, context.source);
  yield ['setup.sh', template<ScriptView>('setup.sh', SETUP)(view)];
  yield ['teardown.sh', template<ScriptView>('teardown.sh', TEARDOWN)(view)];
}

/**
 * The scripts rendered with every word of the view tagged with its origin, the tags removed, and each
 * line's origins noted: the text is the one scripts() writes (a test holds every golden to it); a line
 * with no tagged word is netform's own scaffolding.
 */
export function* annotatedScripts(t: Topology, context: RenderContext): Generator<readonly [string, AnnotatedText]> {
  const markers = new OriginMarkers();
  const view = scriptView(t, context.source, markers.tag);
  for (const [name, source] of [['setup.sh', SETUP], ['teardown.sh', TEARDOWN]] as const) {
    yield [name, markers.extract(template<ScriptView>(name, source)(view), implicit('netform scaffolding'))];
  }
}

export const scriptRenderer: Renderer = {
  name: 'scripts',
  files: scripts,
  *origins(t, context) {
    for (const [name, annotated] of annotatedScripts(t, context)) yield [name, annotated.lines];
  },
};
