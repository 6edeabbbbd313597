// The tracer's entry point: a query in, a trace out. The client sends the request; the server answers
// from where the request arrived, to whom it seemed to come from; for TCP and SCTP the client's next
// packet completes the handshake. Each packet is walked through the fabric with the connection tracking
// the earlier ones left. Host settings the topology leaves alone (br_netfilter, forwarding) are tried
// both ways when the world does not know them: a verdict that changes with one is unknown, with the reason.
import type { Origin } from '../diagnostics/origin.ts';
import type { Topology } from '../topology/types.ts';
import { buildFabric } from './build-fabric.ts';
import type { Fabric, Ns, Setting } from './fabric.ts';
import { endpointText, type Packet } from './packet.ts';
import { resolveFrom, resolveTo, TraceError } from './parties.ts';
import type { WalkResult } from './receiver.ts';
import { route } from './routing.ts';
import type { LegOutcome, Party, Place, Trace, TraceQuery, TraceWorld } from './types.ts';
import type { WalkState } from './hooks.ts';
import { Walker } from './walk.ts';
import { defaultWorld } from './world.ts';

export { TraceError };

/** The client's source port (any ephemeral port: nothing Docker programs depends on it). */
export const CLIENT_PORT = 40000;

export interface TraceOptions {
  /** The world around the hosts (default: defaultWorld). */
  readonly world?: TraceWorld;
  /** Turns an origin into `file:line:col` (or its implicit name) for the steps' `source`. */
  readonly locate?: (o: Origin) => string | undefined;
}

type FactName = 'brNetfilter' | 'forward4' | 'forward6';
const FACT_TEXT: Readonly<Record<FactName, string>> = {
  brNetfilter: 'whether bridged traffic goes through iptables (br_netfilter loaded, bridge-nf-call-iptables on: Docker sets it only for icc off or without the userland proxy)',
  forward4: 'whether the host forwards IPv4 (net.ipv4.ip_forward: Docker sets it unless ip-forward is false)',
  forward6: 'whether the host forwards IPv6 (net.ipv6.conf.all.forwarding: Docker sets it for IPv6 networks unless ip-forward is false)',
};

const fabrics = new WeakMap<readonly Topology[], WeakMap<TraceWorld, Fabric>>();
const worlds = new WeakMap<readonly Topology[], TraceWorld>();

/** The fabric of `topologies` in `world`, built once per pair. */
export function fabricOf(topologies: readonly Topology[], world: TraceWorld): Fabric {
  let byWorld = fabrics.get(topologies);
  if (!byWorld) fabrics.set(topologies, (byWorld = new WeakMap()));
  let f = byWorld.get(world);
  if (!f) byWorld.set(world, (f = buildFabric(topologies, world)));
  return f;
}

function worldOf(topologies: readonly Topology[], given: TraceWorld | undefined): TraceWorld {
  if (given) return given;
  let w = worlds.get(topologies);
  if (!w) worlds.set(topologies, (w = defaultWorld(topologies)));
  return w;
}

function outcomeOf(r: WalkResult, locate: TraceOptions['locate']): LegOutcome {
  if (r.outcome === 'delivered') {
    const p = r.packet;
    return { outcome: 'delivered', place: r.ns.place, where: r.ns.label, address: p.dst, port: p.dport, peer: p.src, peerPort: p.sport };
  }
  if (r.outcome === 'unknown') return { outcome: 'unknown', where: r.ns.label, reason: r.reason };
  const source = r.origin && locate ? locate(r.origin) : undefined;
  return { outcome: 'dropped', where: r.ns.label, reason: r.reason, ...(r.origin ? { origin: r.origin } : {}), ...(source ? { source } : {}) };
}

interface Exchange {
  readonly trace: Trace;
  /** What the verdict depends on, to compare branches. */
  readonly signature: string;
}

function exchange(fabric: Fabric, q: TraceQuery, world: TraceWorld, setting: (s: Setting) => boolean, options: TraceOptions): Exchange {
  const from = resolveFrom(fabric, q);
  const to = resolveTo(fabric, q, world, from.family);
  const family = from.family;
  const st: WalkState = { fabric, leg: 'request', steps: [], translations: [], conntrack: new Map(), setting, locate: options.locate };
  const r0 = route(from.ns, to.address, family, fabric);
  const src = from.address ?? (r0.kind === 'local' ? to.address : r0.kind === 'unicast' ? r0.src : undefined) ?? '';
  const packet = (s: string, sport: number, d: string, dport: number): Packet => ({ family, proto: q.proto, src: s, dst: d, sport, dport, mark: 0 });
  const request = new Walker(st).send(from.ns, packet(src, CLIENT_PORT, to.address, q.port));
  const base = { from: { label: from.label, address: src }, to: { label: to.label, address: to.address, port: q.port }, proto: q.proto, family };
  const finish = (t: Omit<Trace, keyof typeof base | 'translations' | 'steps'>, sig: string): Exchange => ({
    trace: { ...base, ...t, translations: st.translations, steps: st.steps },
    signature: sig,
  });
  const req = outcomeOf(request, options.locate);
  if (request.outcome !== 'delivered') {
    return finish({ verdict: request.outcome === 'unknown' ? 'unknown' : 'blocked', reason: request.reason, request: req }, `${request.outcome}`);
  }
  const seen = request.packet;
  const at = `${request.ns.id} ${endpointText(seen.dst, seen.dport)} ${endpointText(seen.src, seen.sport)}`;
  st.leg = 'reply';
  const reply = new Walker(st).send(request.ns, packet(seen.dst, seen.dport, seen.src, seen.sport));
  const rep = outcomeOf(reply, options.locate);
  const wrong = reply.outcome === 'delivered' ? misdelivered(reply, from.ns, to.address, q.port, src) : undefined;
  if (reply.outcome !== 'delivered' || wrong) {
    const reason = wrong ?? (reply.outcome === 'delivered' ? '' : `the reply: ${reply.reason}`);
    return finish({ verdict: reply.outcome === 'unknown' ? 'unknown' : 'blocked', reason, request: req, reply: rep }, `${at} reply ${reply.outcome} ${wrong ?? ''}`);
  }
  if (q.proto === 'udp') return finish({ verdict: 'reach', request: req, reply: rep }, `${at} reach`);
  st.leg = 'ack';
  const ack = new Walker(st).send(from.ns, packet(src, CLIENT_PORT, to.address, q.port));
  const ak = outcomeOf(ack, options.locate);
  const again = ack.outcome === 'delivered' && (ack.ns !== request.ns || ack.packet.src !== seen.src || ack.packet.dst !== seen.dst);
  if (ack.outcome !== 'delivered' || again) {
    const reason = again ? 'the handshake\'s last packet arrives elsewhere' : `the handshake's last packet: ${ack.outcome === 'delivered' ? '' : ack.reason}`;
    return finish({ verdict: ack.outcome === 'unknown' ? 'unknown' : 'blocked', reason, request: req, reply: rep, ack: ak }, `${at} ack ${ack.outcome}`);
  }
  return finish({ verdict: 'reach', request: req, reply: rep, ack: ak }, `${at} reach`);
}

/** Why a delivered reply is not the one the client waits for (it must come back from where it sent the request). */
function misdelivered(r: WalkResult & { outcome: 'delivered' }, client: Ns, dst: string, port: number, src: string): string | undefined {
  const p = r.packet;
  if (r.ns !== client) return `the reply goes to ${r.ns.label}, not back to the client`;
  if (p.src !== dst || p.sport !== port) return `the reply comes back from ${endpointText(p.src, p.sport)} instead of ${endpointText(dst, port)} (not translated back): the client drops it`;
  if (p.dst !== src || p.dport !== CLIENT_PORT) return `the reply comes back to ${endpointText(p.dst, p.dport)} instead of ${endpointText(src, CLIENT_PORT)}`;
  return undefined;
}

/** One host's topology as a fleet of one (the same array each time, so that its fabric is built once). */
const fleets = new WeakMap<Topology, readonly Topology[]>();
function fleet(t: Topology | readonly Topology[]): readonly Topology[] {
  if (Array.isArray(t)) return t as readonly Topology[];
  let f = fleets.get(t as Topology);
  if (!f) fleets.set(t as Topology, (f = [t as Topology]));
  return f;
}

/** Traces `query` through a host's topology or the fleet's (one per host). Throws TraceError for a query that names nothing. */
export function trace(hostOrFleet: Topology | readonly Topology[], query: TraceQuery, options: TraceOptions = {}): Trace {
  const topologies = fleet(hostOrFleet);
  const world = worldOf(topologies, options.world);
  const fabric = fabricOf(topologies, world);
  const known = world.facts ?? {};
  const consulted = new Set<FactName>();
  const run = (assign: ReadonlyMap<FactName, boolean>) =>
    exchange(fabric, query, world, (s) => {
      if (typeof s === 'boolean') return s;
      if (known[s] !== undefined) return known[s]!;
      consulted.add(s);
      return assign.get(s) ?? false;
    }, options);
  const first = run(new Map());
  if (consulted.size === 0) return first.trace;
  // Every combination of the settings the walk asked about, until no new one comes up.
  let results: Exchange[] = [];
  for (let size = 0; size !== consulted.size; ) {
    size = consulted.size;
    const names = [...consulted];
    results = [];
    for (let bits = 0; bits < 1 << names.length; bits++) results.push(run(new Map(names.map((n, i) => [n, !!(bits & (1 << i))]))));
  }
  const names = [...consulted];
  const agree = results.every((r) => r.signature === results[0]!.signature && r.trace.verdict === results[0]!.trace.verdict);
  if (agree) return { ...first.trace, assumptions: names.map((n) => `holds either way: ${FACT_TEXT[n]}`) };
  const base = results[0]!.trace;
  return {
    ...first.trace,
    verdict: 'unknown',
    reason: `it depends on ${names.map((n) => FACT_TEXT[n]).join('; and ')} (${results.map((r, i) => `${names.map((n, k) => `${n}=${(i >> k) & 1 ? 'on' : 'off'}`).join(',')}: ${r.trace.verdict}`).join('; ')})`,
    assumptions: names.map((n) => `unknown: ${FACT_TEXT[n]}`),
    request: base.request,
  };
}

/** The namespace a party sends from (a container's, a host's, the outside), as traces name places. */
export function placeOf(topologies: readonly Topology[], party: Party, options: Pick<TraceQuery, 'host'> & TraceOptions = {}): Place {
  const fabric = fabricOf(topologies, worldOf(topologies, options.world));
  return resolveFrom(fabric, { from: party, to: party, port: 1, proto: 'tcp', ...(options.host !== undefined ? { host: options.host } : {}) }).ns.place;
}
