// One netfilter hook in one namespace: its base chains in priority order, with connection tracking's
// address translation where the kernel does it (destination NAT at -100 in PREROUTING and OUTPUT, source
// NAT at +100 in INPUT and POSTROUTING): the nat chains bind a new connection's translation, a known
// connection is translated from its binding (undone on the reply) and skips them.
import type { Origin } from '../diagnostics/origin.ts';
import type { ConntrackTable, Tracked } from './conntrack.ts';
import type { Fabric, Iface, Ns, Setting } from './fabric.ts';
import { addressTypeIn, type Hook, type NatRequest, type RuleEvent } from './netfilter.ts';
import { endpointText, type Packet } from './packet.ts';
import { isLocalTo, sourceOn } from './routing.ts';
import type { Leg, TraceStep, Translation } from './types.ts';

/** What a walk keeps while it follows the packets of one exchange. */
export interface WalkState {
  readonly fabric: Fabric;
  leg: Leg;
  readonly steps: TraceStep[];
  readonly translations: Translation[];
  readonly conntrack: Map<Ns, ConntrackTable>;
  /** A host setting's value in the branch being walked. */
  setting(s: Setting): boolean;
  readonly locate?: ((o: Origin) => string | undefined) | undefined;
}

export type HookOutcome = { readonly ok: true } | { readonly ok: false; readonly outcome: 'dropped' | 'unknown'; readonly reason: string; readonly origin?: Origin };

export interface HookIo {
  readonly in?: Iface;
  readonly out?: Iface;
  readonly nexthop?: string;
}

const OK: HookOutcome = { ok: true };

export function step(st: WalkState, ns: Ns, s: Omit<TraceStep, 'leg' | 'where' | 'source'>): void {
  const source = s.origin && st.locate ? st.locate(s.origin) : undefined;
  st.steps.push({ leg: st.leg, where: ns.label, ...s, ...(source ? { source } : {}) });
}

function translate(st: WalkState, ns: Ns, kind: Translation['kind'], from: string, to: string, origin?: Origin): void {
  const source = origin && st.locate ? st.locate(origin) : undefined;
  st.translations.push({ leg: st.leg, where: ns.label, kind, from, to, ...(origin ? { origin } : {}), ...(source ? { source } : {}) });
}

const dstManip = (hook: Hook) => hook === 'prerouting' || hook === 'output';
const srcManip = (hook: Hook) => hook === 'input' || hook === 'postrouting';

/** A known connection's translation at this hook: as bound on the original direction, undone on the reply. */
function applyBinding(st: WalkState, ns: Ns, hook: Hook, p: Packet, t: Tracked): void {
  const c = t.conn;
  const before = (a: string, port: number) => endpointText(a, port);
  if (dstManip(hook)) {
    const to = t.dir === 'original' ? c.dnat : c.snat ? { address: c.orig.src, port: c.orig.sport } : undefined;
    if (to && (p.dst !== to.address || p.dport !== to.port)) {
      translate(st, ns, t.dir === 'original' ? 'dnat' : 'un-snat', before(p.dst, p.dport), before(to.address, to.port));
      p.dst = to.address;
      p.dport = to.port;
    }
  } else if (srcManip(hook)) {
    const to = t.dir === 'original' ? c.snat : c.dnat ? { address: c.orig.dst, port: c.orig.dport } : undefined;
    if (to && (p.src !== to.address || p.sport !== to.port)) {
      translate(st, ns, t.dir === 'original' ? 'snat' : 'un-dnat', before(p.src, p.sport), before(to.address, to.port));
      p.src = to.address;
      p.sport = to.port;
    }
  }
}

/** Binds a new connection's translation as a nat chain asked; a reason when it cannot be done. */
function bind(st: WalkState, ns: Ns, hook: Hook, p: Packet, t: Tracked, nat: NatRequest, io: HookIo, origin?: Origin): string | undefined {
  const c = t.conn;
  if (dstManip(hook) && (nat.kind === 'dnat' || nat.kind === 'redirect') && !c.dnat) {
    const address = nat.kind === 'dnat' ? nat.address : hook === 'output' ? (p.family === 4 ? '127.0.0.1' : '::1') : io.in && sourceOn(io.in, p.family);
    if (!address) return `REDIRECT: ${io.in?.name ?? 'the interface'} has no IPv${p.family} address`;
    c.dnat = { address, port: nat.port };
    translate(st, ns, nat.kind, endpointText(p.dst, p.dport), endpointText(address, nat.port), origin);
    p.dst = address;
    p.dport = nat.port;
  } else if (srcManip(hook) && (nat.kind === 'snat' || nat.kind === 'masquerade') && !c.snat) {
    const address = nat.kind === 'snat' ? nat.address : io.out && sourceOn(io.out, p.family, io.nexthop);
    if (!address) return `MASQUERADE: ${io.out?.name ?? 'the interface'} has no IPv${p.family} address`;
    c.snat = { address, port: p.sport };
    translate(st, ns, nat.kind, endpointText(p.src, p.sport), endpointText(address, p.sport), origin);
    p.src = address;
  }
  return undefined;
}

/** Runs a hook's chains in `ns`; the packet may come out translated or marked. */
export function runHook(st: WalkState, ns: Ns, hook: Hook, p: Packet, io: HookIo, t: Tracked): HookOutcome {
  const chains = ns.firewall?.chainsAt(hook, p.family) ?? [];
  const natPoint = dstManip(hook) ? -100 : srcManip(hook) ? 100 : undefined;
  let bound = false;
  const bindKnown = () => {
    if (bound || natPoint === undefined) return;
    bound = true;
    if (t.state !== 'NEW' || t.conn.confirmed) applyBinding(st, ns, hook, p, t);
  };
  const ctx = {
    packet: p,
    hook,
    ...(io.in ? { in: io.in.name } : {}),
    ...(io.out ? { out: io.out.name } : {}),
    ctState: t.state,
    addressType: addressTypeIn((a) => isLocalTo(ns, a, st.fabric, p.family)),
  };
  for (const chain of chains) {
    if (natPoint !== undefined && chain.priority >= natPoint) bindKnown();
    if (chain.type === 'nat' && (t.state !== 'NEW' || t.conn.confirmed)) continue;
    const events: RuleEvent[] = [];
    const r = chain.run(ctx, events);
    for (const e of events) step(st, ns, { hook, chain: e.chain, ...(e.rule ? { rule: e.rule } : {}), action: e.action, ...(e.origin ? { origin: e.origin } : {}) });
    if (r.verdict === 'drop') return { ok: false, outcome: 'dropped', reason: `dropped by ${r.reason ?? chain.label}`, ...(r.origin ? { origin: r.origin } : {}) };
    if (r.verdict === 'unknown') return { ok: false, outcome: 'unknown', reason: r.reason ?? `${chain.label}: not evaluated` };
    if (r.nat) {
      const problem = bind(st, ns, hook, p, t, r.nat, io, r.natOrigin);
      if (problem) return { ok: false, outcome: 'dropped', reason: problem };
    }
  }
  bindKnown();
  return OK;
}
