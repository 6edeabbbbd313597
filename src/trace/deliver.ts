// What happens to a packet handed to a namespace's sockets: a VXLAN packet is unwrapped into its
// overlay namespace; a packet for the routing mesh's load balancer, or for a port docker-proxy listens
// on, goes to a program the tracer does not follow (the answer is unknown, with the reason); anything
// else is delivered.
import type { Iface, Ns } from './fabric.ts';
import { step, type WalkState } from './hooks.ts';
import { ListIndex } from './list-index.ts';
import { endpointText, inPrefix, type Packet } from './packet.ts';
import type { Receiver, WalkResult } from './receiver.ts';
import type { PortMapping, Topology } from '../topology/types.ts';

/** Whether docker-proxy serves a mapping: always for `proxy`, for `nat` when the userland proxy is on (the port is not in hairpin mode). */
function proxied(t: Topology, m: PortMapping): boolean {
  if (m.mapper === 'proxy') return true;
  if (m.mapper !== 'nat') return false;
  const ep = t.endpoints.find((e) => e.container === m.container && e.network === m.network);
  return !!ep && !ep.attachment && !ep.hairpin;
}

function boundTo(hostIP: string, dst: string, family: 4 | 6): boolean {
  if (hostIP === '0.0.0.0') return family === 4;
  if (hostIP === '::') return family === 6;
  return inPrefix(hostIP, dst);
}

/** A host's port mappings by host port (one index per topology). */
const byPort = new WeakMap<Topology, ListIndex<PortMapping, 'hostPort'>>();

/** The mapping docker-proxy would serve `p` for on this host. */
export function proxyFor(t: Topology, p: Packet): PortMapping | undefined {
  if (p.proto === 'esp') return undefined;
  let index = byPort.get(t);
  if (!index) byPort.set(t, (index = new ListIndex(t.ports, ['hostPort'])));
  return index.find(p.dport, (m) => m.proto === p.proto && boundTo(m.hostIP, p.dst, p.family) && proxied(t, m));
}

export function localDelivery(st: WalkState, rx: Receiver, ns: Ns, _inIf: Iface, p: Packet): WalkResult {
  if (p.vxlan && ns.place.kind === 'host') {
    const ov = st.fabric.overlayFor(ns.place.host, p.vxlan.vni, p.dport);
    if (!ov) return rx.dropped(ns, `no overlay of VNI ${p.vxlan.vni} on this host (UDP ${p.dport})`);
    step(st, ns, { action: `VXLAN VNI ${p.vxlan.vni} unwrapped into ${ov.label}` });
    return rx.decapsulated(ov, ov.ifaces.get('vxlan0')!, { ...p.vxlan.inner }, p.vxlan.nexthop);
  }
  if (ns.ipvs && (ns.ipvs.marks.has(p.mark) || ns.ipvs.vips.has(p.dst))) {
    return rx.unknown(ns, `the routing mesh's IPVS load balancer would send it on to a task (mark ${p.mark}): IPVS is not modelled`);
  }
  if (ns.place.kind === 'host' && ns.topology) {
    const m = proxyFor(ns.topology, p);
    if (m) {
      return rx.unknown(ns, `docker-proxy listens on ${endpointText(m.hostIP, m.hostPort)} and would relay it to ${m.container} ${endpointText(m.containerIP, m.containerPort)}: netform runs no proxy`);
    }
  }
  return rx.delivered(ns, p);
}
