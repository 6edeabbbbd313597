// One table of one family: the owned part the build wants against the live table and the last apply,
// as one `iptables-restore --noflush` input. Chains netform owns are re-declared (which flushes them)
// and refilled only when their rules differ; chains no longer wanted are flushed, unhooked and deleted;
// rules in built-in chains are deleted and inserted one by one (anchors.ts); no built-in chain is
// declared, except to set a policy dockerd would set (and the plan says so). Nothing else is written, so
// everything that is not netform's stays as it was.
import type { FirewallChange } from '../applier.ts';
import { planAnchors, type AnchorMode } from './anchors.ts';
import { foreignReferences, isOwnedChain, liveOwnedTable, USER_CHAIN, type AnchorOwnership, type OwnedTable } from './owned.ts';
import { jumpTarget, type SavedTable } from './saved.ts';

export interface TableInput {
  readonly family: 4 | 6;
  readonly table: string;
  /** The owned part wanted (empty to remove everything of netform's). */
  readonly desired: OwnedTable;
  readonly live: SavedTable | undefined;
  readonly last: OwnedTable | undefined;
  /** Built-in chain -> rules netform adopted on its first apply (they stay when it leaves). */
  readonly preexisting: Readonly<Record<string, readonly string[]>>;
  /** netform created DOCKER-USER in this table (so it may delete it again, when empty). */
  readonly userChainCreated: boolean;
  /** Built-in chain -> the policy it had before netform changed it. */
  readonly policyBefore: Readonly<Record<string, string>>;
  /** Forwarding was on before netform: dockerd leaves the FORWARD policy alone then. */
  readonly forwardingWasOn: boolean;
}

export interface TablePlan {
  /** The restore input's lines between `*table` and `COMMIT` (none: nothing to do). */
  readonly lines: readonly string[];
  readonly changes: readonly FirewallChange[];
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
  /** The owned part once applied. */
  readonly after: OwnedTable;
  readonly userChainCreated: boolean;
  readonly policyBefore: Readonly<Record<string, string>>;
  /** Once applied, the table holds nothing: no rule, no chain but the built-in ones, every policy ACCEPT. */
  readonly leftEmpty: boolean;
}

const EMPTY: OwnedTable = { chains: {}, anchors: {}, policies: {} };
export const emptyOwned = (): OwnedTable => EMPTY;

const same = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

const lineOf = (chain: string, spec: string): string => (spec ? `-A ${chain} ${spec}` : `-A ${chain}`);

/** Where dockerd puts the first of its rules in a built-in chain (see anchors.ts). */
export function anchorMode(table: string, chain: string, spec: string): AnchorMode {
  if (table === 'raw') return 'tail';
  if (table === 'nat' && (chain === 'PREROUTING' || chain === 'OUTPUT') && jumpTarget(spec) === 'DOCKER') return 'tail';
  return 'head';
}

/** Lines only in a (removed) and only in b (added), multiset difference keeping order. */
function lineDiff(a: readonly string[], b: readonly string[]): { removed: string[]; added: string[] } {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const removed: string[] = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else removed.push(x);
  }
  const right = new Map<string, number>();
  for (const x of a) right.set(x, (right.get(x) ?? 0) + 1);
  const added: string[] = [];
  for (const x of b) {
    const n = right.get(x) ?? 0;
    if (n > 0) right.set(x, n - 1);
    else added.push(x);
  }
  return { removed, added };
}

/** One table's plan as it is worked out: the inputs read once, the restore lines and changes gathered. */
interface Work {
  readonly i: TableInput;
  readonly fam: string;
  readonly live: SavedTable;
  readonly last: OwnedTable;
  /** netform's part of the live table. */
  readonly now: OwnedTable;
  readonly ownership: (chain: string) => AnchorOwnership;
  readonly decl: string[];
  readonly fill: string[];
  readonly dels: string[];
  readonly ins: string[];
  readonly xs: string[];
  readonly changes: FirewallChange[];
  readonly warnings: string[];
  readonly afterChains: Record<string, readonly string[]>;
  userChainCreated: boolean;
}

const idOf = (w: Work, kind: string, name: string) => `iptables/${w.fam}/${w.i.table}/${kind}/${name}`;
const labelOf = (w: Work, kind: string, name: string) => `${kind} ${w.fam} ${w.i.table} ${name}`;

function chainChange(w: Work, name: string, action: FirewallChange['action'], added: readonly string[], removed: readonly string[], drift: boolean, note?: string): FirewallChange {
  return { id: idOf(w, 'chain', name), kind: 'chain', label: labelOf(w, 'chain', name), action, added, removed, drift, ...(note ? { note } : {}) };
}

/** Owned chains the build wants: re-declared (which flushes them) and refilled only when they differ; DOCKER-USER made when missing. */
function wantedChains(w: Work): void {
  for (const [name, specs] of Object.entries(w.i.desired.chains)) {
    const have = w.now.chains[name];
    if (same(have, specs)) continue;
    w.decl.push(`:${name} - [0:0]`);
    w.fill.push(...specs.map((s) => lineOf(name, s)));
    const d = lineDiff((have ?? []).map((s) => lineOf(name, s)), specs.map((s) => lineOf(name, s)));
    w.changes.push(chainChange(w, name, have ? 'update' : 'create', d.added, d.removed, have !== undefined && w.last.chains[name] !== undefined && !same(have, w.last.chains[name])));
  }
  // DOCKER-USER: made when missing, with the rules dockerd gives it then; never flushed afterwards.
  const user = w.i.desired.userChain;
  if (user && w.now.userChain === undefined) {
    w.decl.push(`:${USER_CHAIN} - [0:0]`);
    w.fill.push(...user.map((s) => lineOf(USER_CHAIN, s)));
    w.changes.push(chainChange(w, USER_CHAIN, 'create', user.map((s) => lineOf(USER_CHAIN, s)), [], w.last.userChain !== undefined));
    w.userChainCreated = true;
  }
}

/** netform's rules in built-in chains (anchors.ts): deleted and inserted one by one. */
function builtinChains(w: Work): void {
  const { i, live, now, last } = w;
  const chains = new Set([...Object.keys(i.desired.anchors), ...Object.keys(now.anchors)]);
  for (const chain of [...chains].sort()) {
    const own = w.ownership(chain);
    const ownedSpec = (s: string) => own.known.has(s) || (!own.preexisting.has(s) && isOwnedChain(jumpTarget(s) ?? ''));
    const liveSpecs = live.rules.filter((r) => r.chain === chain).map((r) => r.spec);
    const edit = planAnchors(liveSpecs, ownedSpec, i.desired.anchors[chain] ?? [], (s) => anchorMode(i.table, chain, s));
    if (!edit) continue;
    w.dels.push(...edit.deletes.map((s) => (s ? `-D ${chain} ${s}` : `-D ${chain}`)));
    w.ins.push(...edit.inserts.map((x) => (x.at === 'append' ? lineOf(chain, x.spec) : `-I ${chain} ${x.at}${x.spec ? ` ${x.spec}` : ''}`)));
    w.changes.push({
      id: idOf(w, 'rules', chain),
      kind: 'rules',
      label: labelOf(w, 'rules', chain),
      action: 'update',
      added: edit.inserts.map((x) => lineOf(chain, x.spec)),
      removed: edit.deletes.map((s) => lineOf(chain, s)),
      drift: i.last !== undefined && !same(now.anchors[chain] ?? [], last.anchors[chain] ?? []),
    });
  }
}

/**
 * Owned chains no longer wanted: flushed, then deleted unless a foreign rule still jumps to them (then
 * kept empty, with a warning); DOCKER-USER only when netform made it and it is still empty.
 */
function staleChains(w: Work): void {
  const { i, now } = w;
  const refs = foreignReferences(w.live, now);
  for (const name of Object.keys(now.chains).sort()) {
    if (i.desired.chains[name]) continue;
    const blocked = refs.filter((r) => r.target === name);
    w.decl.push(`:${name} - [0:0]`);
    const removed = now.chains[name]!.map((s) => lineOf(name, s));
    if (blocked.length) {
      for (const r of blocked) w.warnings.push(`${w.fam} ${i.table}: ${lineOf(r.chain, r.spec)} jumps to ${name}, which netform no longer wants: the chain is emptied but kept until that rule goes`);
      w.afterChains[name] = [];
      if (removed.length) w.changes.push(chainChange(w, name, 'update', [], removed, false, 'kept empty: a foreign rule jumps to it'));
    } else {
      w.xs.push(`-X ${name}`);
      w.changes.push(chainChange(w, name, 'delete', [], removed, w.last.chains[name] === undefined));
    }
  }
  if (!i.desired.userChain && now.userChain !== undefined && i.userChainCreated) {
    const jumps = refs.filter((r) => r.target === USER_CHAIN);
    if (now.userChain.length === 0 && jumps.length === 0) {
      w.xs.push(`-X ${USER_CHAIN}`);
      w.changes.push(chainChange(w, USER_CHAIN, 'delete', [], [], false));
      w.userChainCreated = false;
    } else {
      w.warnings.push(`${w.fam} ${i.table}: ${USER_CHAIN} holds ${now.userChain.length} rule(s) of yours${jumps.length ? ' and other rules jump to it' : ''}: kept`);
    }
  }
  for (const r of refs) if (i.desired.chains[r.target]) w.warnings.push(`${w.fam} ${i.table}: a rule outside netform's chains jumps to ${r.target}: ${lineOf(r.chain, r.spec)}`);
}

export function planTable(i: TableInput): TablePlan {
  const live: SavedTable = i.live ?? { name: i.table, chains: [], rules: [] };
  const last = i.last ?? EMPTY;
  const ownership = (chain: string): AnchorOwnership => {
    const wanted = new Set(i.desired.anchors[chain] ?? []);
    const pre = new Set((i.preexisting[chain] ?? []).filter((s) => !wanted.has(s)));
    return { known: new Set([...wanted, ...(last.anchors[chain] ?? [])].filter((s) => !pre.has(s))), preexisting: pre };
  };
  const managed = new Set([...Object.keys(i.desired.policies), ...Object.keys(i.policyBefore)]);
  const now = liveOwnedTable(live, ownership, managed);
  const w: Work = {
    i,
    fam: i.family === 4 ? 'ip' : 'ip6',
    live,
    last,
    now,
    ownership,
    decl: [],
    fill: [],
    dels: [],
    ins: [],
    xs: [],
    changes: [],
    warnings: [],
    afterChains: { ...i.desired.chains },
    userChainCreated: i.userChainCreated,
  };
  wantedChains(w);
  // Anchors before stale chains go: a chain can only be deleted once nothing of netform's jumps to it.
  builtinChains(w);
  staleChains(w);
  const policy = planPolicies(i, live, now, w.fam, (k, n) => idOf(w, k, n), (k, n) => labelOf(w, k, n));
  w.changes.push(...policy.changes);

  const lines = [...w.decl, ...policy.lines, ...w.fill, ...w.dels, ...w.ins, ...w.xs];
  const foreignLeft =
    live.chains.some((c) => c.policy === '-' && !isOwnedChain(c.name)) ||
    (now.userChain !== undefined && !w.xs.includes(`-X ${USER_CHAIN}`)) ||
    live.rules.some((r) => !isOwnedChain(r.chain) && !now.anchors[r.chain]?.includes(r.spec)) ||
    live.chains.some((c) => c.policy !== '-' && (policy.restored[c.name] ?? c.policy) !== 'ACCEPT');
  const wantsNothing = !Object.keys(i.desired.chains).length && !Object.keys(i.desired.anchors).length && !Object.keys(i.desired.policies).length && !i.desired.userChain;
  const after: OwnedTable = {
    chains: w.afterChains,
    anchors: i.desired.anchors,
    policies: policy.after,
    ...(i.desired.userChain || (now.userChain !== undefined && w.userChainCreated) ? { userChain: [] } : {}),
  };
  return {
    lines,
    changes: w.changes,
    warnings: w.warnings,
    notes: policy.notes,
    after,
    userChainCreated: w.userChainCreated,
    policyBefore: policy.before,
    leftEmpty: wantsNothing && !foreignLeft && !Object.keys(w.afterChains).length,
  };
}

/**
 * Built-in policies: dockerd sets `-P FORWARD DROP` only when it turned forwarding on itself
 * (setup_ip_forwarding.go setupIPv4Forwarding, FilterForwardDrop); netform does the same, records the
 * policy it replaced, and puts that back when it leaves, unless someone changed the policy since.
 */
function planPolicies(i: TableInput, live: SavedTable, now: OwnedTable, fam: string, id: (k: string, n: string) => string, label: (k: string, n: string) => string) {
  const lines: string[] = [];
  const changes: FirewallChange[] = [];
  const notes: string[] = [];
  const before: Record<string, string> = { ...i.policyBefore };
  const after: Record<string, string> = {};
  /** Policies this plan puts back. */
  const restored: Record<string, string> = {};
  const livePolicy = (c: string) => live.chains.find((x) => x.name === c)?.policy ?? 'ACCEPT';
  for (const [c, want] of Object.entries(i.desired.policies)) {
    const cur = livePolicy(c);
    const managedBefore = c in before;
    if (cur === want) {
      if (managedBefore) after[c] = want;
      continue;
    }
    if (!managedBefore && i.table === 'filter' && c === 'FORWARD' && i.forwardingWasOn) {
      notes.push(`${fam} filter FORWARD policy stays ${cur}: forwarding was already on, and dockerd sets DROP only when it turns forwarding on itself`);
      continue;
    }
    lines.push(`:${c} ${want} [0:0]`);
    if (!managedBefore) before[c] = cur;
    after[c] = want;
    changes.push({
      id: id('policy', c),
      kind: 'policy',
      label: label('policy', c),
      action: 'update',
      added: [`-P ${c} ${want}`],
      removed: [`-P ${c} ${cur}`],
      drift: managedBefore && now.policies[c] !== undefined,
      note: managedBefore ? 'set again (changed since the last apply)' : 'as dockerd sets it when it turns forwarding on',
    });
  }
  for (const [c, prev] of Object.entries(i.policyBefore)) {
    if (i.desired.policies[c] !== undefined) continue;
    delete before[c];
    const cur = livePolicy(c);
    if (cur === prev) continue;
    if (i.last?.policies[c] !== undefined && cur !== i.last.policies[c]) {
      notes.push(`${fam} ${i.table} ${c} policy stays ${cur}: it was changed after netform set it`);
      continue;
    }
    lines.push(`:${c} ${prev} [0:0]`);
    restored[c] = prev;
    changes.push({ id: id('policy', c), kind: 'policy', label: label('policy', c), action: 'update', added: [`-P ${c} ${prev}`], removed: [`-P ${c} ${cur}`], drift: false, note: 'put back as it was before netform' });
  }
  return { lines, changes, notes, before, after, restored };
}
