// Rules Docker programs inside namespaces of netform's (a service task's redirects and filters, the
// routing mesh in ingress_sbox): whole tables, loaded with iptables-restore inside the namespace as
// setup.sh loads them. The namespace is netform's, so its tables are too: a change replaces them, a
// rule set no longer wanted leaves them empty, and undoing puts back the text the last apply loaded.
// They are compared with iptables-save inside the namespace where its inside was read (plan --deep, or
// a namespace the plan changes): a rule changed by hand is drift, and its tables are loaded again; where
// netform did not look, with what the last apply loaded.
import type { Change, IpBatch } from './plan-types.ts';
import type { HostNetwork, Live, NetnsRules } from './types.ts';
import { tableTexts } from './desired-overlay.ts';
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

/** Each table's rules in order, tables by name: what two rule sets must share to be the same. */
const ruleKey = (text: string) =>
  tableTexts(text)
    .map((t) => `*${t.name}\n${ruleLines(t.text).join('\n')}`)
    .sort()
    .join('\n');

/** The tables of `saved` (iptables-save) that `text` has, as restore input. */
const sameTables = (saved: string, text: string) => {
  const names = new Set(tableTexts(text).map((t) => t.name));
  return tableTexts(saved).filter((t) => names.has(t.name)).map((t) => t.text).join('');
};

export function planNetnsRules(desired: HostNetwork, last: HostNetwork, live: Pick<Live, 'netnsRules'>, freshNs: ReadonlySet<string>, goneNs: ReadonlySet<string>, liveNs: ReadonlySet<string>): RulesPlan {
  const out: RulesPlan = { changes: [], batches: [] };
  const lastRules = new Map((last.netnsRules ?? []).map((r) => [r.netns, r] as const));
  for (const r of desired.netnsRules ?? []) {
    const fresh = freshNs.has(r.netns);
    const had = fresh ? undefined : lastRules.get(r.netns);
    const saved = fresh ? undefined : live.netnsRules?.[r.netns];
    const now = saved === undefined ? had?.text : sameTables(saved, r.text);
    const same = now !== undefined && ruleKey(now) === ruleKey(r.text);
    if (had && same) continue;
    const undo = fresh ? [] : [restore(r.netns, now ?? emptyTables(r.text))];
    out.batches.push({ batch: restore(r.netns, r.text), undo });
    const drift = had !== undefined && had.text === r.text && saved !== undefined;
    out.changes.push({ id: `nsrules/${r.netns}`, kind: 'rules', label: label(r), action: had ? 'update' : 'create', details: diff(now, r.text), drift, part: 'network' });
  }
  const wanted = new Set((desired.netnsRules ?? []).map((r) => r.netns));
  for (const had of last.netnsRules ?? []) {
    if (wanted.has(had.netns) || !liveNs.has(had.netns)) continue;
    if (!goneNs.has(had.netns)) out.batches.push({ batch: restore(had.netns, emptyTables(had.text)), undo: [restore(had.netns, had.text)] });
    out.changes.push({ id: `nsrules/${had.netns}`, kind: 'rules', label: label(had), action: 'delete', details: diff(had.text, undefined), drift: false, part: 'network' });
  }
  return out;
}
