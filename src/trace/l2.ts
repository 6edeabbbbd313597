// Links: how a frame sent out of an interface to a next hop reaches the interface that has that address.
// A veth delivers to its peer; a bridge to the port behind which the address lives, through iptables
// when br_netfilter shows bridged traffic to it (PREROUTING, FORWARD and POSTROUTING with the bridge as
// both interfaces), back out of its own port only in hairpin mode; a shared segment (the uplink, a LAN,
// the underlay) to the member that has the address, except that a macvlan/ipvlan child and its parent
// never hear each other; vxlan0 wraps the frame in UDP to the peer's host (the overlay driver's FDB).
import type { Iface, Ns } from './fabric.ts';
import { step, type WalkState } from './hooks.ts';
import { familyOfAddress, type Packet } from './packet.ts';
import type { Receiver, WalkResult } from './receiver.ts';
import { route } from './routing.ts';

/** The source port of the VXLAN packets the tracer follows (the kernel hashes the inner flow into one). */
const VXLAN_SOURCE_PORT = 49152;

/** Whether `from` hears `to` on their segment: false with a reason, or unknown. */
function reachable(from: Iface, to: Iface): true | { readonly no: string } | { readonly unknown: string } {
  const fc = from.child;
  const tc = to.child;
  for (const c of [fc, tc]) {
    if (c?.driver === 'ipvlan' && c.mode !== 'l2') return { unknown: `ipvlan ${c.mode} routes through its parent ${c.parent.name}: not modelled` };
  }
  if (fc?.parent === to || tc?.parent === from) {
    return { no: `a ${(fc ?? tc)!.driver} child and its parent ${(fc ?? tc)!.parent.name} do not hear each other` };
  }
  if (fc && tc && fc.parent === tc.parent) {
    if (fc.mode === 'bridge' && tc.mode === 'bridge') return true;
    if (fc.mode === 'vepa' || tc.mode === 'vepa') return { unknown: `${fc.driver} vepa mode: siblings talk only if the switch on ${fc.parent.name} reflects frames` };
    return { no: `${fc.driver} ${fc.mode === 'bridge' ? tc.mode : fc.mode} mode: siblings on ${fc.parent.name} do not talk` };
  }
  return true;
}

export class Links {
  constructor(
    private readonly st: WalkState,
    private readonly rx: Receiver,
  ) {}

  /** `p` leaves `ns` through `dev` toward `nexthop`. */
  transmit(ns: Ns, dev: Iface, nexthop: string, p: Packet): WalkResult {
    if (dev.kind === 'bridge') {
      const q = this.st.fabric.portFor(dev, nexthop);
      if (!q) return this.rx.dropped(ns, `no neighbour ${nexthop} on ${dev.name}`);
      return this.toPort(ns, dev, undefined, q, nexthop, p);
    }
    if (dev.kind === 'veth') {
      const peer = dev.peer;
      if (!peer) return this.rx.dropped(ns, `${dev.name} has no peer`);
      if (peer.master) return this.bridgeFrame(peer.ns, peer.master, peer, nexthop, p);
      if (!peer.addrs.some((a) => a.address === nexthop)) return this.rx.dropped(ns, `no neighbour ${nexthop} behind ${dev.name}`);
      return this.rx.input(peer.ns, peer, p, false);
    }
    if (dev.segment) return this.onSegment(ns, dev, nexthop, p);
    return this.rx.dropped(ns, `${dev.name} leads nowhere the tracer knows`);
  }

  private onSegment(ns: Ns, dev: Iface, nexthop: string, p: Packet): WalkResult {
    const to = dev.segment!.members.find((m) => m !== dev && m.addrs.some((a) => a.address === nexthop));
    if (!to) return this.rx.dropped(ns, `no neighbour ${nexthop} on ${dev.name}`);
    const r = reachable(dev, to);
    if (r !== true) return 'no' in r ? this.rx.dropped(ns, r.no) : this.rx.unknown(ns, r.unknown);
    step(this.st, ns, { action: `link ${dev.name} -> ${to.ns.label} ${to.name}` });
    return this.rx.input(to.ns, to, p, false);
  }

  /** A frame entering `bridge` on port `inPort`, for the owner of `nexthop`. */
  bridgeFrame(ns: Ns, bridge: Iface, inPort: Iface, nexthop: string, p: Packet): WalkResult {
    if (bridge.addrs.some((a) => a.address === nexthop)) return this.rx.input(ns, bridge, p, false);
    let q = this.st.fabric.portFor(bridge, nexthop);
    if (!q) return this.rx.dropped(ns, `no neighbour ${nexthop} on ${bridge.name}`);
    const brnf = !!ns.firewall && this.st.setting(ns.brNetfilter[p.family]);
    if (!brnf) return this.toPort(ns, bridge, inPort, q, nexthop, p);
    step(this.st, ns, { action: `bridged ${inPort.name} -> ${q.name} through iptables (br_netfilter)` });
    const before = p.dst;
    const stop = this.rx.hook(ns, 'prerouting', p, { in: bridge });
    if (stop) return stop;
    if (p.dst !== before) {
      // br_nf_pre_routing_finish: a translated destination is routed again.
      const r = route(ns, p.dst, p.family, this.st.fabric);
      if (r.kind === 'local') return this.rx.input(ns, bridge, p, true);
      if (r.kind === 'none') return this.rx.dropped(ns, `no route to ${p.dst}`);
      if (r.dev !== bridge) return this.rx.forward(ns, bridge, p, r.dev, r.nexthop);
      nexthop = r.nexthop;
      q = this.st.fabric.portFor(bridge, nexthop);
      if (!q) return this.rx.dropped(ns, `no neighbour ${nexthop} on ${bridge.name}`);
    }
    const stop2 = this.rx.hook(ns, 'forward', p, { in: bridge, out: bridge, nexthop });
    if (stop2) return stop2;
    const stop3 = this.rx.hook(ns, 'postrouting', p, { out: bridge, nexthop });
    if (stop3) return stop3;
    this.rx.confirm(ns, p);
    return this.toPort(ns, bridge, inPort, q, nexthop, p);
  }

  private toPort(ns: Ns, bridge: Iface, inPort: Iface | undefined, q: Iface, nexthop: string, p: Packet): WalkResult {
    if (q === inPort && !q.hairpin) return this.rx.dropped(ns, `hairpin mode is off on ${q.name}: ${bridge.name} does not send a frame back out of the port it came in`);
    if (q.vxlan) return this.tunnel(ns, q, nexthop, p);
    step(this.st, ns, { action: `${bridge.name}: ${inPort ? `${inPort.name} -> ` : ''}${q.name} -> ${q.peer!.ns.label} ${q.peer!.name}` });
    return this.rx.input(q.peer!.ns, q.peer!, p, false);
  }

  /** vxlan0 of an overlay namespace sends the frame to the peer's host, as UDP from this host's namespace. */
  private tunnel(ov: Ns, vxlan0: Iface, nexthop: string, inner: Packet): WalkResult {
    const v = vxlan0.vxlan!;
    const peer = v.peers.get(nexthop)!;
    const host = ov.place.kind === 'overlay' ? this.st.fabric.hosts.get(ov.place.host) : undefined;
    if (!host) return this.rx.unknown(ov, `overlay namespace without a host`);
    step(this.st, ov, { action: `vxlan0: VNI ${v.vni} to ${peer.vtep}:${v.port} (${peer.container} on ${peer.host})` });
    const outer: Packet = {
      family: familyOfAddress(peer.vtep) ?? 4,
      proto: 'udp',
      src: v.local ?? '',
      dst: peer.vtep,
      sport: VXLAN_SOURCE_PORT,
      dport: v.port,
      mark: 0,
      vxlan: { vni: v.vni, inner, nexthop },
    };
    return this.rx.send(host, outer);
  }
}
