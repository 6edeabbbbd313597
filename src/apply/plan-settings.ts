// Sysctls and the per-namespace files. A host-wide sysctl netform changes is remembered as it was and
// put back when netform leaves (unless someone changed it since); a link's sysctls go with the link.
// Each container's hosts and resolv.conf are installed in /etc/netns/<namespace>/, where `ip netns exec`
// bind-mounts them over /etc: written atomically (a temporary file renamed over the old one), removed
// when the container goes, and the directories netform made removed when they are empty.
import type { Change, FileOp, Step, SysctlWrite } from './plan-types.ts';
import type { HostNetwork, Live, NetnsFile } from './types.ts';

export const ETC_NETNS = '/etc/netns';
export const netnsDir = (ns: string) => `${ETC_NETNS}/${ns}`;
export const filePath = (f: Pick<NetnsFile, 'netns' | 'name'>) => `${netnsDir(f.netns)}/${f.name}`;
const key = (path: string) => path.replace(/\//g, '.');

export interface SysctlPlan {
  readonly changes: Change[];
  readonly set: SysctlWrite[];
  readonly undo: SysctlWrite[];
  /** Host-wide sysctls put back (late, when netform leaves them). */
  readonly restore: SysctlWrite[];
  readonly restoreUndo: SysctlWrite[];
  readonly before: Record<string, string>;
  readonly notes: string[];
  readonly conflicts: string[];
}

export function planSysctls(desired: HostNetwork, last: HostNetwork, before: Readonly<Record<string, string>>, live: Live, freshLinks: ReadonlySet<string>): SysctlPlan {
  const p: SysctlPlan = { changes: [], set: [], undo: [], restore: [], restoreUndo: [], before: { ...before }, notes: [], conflicts: [] };
  const lastBy = new Map(last.sysctls.map((s) => [s.path, s] as const));
  for (const s of desired.sysctls) {
    const onFreshLink = s.link !== undefined && freshLinks.has(s.link);
    const cur = onFreshLink ? undefined : live.sysctls[s.path];
    if (cur === undefined && !onFreshLink) {
      if (s.optional) p.notes.push(`sysctl ${key(s.path)} is not available here (${s.reason}): left unset`);
      else p.conflicts.push(`sysctl ${key(s.path)} does not exist on this host (${s.reason})`);
      continue;
    }
    if (cur === s.value) continue;
    p.set.push({ path: s.path, value: s.value, ...(s.optional ? { optional: true } : {}) });
    if (cur !== undefined) p.undo.unshift({ path: s.path, value: cur });
    if (!s.link && cur !== undefined && !(s.path in p.before)) p.before[s.path] = cur;
    const had = lastBy.get(s.path);
    p.changes.push({
      id: `sysctl/${s.path}`,
      kind: 'sysctl',
      label: `sysctl ${key(s.path)}`,
      action: cur === undefined ? 'create' : 'update',
      details: cur === undefined ? [`= ${s.value}`] : [`${cur} -> ${s.value}`],
      drift: had !== undefined && had.value === s.value,
      note: s.reason,
      part: 'network',
    });
  }
  const want = new Set(desired.sysctls.map((s) => s.path));
  for (const s of last.sysctls) {
    if (want.has(s.path) || s.link !== undefined) continue;
    const was = p.before[s.path];
    delete p.before[s.path];
    const cur = live.sysctls[s.path];
    if (was === undefined || cur === undefined || cur === was) continue;
    if (cur !== s.value) {
      p.notes.push(`sysctl ${key(s.path)} stays ${cur}: it was changed after netform set it`);
      continue;
    }
    p.restore.push({ path: s.path, value: was });
    p.restoreUndo.unshift({ path: s.path, value: cur });
    p.changes.push({ id: `sysctl/${s.path}`, kind: 'sysctl', label: `sysctl ${key(s.path)}`, action: 'update', details: [`${cur} -> ${was}`], drift: false, note: 'put back as it was before netform', part: 'network' });
  }
  return p;
}

export interface FilePlan {
  readonly changes: Change[];
  readonly conflicts: string[];
  /** Directories and files written (early), removed (late), and /etc/netns removed (last). */
  readonly early: Step[];
  readonly late: Step[];
  readonly last: Step[];
  readonly madeEtcNetns: boolean;
}

export function planFiles(desired: HostNetwork, last: HostNetwork, live: Live, madeEtcNetns: boolean): FilePlan {
  const changes: Change[] = [];
  const conflicts: string[] = [];
  const early: FileOp[] = [];
  const late: FileOp[] = [];
  const final: Step[] = [];
  let made = madeEtcNetns;
  const lastBy = new Map(last.files.map((f) => [filePath(f), f] as const));
  const wantBy = new Map(desired.files.map((f) => [filePath(f), f] as const));
  if (desired.files.length && !live.etcNetnsExists) {
    early.push({ op: 'mkdir', path: ETC_NETNS });
    made = true;
  }
  const dirsMade = new Set<string>();
  for (const f of desired.files) {
    const path = filePath(f);
    const cur = live.files[path];
    const had = lastBy.get(path);
    if (cur !== undefined && !had) {
      conflicts.push(`${path} already exists and netform did not write it`);
      continue;
    }
    if (cur === f.text) continue;
    const hasAny = desired.files.some((g) => g.netns === f.netns && live.files[filePath(g)] !== undefined) || last.files.some((g) => g.netns === f.netns);
    if (!hasAny && !dirsMade.has(f.netns)) {
      dirsMade.add(f.netns);
      early.push({ op: 'mkdir', path: netnsDir(f.netns) });
    }
    early.push({ op: 'write', path, text: f.text, ...(cur !== undefined ? { before: cur } : {}) });
    changes.push({
      id: `file/${path}`,
      kind: 'file',
      label: `file ${path}`,
      action: cur === undefined ? 'create' : 'update',
      details: cur === undefined ? [] : lineChanges(cur, f.text),
      drift: had !== undefined && cur !== undefined && cur !== had.text,
      part: 'files',
    });
  }
  const emptied = new Set<string>();
  for (const had of last.files) {
    const path = filePath(had);
    if (wantBy.has(path)) continue;
    const cur = live.files[path];
    if (!desired.files.some((g) => g.netns === had.netns)) emptied.add(had.netns);
    if (cur === undefined) continue;
    late.push({ op: 'remove', path, before: cur });
    changes.push({ id: `file/${path}`, kind: 'file', label: `file ${path}`, action: 'delete', details: [], drift: cur !== had.text, part: 'files' });
  }
  for (const ns of emptied) late.push({ op: 'rmdir', path: netnsDir(ns) });
  if (madeEtcNetns && !desired.files.length && last.files.length) {
    final.push({ kind: 'files', label: `remove ${ETC_NETNS} if empty`, part: 'files', ops: [{ op: 'rmdir', path: ETC_NETNS }] });
    made = false;
  }
  return {
    changes,
    conflicts,
    early: early.length ? [{ kind: 'files', label: `write ${early.filter((o) => o.op === 'write').length} file(s) under ${ETC_NETNS}`, part: 'files', ops: early }] : [],
    late: late.length ? [{ kind: 'files', label: `remove ${late.filter((o) => o.op === 'remove').length} file(s) under ${ETC_NETNS}`, part: 'files', ops: late }] : [],
    last: final,
    madeEtcNetns: made,
  };
}

/** The lines of a file that change, as `- old` / `+ new` (at most 20 shown). */
function lineChanges(a: string, b: string): string[] {
  const old = a.split('\n');
  const now = b.split('\n');
  const out = [...old.filter((l) => !now.includes(l)).map((l) => `- ${l}`), ...now.filter((l) => !old.includes(l)).map((l) => `+ ${l}`)];
  return out.length > 20 ? [...out.slice(0, 20), `... ${out.length - 20} more`] : out;
}
