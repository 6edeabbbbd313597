// Rules Docker programs inside namespaces of netform's (a service task's redirects and filters, the
// routing mesh in ingress_sbox): whole tables, loaded with iptables-restore inside the namespace as
// setup.sh loads them. The namespace is netform's, so its tables are too: a change replaces them, a
// rule set no longer wanted leaves them empty, and undoing puts back the text the last apply loaded.
// They are compared with what the last apply loaded (the inside of a namespace is not read for them).
import type { Change, IpBatch } from './plan-types.ts';
import type { HostNetwork, NetnsRules } from './types.ts';
import { emptyTables } from './overlay-lines.ts';

export interface RulesPlan {
  readonly changes: Change[];
  readonly batches: { readonly batch: IpBatch; readonly undo: IpBatch[] }[];
}

const ruleLines = (text: string | undefined) => (text ?? '').split('\n').filter((l) => l.startsWith('-A '));
const restore = (netns: string, text: string): IpBatch => ({ where: { netns }, lines: text.trimEnd().split('\n'), program: 'iptables-restore' });
const label = (r: NetnsRules) => `rules in ${r.netns} (iptables ${[...r.text.matchAll(/^\*(\S+)$/gm)].map((m) => m[1]).join(', ')})`;

function diff(before: string | undefined, after: string | undefined): string[] {
  const b = ruleLines(before);
  const a = ruleLines(after);
  return [...b.filter((l) => !a.includes(l)).map((l) => `- ${l}`), ...a.filter((l) => !b.includes(l)).map((l) => `+ ${l}`)];
}

export function planNetnsRules(desired: HostNetwork, last: HostNetwork, freshNs: ReadonlySet<string>, goneNs: ReadonlySet<string>, liveNs: ReadonlySet<string>): RulesPlan {
  const out: RulesPlan = { changes: [], batches: [] };
  const lastRules = new Map((last.netnsRules ?? []).map((r) => [r.netns, r] as const));
  for (const r of desired.netnsRules ?? []) {
    const fresh = freshNs.has(r.netns);
    const had = fresh ? undefined : lastRules.get(r.netns);
    if (had && had.text === r.text) continue;
    const undo = fresh ? [] : [restore(r.netns, had ? had.text : emptyTables(r.text))];
    out.batches.push({ batch: restore(r.netns, r.text), undo });
    out.changes.push({ id: `nsrules/${r.netns}`, kind: 'rules', label: label(r), action: had ? 'update' : 'create', details: diff(had?.text, r.text), drift: false, part: 'network' });
  }
  const wanted = new Set((desired.netnsRules ?? []).map((r) => r.netns));
  for (const had of last.netnsRules ?? []) {
    if (wanted.has(had.netns) || !liveNs.has(had.netns)) continue;
    if (!goneNs.has(had.netns)) out.batches.push({ batch: restore(had.netns, emptyTables(had.text)), undo: [restore(had.netns, had.text)] });
    out.changes.push({ id: `nsrules/${had.netns}`, kind: 'rules', label: label(had), action: 'delete', details: diff(had.text, undefined), drift: false, part: 'network' });
  }
  return out;
}
