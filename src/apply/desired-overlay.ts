// The overlay side of a host as apply wants it, from the topology (and the macvlan links, which, like
// an overlay's veths, have no end in the host namespace): each overlay namespace with its br0,
// VXLAN device and static forwarding state, the veths from those namespaces to the containers, and
// the rules Docker programs inside namespaces (a task's redirects, ingress_sbox's routing mesh). The
// same objects setup.sh makes for the build (render/script/index.ts overlayView, otherLink).
import { renderIptablesRestore } from '../firewall/iptables/text/index.ts';
import type { Topology } from '../topology/types.ts';
import type { HostNetwork, MacvlanLink, NamespaceVeth, NetnsRules, OverlayNetns } from './types.ts';

export interface OverlayPart {
  readonly namespaces: string[];
  readonly network: Pick<HostNetwork, 'overlays' | 'namespaceVeths' | 'netnsRules' | 'macvlans'>;
  readonly notices: string[];
}

function overlayOf(o: NonNullable<Topology['overlays']>[number], netns: string): OverlayNetns {
  return {
    netns,
    vxlan: o.vxlanName,
    vni: o.vni,
    ...(o.local ? { local: o.local } : {}),
    port: o.port,
    mtu: o.mtu,
    bridgeMac: o.bridgeMac,
    bridgeAddresses: [...o.bridgeAddresses],
    neighbours: o.peers.flatMap((p) => [p.ipv4, p.ipv6].filter((x): x is string => !!x).map((ip) => ({ ip, mac: p.mac }))),
    fdb: o.peers.map((p) => ({ mac: p.mac, dst: p.vtep })),
    floods: [...o.floods],
  };
}

/** iptables-restore input split into its tables (`*name` ... `COMMIT`). */
export function tableTexts(text: string): { name: string; text: string }[] {
  return [...text.matchAll(/^\*(\S+)\n[\s\S]*?^COMMIT\n/gm)].map((m) => ({ name: m[1]!, text: m[0] }));
}

/** `ns` gives a namespace's full name (NETFORM_NETNS_PREFIX). */
export function overlayNetwork(t: Topology, ns: (name: string) => string): OverlayPart {
  const overlays = (t.overlays ?? []).map((o) => overlayOf(o, ns(o.namespace)));
  const veths: NamespaceVeth[] = [];
  const macvlans: MacvlanLink[] = [];
  for (const e of t.endpoints) {
    if (e.attachment?.kind === 'macvlan') macvlans.push({ netns: ns(e.container), ifname: e.ifname, parent: e.attachment.parent, mtu: e.mtu, mode: e.attachment.mode });
    if (e.attachment?.kind !== 'overlay') continue;
    veths.push({ name: e.hostIfname, mtu: e.mtu, netns: ns(e.attachment.namespace), peer: { netns: ns(e.container), ifname: e.ifname } });
  }
  const rules: NetnsRules[] = [];
  const notices: string[] = [];
  for (const c of t.containers) {
    if (c.networking.kind !== 'netns') continue;
    if (c.firewall?.v4) {
      const text = renderIptablesRestore(c.firewall.v4);
      const ipvsTables = tableTexts(text).filter((t) => / -m ipvs /.test(t.text)).map((t) => t.name);
      rules.push({ netns: ns(c.name), text, ...(ipvsTables.length ? { ipvsTables } : {}) });
    }
    if (c.loadBalancer?.services.length) {
      notices.push(
        `the routing mesh's IPVS services in ${ns(c.name)} (${c.loadBalancer.services.length} service(s)) are not programmed by apply: ` +
          'dockerd makes them over netlink and setup.sh with ipvsadm; apply adds the VIP addresses only',
      );
    }
  }
  return {
    namespaces: overlays.map((o) => o.netns),
    network: {
      ...(overlays.length ? { overlays } : {}),
      ...(veths.length ? { namespaceVeths: veths } : {}),
      ...(rules.length ? { netnsRules: rules } : {}),
      ...(macvlans.length ? { macvlans } : {}),
    },
    notices,
  };
}
