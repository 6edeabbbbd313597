// Reading a host and planning against it: the state directory's last apply, the live host (the host
// namespace in one go, then the inside of the namespaces the plan would change, or of all of netform's
// with deep), and the fingerprint of everything read, which a saved plan is checked against.
import { createHash } from 'node:crypto';
import { ApplyError } from './errors.ts';
import type { FirewallApplier } from './firewall/applier.ts';
import { iptablesApplier } from './firewall/iptables/index.ts';
import { nftablesApplier } from './firewall/nftables/index.ts';
import { StateDir } from './journal.ts';
import { filePath } from './plan-settings.ts';
import type { Part, Plan } from './plan-types.ts';
import { EMPTY_NETWORK, FORWARDING, makePlan } from './planner.ts';
import { readInteriors, readLive, type ReadRequest } from './read.ts';
import { withNamespaceState } from './read-overlay.ts';
import type { System } from './system.ts';
import type { Applied, Desired, Live, Target } from './types.ts';

export { ApplyError };


/** The firewall applier for a backend name. */
export function applierFor(backend: string): FirewallApplier {
  if (backend === 'iptables') return iptablesApplier;
  if (backend === 'nftables') return nftablesApplier;
  throw new ApplyError(`netform: no applier for the ${backend} firewall backend yet`);
}

export interface PlanRequest {
  readonly desired?: Desired;
  readonly target: Target;
  readonly only?: Part;
  /** Read the inside of every namespace netform made (drift inside them), not only of those that change. */
  readonly deep?: boolean;
}

/** Everything a plan was computed from, and the plan. */
export interface Planned {
  readonly plan: Plan;
  readonly last?: Applied;
  readonly live: Live;
  readonly applier: FirewallApplier;
  /** The namespaces whose inside was read. */
  readonly interiors: readonly string[];
}

/** The last apply, checked against where this command works. */
export function lastApplied(state: StateDir, target: Target): Applied | undefined {
  const last = state.readState();
  if (!last) return undefined;
  const t = last.target;
  if (t.host !== target.host || (t.hostNetns ?? '') !== (target.hostNetns ?? '') || t.prefix !== target.prefix) {
    throw new ApplyError(
      `netform: ${state.dir} holds host ${t.host} applied with NETFORM_HOST_NETNS=${t.hostNetns ?? ''} NETFORM_NETNS_PREFIX=${t.prefix}; ` +
        `this command works on host ${target.host} with NETFORM_HOST_NETNS=${target.hostNetns ?? ''} NETFORM_NETNS_PREFIX=${target.prefix}`,
    );
  }
  return last;
}

function readRequest(desired: Desired | undefined, last: Applied | undefined, applier: FirewallApplier, interiors: readonly string[]): ReadRequest {
  const want = desired?.network ?? EMPTY_NETWORK;
  const had = last?.network ?? EMPTY_NETWORK;
  const sysctls = [...new Set([...want.sysctls, ...had.sysctls].map((s) => s.path).concat(FORWARDING[4], FORWARDING[6]))].sort();
  const files = [...new Set([...want.files, ...had.files].map(filePath))].sort();
  const ipvs = !!desired?.network.netnsRules?.some((r) => r.ipvsTables?.length);
  return { sysctls, files, interiors, ...(ipvs ? { ipvs } : {}), firewall: { applier, commands: applier.readCommands(desired?.firewall, last?.firewall) } };
}

/** A digest of the live state a plan depends on (netform's objects and the firewall tables it works in) and of the last apply. */
export function fingerprint(live: Live, desired: Desired | undefined, last: Applied | undefined, applier: FirewallApplier): string {
  const want = desired?.network ?? EMPTY_NETWORK;
  const had = last?.network ?? EMPTY_NETWORK;
  const names = new Set([...want.links, ...had.links].map((l) => l.name));
  const spaces = new Set([...want.namespaces, ...had.namespaces]);
  const h = createHash('sha256');
  h.update(JSON.stringify({
    namespaces: live.namespaces.filter((n) => spaces.has(n)),
    links: Object.values(live.links).filter((l) => names.has(l.name)),
    sysctls: live.sysctls,
    files: live.files,
    etc: live.etcNetnsExists,
    interiors: live.interiors,
    ...(live.overlays ? { overlays: live.overlays } : {}),
    ...(live.netnsRules ? { netnsRules: live.netnsRules } : {}),
    last: last ?? null,
  }));
  h.update(applier.fingerprint(live.firewall));
  return h.digest('hex');
}

/** Reads the host and plans; reads the inside of the namespaces the plan changes and plans again. */
export async function readAndPlan(system: System, state: StateDir, req: PlanRequest): Promise<Planned> {
  const last = lastApplied(state, req.target);
  const backend = req.desired?.firewall.backend ?? (last?.firewall as { backend?: string } | null | undefined)?.backend ?? 'iptables';
  const applier = applierFor(backend);
  const lastBackend = (last?.firewall as { backend?: string } | null | undefined)?.backend;
  // The iptables applier does not know nft tables: they would stay loaded beside its rules.
  if (lastBackend === 'nftables' && backend !== 'nftables') throw new ApplyError(`netform: host ${req.target.host} was last applied with firewall-backend nftables; run netform destroy before applying the ${backend} backend`);
  const all = [...new Set([...(req.desired?.network.namespaces ?? []), ...(last?.network.namespaces ?? [])])];
  let interiors: readonly string[] = req.deep ? all : [];
  const inner = innerState(req.desired, last);
  let live = await withNamespaceState(system, await readLive(system, readRequest(req.desired, last, applier, interiors)), interiors, inner.overlays, inner.rules);
  for (;;) {
    const fp = fingerprint(live, req.desired, last, applier);
    const r = makePlan({ ...(req.desired ? { desired: req.desired } : {}), ...(last ? { last } : {}), live, target: req.target, ...(req.only ? { only: req.only } : {}), applier, fingerprint: fp });
    if ('conflicts' in r) throw new ApplyError(`netform: cannot apply to host ${req.target.host}:\n${r.conflicts.map((c) => `  - ${c}`).join('\n')}`);
    const unread = r.touched.filter((ns) => !interiors.includes(ns) && live.namespaces.includes(ns));
    if (!unread.length) return { plan: r.plan, ...(last ? { last } : {}), live, applier, interiors };
    interiors = [...interiors, ...unread];
    live = await withNamespaceState(system, { ...live, interiors: { ...live.interiors, ...(await readInteriors(system, unread)) } }, interiors, inner.overlays, inner.rules);
  }
}

/** The overlay namespaces and those with rules, of the desired state and the last apply (read with their inside). */
const innerState = (desired: Desired | undefined, last: Applied | undefined) => ({
  overlays: new Set([...(desired?.network.overlays ?? []), ...(last?.network.overlays ?? [])].map((o) => o.netns)),
  rules: new Set([...(desired?.network.netnsRules ?? []), ...(last?.network.netnsRules ?? [])].map((r) => r.netns)),
});

/** Reads the host again the way a plan read it, for a saved plan's fingerprint. */
export async function reread(system: System, state: StateDir, plan: Plan, interiors: readonly string[]): Promise<{ fingerprint: string; firewall: Live['firewall']; last?: Applied }> {
  const last = lastApplied(state, plan.target);
  const applier = applierFor(plan.desired?.firewall.backend ?? (last?.firewall as { backend?: string } | null | undefined)?.backend ?? 'iptables');
  const inner = innerState(plan.desired, last);
  const live = await withNamespaceState(system, await readLive(system, readRequest(plan.desired, last, applier, interiors)), interiors, inner.overlays, inner.rules);
  return { fingerprint: fingerprint(live, plan.desired, last, applier), firewall: live.firewall, ...(last ? { last } : {}) };
}
