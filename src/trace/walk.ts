// Following one packet through the fabric as the kernel would: sent by a socket (route, OUTPUT,
// POSTROUTING), across links (l2.ts), into a namespace (PREROUTING, the routing decision, then INPUT and
// the socket, or FORWARD and POSTROUTING on the way out), with connection tracking in every namespace it
// crosses. The result says where it was delivered, and as what, or what stopped it.
import { ConntrackTable, type Tracked } from './conntrack.ts';
import type { Iface, Ns } from './fabric.ts';
import { runHook, step, type HookIo, type WalkState } from './hooks.ts';
import { Links } from './l2.ts';
import type { Receiver, WalkResult } from './receiver.ts';
import type { Origin } from '../diagnostics/origin.ts';
import { localDelivery } from './deliver.ts';
import { addressOf, copyPacket, endpointText, isLoopbackAddress, type Packet } from './packet.ts';
import { route } from './routing.ts';
import type { Hook } from './netfilter.ts';

export type { WalkResult };

/** More hops than any real path takes: a loop in the fabric, reported rather than followed forever. */
const MAX_HOPS = 64;

export class Walker implements Receiver {
  private hops = 0;
  private readonly links: Links;
  /** The packet's connection in the namespace it is crossing (kept across the loopback). */
  private readonly tracked = new WeakMap<Packet, { ns: Ns; t: Tracked }>();

  constructor(private readonly st: WalkState) {
    this.links = new Links(st, this);
  }

  dropped(ns: Ns, reason: string, origin?: Origin): WalkResult {
    step(this.st, ns, { action: `dropped: ${reason}`, ...(origin ? { origin } : {}) });
    return { outcome: 'dropped', ns, reason, ...(origin ? { origin } : {}) };
  }

  unknown(ns: Ns, reason: string): WalkResult {
    step(this.st, ns, { action: `unknown: ${reason}` });
    return { outcome: 'unknown', ns, reason };
  }

  /** The connection of `p` in `ns`: the one it carries over the loopback, or a lookup. */
  track(ns: Ns, p: Packet): Tracked {
    const kept = this.tracked.get(p);
    if (kept && kept.ns === ns) return kept.t;
    let table = this.st.conntrack.get(ns);
    if (!table) this.st.conntrack.set(ns, (table = new ConntrackTable()));
    const t = table.track(p);
    this.tracked.set(p, { ns, t });
    return t;
  }

  confirm(ns: Ns, p: Packet): void {
    const kept = this.tracked.get(p);
    if (kept && kept.ns === ns) this.st.conntrack.get(ns)!.confirm(kept.t, p);
  }

  hook(ns: Ns, hook: Hook, p: Packet, io: HookIo): WalkResult | undefined {
    const r = runHook(this.st, ns, hook, p, io, this.track(ns, p));
    if (r.ok) return undefined;
    return r.outcome === 'dropped' ? this.dropped(ns, r.reason, r.origin) : this.unknown(ns, r.reason);
  }

  private guard(ns: Ns): WalkResult | undefined {
    return ++this.hops > MAX_HOPS ? this.unknown(ns, `more than ${MAX_HOPS} hops: a loop`) : undefined;
  }

  /** A socket in `ns` sends `p` (an empty source: the kernel picks it). */
  send(ns: Ns, p: Packet): WalkResult {
    const r = route(ns, p.dst, p.family, this.st.fabric);
    if (r.kind === 'none') return this.dropped(ns, `no route to ${p.dst}`);
    if (!p.src) {
      p.src = r.kind === 'local' ? p.dst : r.src ?? '';
      if (!p.src) return this.dropped(ns, `no IPv${p.family} address to send from`);
    }
    step(this.st, ns, { action: `send ${endpointText(p.src, p.sport)} -> ${endpointText(p.dst, p.dport)} ${p.proto}${r.kind === 'local' ? ' (local)' : ` via ${r.dev.name}${r.via ? ` gateway ${r.via}` : ''}`}` });
    return this.output(ns, p, r.kind === 'local' ? undefined : r.dev, r.kind === 'local' ? undefined : r.nexthop);
  }

  /** OUTPUT, the new route when OUTPUT translated the destination, POSTROUTING, then the link. */
  private output(ns: Ns, p: Packet, dev: Iface | undefined, nexthop: string | undefined): WalkResult {
    const lo = ns.ifaces.get('lo')!;
    const before = p.dst;
    const stop = this.hook(ns, 'output', p, { out: dev ?? lo, ...(nexthop ? { nexthop } : {}) });
    if (stop) return stop;
    if (p.dst !== before) {
      const r = route(ns, p.dst, p.family, this.st.fabric);
      if (r.kind === 'none') return this.dropped(ns, `no route to ${p.dst} after the translation`);
      dev = r.kind === 'local' ? undefined : r.dev;
      nexthop = r.kind === 'local' ? undefined : r.nexthop;
      step(this.st, ns, { action: `route again: ${r.kind === 'local' ? 'local' : `via ${r.dev.name}`}` });
      // A loopback source may only leave lo through an interface with route_localnet (__mkroute_output).
      if (dev && p.family === 4 && isLoopbackAddress(p.src) && !ns.routeLocalnet.has(dev.name)) {
        return this.dropped(ns, `source ${p.src} cannot leave through ${dev.name}: route_localnet is off there`);
      }
    }
    const stop2 = this.hook(ns, 'postrouting', p, { out: dev ?? lo, ...(nexthop ? { nexthop } : {}) });
    if (stop2) return stop2;
    this.confirm(ns, p);
    if (!dev) return this.input(ns, lo, p, false);
    this.encrypt(ns, p);
    return this.links.transmit(ns, dev, nexthop!, p);
  }

  /** An xfrm OUT policy of the host (encrypted overlays) takes marked VXLAN to its peer through ESP. */
  private encrypt(ns: Ns, p: Packet): void {
    const plan = ns.topology?.xfrm;
    if (!plan || !p.vxlan) return;
    const policy = plan.policies.find((x) => ((p.mark & x.mark.mask) >>> 0) === x.mark.value && x.selector.dport === p.dport && addressOf(x.selector.dst) === p.dst);
    if (!policy) return;
    p.esp = true;
    step(this.st, ns, { action: `xfrm: ESP to ${policy.tmpl.dst} (SPI 0x${policy.tmpl.spi.toString(16)})` });
  }

  /** The receiver's SA decrypts ESP: the packet goes on as the VXLAN it carried, marked as decrypted. */
  private decrypt(ns: Ns, p: Packet): WalkResult | undefined {
    if (!p.esp) return undefined;
    const sa = ns.topology?.xfrm?.states.find((x) => x.src === p.src && x.dst === p.dst);
    if (!sa) return this.dropped(ns, `ESP from ${p.src}: no SA to decrypt it`);
    p.esp = false;
    p.ipsec = true;
    step(this.st, ns, { action: `xfrm: ESP from ${p.src} decrypted (SPI 0x${sa.spi.toString(16)})` });
    return undefined;
  }

  /** A packet received on `inIf` of `ns` at layer 3 (PREROUTING unless a bridge already ran it). */
  input(ns: Ns, inIf: Iface, p: Packet, prerouted: boolean): WalkResult {
    const loop = this.guard(ns) ?? this.decrypt(ns, p);
    if (loop) return loop;
    if (!prerouted) {
      const stop = this.hook(ns, 'prerouting', p, { in: inIf });
      if (stop) return stop;
    }
    if (inIf.kind !== 'lo' && p.family === 4 && isLoopbackAddress(p.src) && !ns.routeLocalnet.has(inIf.name)) {
      return this.dropped(ns, `martian source ${p.src} on ${inIf.name}`);
    }
    const r = route(ns, p.dst, p.family, this.st.fabric);
    if (r.kind === 'none') return this.dropped(ns, `no route to ${p.dst}`);
    if (r.kind === 'local') {
      const stop = this.hook(ns, 'input', p, { in: inIf });
      if (stop) return stop;
      this.confirm(ns, p);
      return localDelivery(this.st, this, ns, inIf, p);
    }
    return this.forward(ns, inIf, p, r.dev, r.nexthop);
  }

  /** Routed through `ns`: forwarding must be on for the family, then FORWARD and POSTROUTING. */
  forward(ns: Ns, inIf: Iface, p: Packet, dev: Iface, nexthop: string): WalkResult {
    const setting = ns.forward[p.family];
    if (!this.st.setting(setting)) return this.dropped(ns, `IPv${p.family} forwarding is off in ${ns.label}`);
    if (isLoopbackAddress(p.dst)) return this.dropped(ns, `martian destination ${p.dst}`);
    step(this.st, ns, { action: `forward ${inIf.name} -> ${dev.name}${nexthop !== p.dst ? ` gateway ${nexthop}` : ''}` });
    const stop = this.hook(ns, 'forward', p, { in: inIf, out: dev, nexthop });
    if (stop) return stop;
    // ip_output/ip6_output pass the packet's input device to POSTROUTING: nft's `iifname` sees it there
    // (a packet the namespace sends itself has none; nor does br_netfilter's POSTROUTING, l2.ts).
    const stop2 = this.hook(ns, 'postrouting', p, { in: inIf, out: dev, nexthop });
    if (stop2) return stop2;
    this.confirm(ns, p);
    return this.links.transmit(ns, dev, nexthop, p);
  }

  /** A packet handed to a socket of `ns` (after INPUT). */
  delivered(ns: Ns, p: Packet): WalkResult {
    step(this.st, ns, { action: `delivered to ${endpointText(p.dst, p.dport)} from ${endpointText(p.src, p.sport)}` });
    return { outcome: 'delivered', ns, packet: copyPacket(p) };
  }

  /** A VXLAN packet's inner frame, handed to an overlay namespace's bridge (l2.ts). */
  decapsulated(ns: Ns, vxlan0: Iface, inner: Packet, nexthop: string): WalkResult {
    return this.links.bridgeFrame(ns, vxlan0.master!, vxlan0, nexthop, inner);
  }
}
