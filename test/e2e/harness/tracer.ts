// The packet tracer's verdict for a connection probe, in the sandbox's world: the same hosts, uplinks,
// LANs, underlay and outside routes the probe's packets meet. The harness asks it before sending each
// probe and counts where it disagrees with the kernel; a probe the tracer cannot judge says why.
import { trace, type Place, type Trace, type TraceWorld } from '../../../src/trace/index.ts';
import type { ConnProbe } from './matrix.ts';
import { addressOf, hostBox, namespaceOf, outsideRoute, type World } from './world.ts';

/** The tracer's world for a sandbox: its uplinks, underlay, LANs and the outside's routes; nothing else. */
export function traceWorld(w: World, outsideRoutes: readonly string[], facts: { brNetfilter?: boolean } = {}): TraceWorld {
  const s = w.sandbox;
  const hosts: Record<string, TraceWorld['hosts'][string]> = {};
  for (const h of s.hosts) {
    const lans = Object.fromEntries(h.lans.filter((l) => l.address).map((l) => [l.ifname, l.address!]));
    hosts[h.name] = {
      uplink: { ifname: s.hostIf, v4: `${h.uplink.v4}/${s.v4.length}`, v6: `${h.uplink.v6}/${s.v6.length}` },
      ...(h.underlay ? { underlay: { ifname: h.underlay.ifname, address: `${h.underlay.address}/${h.underlay.length}` } } : {}),
      lans,
    };
  }
  return {
    hosts,
    outside: { v4: `${s.v4.outside}/${s.v4.length}`, v6: `${s.v6.outside}/${s.v6.length}` },
    outsideRoutes: outsideRoutes.flatMap((entry) => {
      const r = outsideRoute(w, entry);
      return r.cidrs.map((cidr) => ({ cidr, host: r.host.name }));
    }),
    lans: Object.fromEntries(s.lans.map((l) => [l.ifname, { outside: l.outside }])),
    hostDefaultRoute: false,
    outsideOwnsTheRest: false,
    outsideForwards: false,
    // Fresh namespaces forward nothing until setup.sh says so.
    facts: { forward4: false, forward6: false, ...facts },
  };
}

/** The sandbox namespace a trace's place is. */
function namespaceOfPlace(w: World, p: Place): string | undefined {
  if (p.kind === 'outside') return w.sandbox.outsideNs;
  if (p.kind === 'host') return hostBox(w, p.host).ns;
  if (p.kind === 'container') return `${hostBox(w, p.host).containerPrefix}${p.container}`;
  return undefined;
}

export interface TracerJudgement {
  readonly agrees: boolean | 'unknown';
  readonly detail: string;
  readonly trace: Trace;
}

const party = (who: string) => (who === 'host' ? { kind: 'host' as const } : who.startsWith('host:') ? { kind: 'host' as const, host: who.slice(5) } : who === 'outside' ? { kind: 'outside' as const } : { kind: 'container' as const, name: who });

/** The tracer's answer to a connection probe, and whether it says what the probe expects. */
export function judgeWithTracer(p: ConnProbe, w: World, world: TraceWorld): TracerJudgement {
  const to = addressOf(w, p.to.addr, p.family);
  const t = trace(w.topologies, { from: party(p.from), to: { kind: 'address', address: to }, port: p.to.port, proto: p.proto === 'http' ? 'tcp' : p.proto, family: p.family }, { world });
  const server = namespaceOf(w, p.server.server);
  const req = t.request;
  const atServer = req.outcome === 'delivered' && namespaceOfPlace(w, req.place) === server && req.port === p.server.port;
  const source = p.source ? addressOf(w, p.source, p.family) : undefined;
  const sourceOk = req.outcome === 'delivered' && (source === undefined || req.peer === source);
  const said = `tracer: ${t.verdict}${req.outcome === 'delivered' ? `, request delivered to ${req.where} ${req.address}:${req.port} from ${req.peer}` : `, request ${req.outcome}: ${req.reason}`}${t.reason && req.outcome === 'delivered' ? ` (${t.reason})` : ''}`;
  if (t.verdict === 'unknown') return { agrees: 'unknown', detail: `${said}`, trace: t };
  // A TCP server sees a request only once the handshake completes; a UDP one as soon as it arrives.
  const arrived = p.proto === 'udp' ? atServer : atServer && t.verdict === 'reach';
  let agrees: boolean;
  if (p.expect === 'reach') agrees = t.verdict === 'reach' && atServer && sourceOk;
  else if (p.expect === 'arrives') agrees = arrived && sourceOk;
  else agrees = !arrived;
  return { agrees, detail: said, trace: t };
}
