// A plan as people read it (one line per object, Terraform's signs, the changed attributes, rules and
// lines below it, drift marked, a last line with the counts) and as programs read it (versioned JSON).
import type { ExpectationShift } from './plan-expect.ts';
import type { Change, Plan } from './plan-types.ts';

const SIGN = { create: '+', update: '~', delete: '-', replace: '-/+' } as const;

function counts(c: Change): string {
  if (c.kind !== 'chain' && c.kind !== 'rules') return '';
  const plus = c.details.filter((d) => d.startsWith('+ ')).length;
  const minus = c.details.filter((d) => d.startsWith('- ')).length;
  const parts = [...(plus ? [`+${plus}`] : []), ...(minus ? [`-${minus}`] : [])];
  return parts.length ? ` (${parts.join(' ')} rule${plus + minus === 1 ? '' : 's'})` : '';
}

function where(p: Plan): string {
  const t = p.target;
  const bits = [...(t.hostNetns ? [`namespace ${t.hostNetns}`] : []), ...(t.prefix ? [`prefix ${t.prefix}`] : [])];
  return `host ${t.host}${bits.length ? ` (${bits.join(', ')})` : ''}`;
}

/** An entry whose verdict changes: `~ LINE (file:line:col): reach -> blocked`, each side's reason below. */
function expectationLines(e: ExpectationShift): string[] {
  const reasons = [
    ...(e.before.reason ? [`before: ${e.before.reason}`] : []),
    ...(e.after.reason ? [`after: ${e.after.reason}`] : []),
  ];
  return [`  ~ ${e.expectation}${e.source ? ` (${e.source})` : ''}: ${e.before.verdict} -> ${e.after.verdict}`, ...reasons.map((r) => `      ${r}`)];
}

export function planText(p: Plan): string {
  const out: string[] = [];
  const what = p.mode === 'destroy' ? 'destroy' : `apply${p.only ? ` --only ${p.only}` : ''}`;
  out.push(`netform ${what}: ${where(p)}`);
  if (p.changes.length) out.push('');
  for (const c of p.changes) {
    const marks = [...(c.drift ? ['drift: changed outside netform since the last apply'] : []), ...(c.note ? [c.note] : [])];
    out.push(`  ${SIGN[c.action]} ${c.label}${counts(c)}${marks.length ? `  # ${marks.join('; ')}` : ''}`);
    for (const d of c.details) out.push(`      ${d}`);
  }
  if (p.expectations?.length) {
    out.push('', 'Expectations whose verdict this changes (expect:, traced before and after):');
    for (const e of p.expectations) out.push(...expectationLines(e));
  }
  if (p.notes.length) {
    out.push('', 'Notes:');
    for (const n of p.notes) out.push(`  - ${n}`);
  }
  if (p.warnings.length) {
    out.push('', 'Warnings:');
    for (const w of p.warnings) out.push(`  - ${w}`);
  }
  const drift = p.changes.filter((c) => c.drift).length;
  if (drift) out.push('', `Drift: ${drift} object(s) changed outside netform since the last apply.`);
  out.push('');
  const s = p.summary;
  out.push(s.add + s.change + s.destroy === 0 ? 'No changes.' : `Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`);
  return `${out.join('\n')}\n`;
}

/**
 * The JSON form of `plan --json` (format_version 1): no steps, no desired state, no rule input;
 * `expectations` lists the `expect:` entries whose verdict the plan changes (empty when none do).
 */
export function planJson(p: Plan): unknown {
  return {
    format_version: 1,
    host: p.target.host,
    ...(p.target.hostNetns ? { host_netns: p.target.hostNetns } : {}),
    netns_prefix: p.target.prefix,
    mode: p.mode,
    ...(p.only ? { only: p.only } : {}),
    changes: p.changes.map((c) => ({ id: c.id, kind: c.kind, label: c.label, action: c.action, part: c.part, drift: c.drift, details: c.details, ...(c.note ? { note: c.note } : {}) })),
    expectations: (p.expectations ?? []).map((e) => ({ expectation: e.expectation, ...(e.source ? { source: e.source } : {}), before: e.before, after: e.after })),
    notes: p.notes,
    warnings: p.warnings,
    summary: p.summary,
    changed: p.summary.add + p.summary.change + p.summary.destroy > 0,
    fingerprint: p.fingerprint,
  };
}
