// The planner: desired state + live host + last apply -> a Plan. Pure: everything it knows was read
// before it runs. Steps come in the order that keeps the host working: namespaces and links first,
// then their settings, the files, the firewall (one transaction per table), and only then what goes
// away (files, veths, namespaces, bridges, sysctls put back), so a failure half-way has removed nothing.
import type { FirewallApplier, FirewallChange } from './firewall/applier.ts';
import { bridgeCreate, LO_UP, netnsAdd, netnsDel, linkDel } from './network-lines.ts';
import { goneInside, planInside } from './plan-inside.ts';
import { planLinks, recreate } from './plan-links.ts';
import { planMacvlans, recreateMacvlansIn } from './plan-macvlan.ts';
import { planNetnsRules } from './plan-netns-rules.ts';
import { planOverlays, recreateGone } from './plan-overlay.ts';
import { planFiles, planSysctls } from './plan-settings.ts';
import { summarise, type Change, type IpBatch, type Part, type Plan, type Step } from './plan-types.ts';
import type { Applied, Desired, HostNetwork, Live, NetnsRules, Target } from './types.ts';
import { tableTexts } from './desired-overlay.ts';

export const EMPTY_NETWORK: HostNetwork = { namespaces: [], links: [], interfaces: [], routes: [], sysctls: [], files: [] };

export const FORWARDING = { 4: 'net/ipv4/ip_forward', 6: 'net/ipv6/conf/all/forwarding' } as const;

export interface PlanInput {
  /** What to apply; undefined for destroy. */
  readonly desired?: Desired;
  readonly last?: Applied;
  readonly live: Live;
  readonly target: Target;
  readonly only?: Part;
  readonly applier: FirewallApplier;
  readonly fingerprint: string;
}

/** A plan, or why there can be none (objects in the way that netform did not make). */
export type PlanResult = { readonly plan: Plan; readonly touched: readonly string[] } | { readonly conflicts: readonly string[] };

const fwChange = (c: FirewallChange): Change => ({
  id: c.id,
  kind: c.kind,
  label: c.label,
  action: c.action,
  details: [...c.removed.map((l) => `- ${l}`), ...c.added.map((l) => `+ ${l}`)],
  drift: c.drift,
  ...(c.note ? { note: c.note } : {}),
  part: 'firewall',
});

function ipStep(label: string, batch: IpBatch, undo: IpBatch[]): Step {
  return { kind: 'ip', label, part: 'network', batch, undo };
}

/** What one part of the host comes to: its changes, its steps (early ones, late ones), its problems. */
interface PartPlan {
  readonly changes: Change[];
  readonly early: Step[];
  readonly late: Step[];
  readonly conflicts: string[];
  readonly notes: string[];
}

/** Steps that run side by side, one per namespace (a step of their own when there is one). */
function lanes(label: string, batches: readonly { batch: IpBatch; undo: IpBatch[] }[]): Step[] {
  if (!batches.length) return [];
  const steps = batches.map((b) => ({ kind: 'ip' as const, label: `${label} ${(b.batch.where as { netns: string }).netns}`, part: 'network' as const, batch: b.batch, undo: b.undo }));
  return [{ kind: 'parallel', label: `${label} ${batches.length} namespace(s)`, part: 'network', steps }];
}

/** Namespaces, links, what is inside the namespaces (overlays and rules included), and sysctls. */
function networkPart(i: PlanInput, want: HostNetwork, lastNet: HostNetwork): PartPlan & { touched: string[]; sysctlsBefore: Record<string, string> } {
  const links = planLinks(want, lastNet, i.live);
  const goneNs = new Set(links.goneNs);
  const overlay = planOverlays(want, lastNet, i.live, links.freshNs, goneNs);
  const macvlans = planMacvlans(want, lastNet, i.live, links.freshNs, goneNs);
  for (const k of [...overlay.freshPeers, ...macvlans.freshPeers]) links.freshPeers.add(k);
  const inside = planInside(want, lastNet, i.live, links.freshNs, links.freshPeers, new Set((want.overlays ?? []).map((o) => o.netns)));
  const rules = planNetnsRules(want, lastNet, i.live, links.freshNs, goneNs, new Set(i.live.namespaces));
  const sysctls = planSysctls(want, lastNet, i.last?.sysctlsBefore ?? {}, i.live, links.freshLinks);
  const gonePeers = new Set([...links.deleteVeths.map((v) => `${v.peer.netns}/${v.peer.ifname}`), ...overlay.gonePeers, ...macvlans.gonePeers]);
  const early: Step[] = [];
  const late: Step[] = [];
  for (const b of [...overlay.pre, ...macvlans.pre]) early.push({ kind: 'ip', label: `link out of ${(b.batch.where as { netns: string }).netns}`, part: 'network', batch: b.batch, undo: b.undo });
  const fresh = [...links.freshNs];
  const nsStep = fresh.length ? ipStep(`make ${fresh.length} namespace(s)`, { where: 'current', lines: fresh.map(netnsAdd) }, [{ where: 'current', lines: fresh.map(netnsDel) }]) : undefined;
  const hostLines = [...links.preLines, ...links.hostLines, ...overlay.hostLines, ...macvlans.hostLines];
  const hostUndo = [...[...links.hostUndo, ...overlay.hostUndo, ...macvlans.hostUndo].reverse().flat(), ...[...links.preUndo].reverse().flat()];
  const hostStep = hostLines.length ? ipStep('host links', { where: 'host', lines: hostLines }, hostUndo) : undefined;
  if (nsStep?.kind === 'ip' && hostStep?.kind === 'ip' && !i.target.hostNetns) {
    // The host namespace is this one: namespaces and host links in one ip start.
    early.push(ipStep('namespaces and host links', { where: 'current', lines: [...nsStep.batch.lines, ...hostStep.batch.lines] }, [...hostStep.undo, ...nsStep.undo]));
  } else early.push(...[nsStep, hostStep].filter((x): x is Step => x !== undefined));
  if (sysctls.set.length) early.push({ kind: 'sysctl', label: 'sysctls', part: 'network', set: sysctls.set, undo: sysctls.undo });
  early.push(...lanes('inside', [...inside.batches, ...overlay.inside]), ...lanes('forwarding entries in', overlay.forwarding));
  for (const b of rules.batches) early.push({ kind: 'ip', label: `rules in ${(b.batch.where as { netns: string }).netns}`, part: 'network', batch: b.batch, undo: b.undo });
  if (links.goneNs.length) {
    const undo: IpBatch[] = [{ where: 'current', lines: links.goneNs.map(netnsAdd) }];
    for (const ns of links.goneNs) undo.push({ where: { netns: ns }, lines: [LO_UP] });
    for (const v of links.implicitVeths) undo.push(...recreate(v, lastNet, i.live.links[v.name]?.mac));
    undo.push(...recreateGone(lastNet, goneNs, i.live), ...recreateMacvlansIn(lastNet, goneNs));
    late.push(ipStep(`remove ${links.goneNs.length} namespace(s)`, { where: 'current', lines: links.goneNs.map(netnsDel) }, undo));
  }
  if (links.implicitVeths.length) late.push({ kind: 'wait-gone', label: 'veths of removed namespaces', part: 'network', links: links.implicitVeths.map((v) => v.name) });
  if (links.deleteBridges.length) {
    late.push(ipStep('remove bridges', { where: 'host', lines: links.deleteBridges.map((b) => linkDel(b.name)) }, [{ where: 'host', lines: links.deleteBridges.flatMap(bridgeCreate) }]));
  }
  if (sysctls.restore.length) late.push({ kind: 'sysctl', label: 'sysctls put back', part: 'network', set: sysctls.restore, undo: sysctls.restoreUndo });
  return {
    changes: [...links.changes, ...overlay.changes, ...macvlans.changes, ...inside.changes, ...goneInside(lastNet, goneNs, gonePeers), ...rules.changes, ...sysctls.changes],
    early,
    late,
    conflicts: [...links.conflicts, ...overlay.conflicts, ...macvlans.conflicts, ...sysctls.conflicts],
    notes: sysctls.notes,
    touched: [...inside.touched, ...overlay.touched],
    sysctlsBefore: sysctls.before,
  };
}

/**
 * The network the kernel can take: tables of the routing mesh that use the ipvs match need IPVS;
 * without it they are left out and said so, as iptables-restore in setup.sh loads the other tables
 * and warns.
 */
function loadable(want: HostNetwork, live: Live): { network: HostNetwork; notes: string[] } {
  if (live.ipvs || !want.netnsRules?.some((r) => r.ipvsTables?.length)) return { network: want, notes: [] };
  const notes: string[] = [];
  const netnsRules: NetnsRules[] = [];
  for (const r of want.netnsRules) {
    if (!r.ipvsTables?.length) {
      netnsRules.push(r);
      continue;
    }
    notes.push(`the routing mesh's ${r.ipvsTables.join(', ')} table(s) in ${r.netns} use the ipvs match, and this kernel lacks IPVS (no ip_vs): left out until it has it`);
    const text = tableTexts(r.text).filter((t) => !r.ipvsTables!.includes(t.name)).map((t) => t.text).join('');
    if (text) netnsRules.push({ netns: r.netns, text });
  }
  const { netnsRules: _all, ...rest } = want;
  return { network: { ...rest, ...(netnsRules.length ? { netnsRules } : {}) }, notes };
}

export function makePlan(i: PlanInput): PlanResult {
  const canLoad = loadable(i.desired?.network ?? EMPTY_NETWORK, i.live);
  const want = canLoad.network;
  const lastNet = i.last?.network ?? EMPTY_NETWORK;
  const does = (part: Part) => i.only === undefined || i.only === part;
  const conflicts: string[] = [];
  const changes: Change[] = [];
  const early: Step[] = [];
  const late: Step[] = [];
  const warnings: string[] = [];
  const notes: string[] = [...(i.desired?.notices ?? []), ...canLoad.notes];
  let touched: string[] = [];
  let sysctlsBefore = i.last?.sysctlsBefore ?? {};
  let madeEtcNetns = i.last?.madeEtcNetns ?? false;

  if (does('network')) {
    const n = networkPart(i, want, lastNet);
    changes.push(...n.changes);
    early.push(...n.early);
    late.push(...n.late);
    conflicts.push(...n.conflicts);
    notes.push(...n.notes);
    touched = n.touched;
    sysctlsBefore = n.sysctlsBefore;
  }

  if (does('files')) {
    const files = planFiles(want, lastNet, i.live, madeEtcNetns);
    conflicts.push(...files.conflicts);
    changes.push(...files.changes);
    early.push(...files.early);
    late.unshift(...files.late);
    late.push(...files.last);
    madeEtcNetns = files.madeEtcNetns;
  }

  let firewallAfter = i.last?.firewall;
  if (does('firewall')) {
    const before = i.last?.sysctlsBefore ?? {};
    const on = (f: 4 | 6) => (before[FORWARDING[f]] ?? i.live.sysctls[FORWARDING[f]]) === '1';
    const fw = i.applier.plan(i.desired?.firewall, i.live.firewall, i.last?.firewall, { forwardingWasOn: { 4: on(4), 6: on(6) } });
    changes.push(...fw.changes.map(fwChange));
    warnings.push(...fw.warnings);
    notes.push(...fw.notes);
    for (const t of fw.transactions) early.push({ kind: 'firewall', label: `firewall ${t.name}`, part: 'firewall', transaction: t });
    firewallAfter = fw.after;
  }
  if (conflicts.length) return { conflicts };

  const network: HostNetwork = {
    ...(does('network') ? { ...want, files: lastNet.files } : lastNet),
    files: does('files') ? want.files : lastNet.files,
  };
  const after: Applied = {
    format_version: 1,
    target: i.target,
    network,
    firewall: firewallAfter ?? null,
    sysctlsBefore,
    madeEtcNetns,
  };
  const plan: Plan = {
    format_version: 1,
    target: i.target,
    mode: i.desired ? 'apply' : 'destroy',
    ...(i.only ? { only: i.only } : {}),
    changes,
    steps: [...early, ...late],
    warnings,
    notes,
    after,
    summary: summarise(changes),
    ...(i.desired ? { desired: i.desired } : {}),
    fingerprint: i.fingerprint,
  };
  return { plan, touched };
}
