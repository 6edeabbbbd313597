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

export function planTable(i: TableInput): TablePlan {
  const fam = i.family === 4 ? 'ip' : 'ip6';
  const live: SavedTable = i.live ?? { name: i.table, chains: [], rules: [] };
  const last = i.last ?? EMPTY;
  const ownership = (chain: string): AnchorOwnership => {
    const wanted = new Set(i.desired.anchors[chain] ?? []);
    const pre = new Set((i.preexisting[chain] ?? []).filter((s) => !wanted.has(s)));
    return { known: new Set([...wanted, ...(last.anchors[chain] ?? [])].filter((s) => !pre.has(s))), preexisting: pre };
  };
  const managed = new Set([...Object.keys(i.desired.policies), ...Object.keys(i.policyBefore)]);
  const now = liveOwnedTable(live, ownership, managed);
  const id = (kind: string, name: string) => `iptables/${fam}/${i.table}/${kind}/${name}`;
  const label = (kind: string, name: string) => `${kind} ${fam} ${i.table} ${name}`;
  const decl: string[] = [];
  const policyLines: string[] = [];
  const fill: string[] = [];
  const dels: string[] = [];
  const ins: string[] = [];
  const xs: string[] = [];
  const changes: FirewallChange[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  const afterChains: Record<string, readonly string[]> = { ...i.desired.chains };

  // Owned chains the build wants.
  for (const [name, specs] of Object.entries(i.desired.chains)) {
    const have = now.chains[name];
    if (same(have, specs)) continue;
    decl.push(`:${name} - [0:0]`);
    fill.push(...specs.map((s) => lineOf(name, s)));
    const d = lineDiff((have ?? []).map((s) => lineOf(name, s)), specs.map((s) => lineOf(name, s)));
    changes.push({ id: id('chain', name), kind: 'chain', label: label('chain', name), action: have ? 'update' : 'create', ...d, drift: have !== undefined && last.chains[name] !== undefined && !same(have, last.chains[name]) });
  }
  // DOCKER-USER: made when missing, with the rules dockerd gives it then; never flushed afterwards.
  let userChainCreated = i.userChainCreated;
  if (i.desired.userChain && now.userChain === undefined) {
    decl.push(`:${USER_CHAIN} - [0:0]`);
    fill.push(...i.desired.userChain.map((s) => lineOf(USER_CHAIN, s)));
    changes.push({ id: id('chain', USER_CHAIN), kind: 'chain', label: label('chain', USER_CHAIN), action: 'create', added: i.desired.userChain.map((s) => lineOf(USER_CHAIN, s)), removed: [], drift: last.userChain !== undefined });
    userChainCreated = true;
  }

  // Anchors: first, because a stale chain can only go once nothing of netform's jumps to it.
  const builtins = new Set([...Object.keys(i.desired.anchors), ...Object.keys(now.anchors)]);
  for (const chain of [...builtins].sort()) {
    const own = ownership(chain);
    const ownedSpec = (s: string) => own.known.has(s) || (!own.preexisting.has(s) && isOwnedChain(jumpTarget(s) ?? ''));
    const liveSpecs = live.rules.filter((r) => r.chain === chain).map((r) => r.spec);
    const edit = planAnchors(liveSpecs, ownedSpec, i.desired.anchors[chain] ?? [], (s) => anchorMode(i.table, chain, s));
    if (!edit) continue;
    dels.push(...edit.deletes.map((s) => (s ? `-D ${chain} ${s}` : `-D ${chain}`)));
    ins.push(...edit.inserts.map((x) => (x.at === 'append' ? lineOf(chain, x.spec) : `-I ${chain} ${x.at}${x.spec ? ` ${x.spec}` : ''}`)));
    changes.push({
      id: id('rules', chain),
      kind: 'rules',
      label: label('rules', chain),
      action: 'update',
      added: edit.inserts.map((x) => lineOf(chain, x.spec)),
      removed: edit.deletes.map((s) => lineOf(chain, s)),
      drift: i.last !== undefined && !same(now.anchors[chain] ?? [], last.anchors[chain] ?? []),
    });
  }

  // Owned chains no longer wanted: flushed, then deleted unless a foreign rule still jumps to them.
  const refs = foreignReferences(live, now);
  for (const name of Object.keys(now.chains).sort()) {
    if (i.desired.chains[name]) continue;
    const blocked = refs.filter((r) => r.target === name);
    decl.push(`:${name} - [0:0]`);
    const removed = now.chains[name]!.map((s) => lineOf(name, s));
    if (blocked.length) {
      for (const r of blocked) warnings.push(`${fam} ${i.table}: ${lineOf(r.chain, r.spec)} jumps to ${name}, which netform no longer wants: the chain is emptied but kept until that rule goes`);
      afterChains[name] = [];
      if (removed.length) changes.push({ id: id('chain', name), kind: 'chain', label: label('chain', name), action: 'update', added: [], removed, drift: false, note: 'kept empty: a foreign rule jumps to it' });
    } else {
      xs.push(`-X ${name}`);
      changes.push({ id: id('chain', name), kind: 'chain', label: label('chain', name), action: 'delete', added: [], removed, drift: last.chains[name] === undefined });
    }
  }
  // DOCKER-USER when netform leaves: deleted if netform made it and it is still empty.
  if (!i.desired.userChain && now.userChain !== undefined && i.userChainCreated) {
    const jumps = refs.filter((r) => r.target === USER_CHAIN);
    if (now.userChain.length === 0 && jumps.length === 0) {
      xs.push(`-X ${USER_CHAIN}`);
      changes.push({ id: id('chain', USER_CHAIN), kind: 'chain', label: label('chain', USER_CHAIN), action: 'delete', added: [], removed: [], drift: false });
      userChainCreated = false;
    } else {
      warnings.push(`${fam} ${i.table}: ${USER_CHAIN} holds ${now.userChain.length} rule(s) of yours${jumps.length ? ' and other rules jump to it' : ''}: kept`);
    }
  }
  for (const r of refs) if (i.desired.chains[r.target]) warnings.push(`${fam} ${i.table}: a rule outside netform's chains jumps to ${r.target}: ${lineOf(r.chain, r.spec)}`);

  const policy = planPolicies(i, live, now, fam, id, label);
  policyLines.push(...policy.lines);
  changes.push(...policy.changes);
  notes.push(...policy.notes);

  const lines = [...decl, ...policyLines, ...fill, ...dels, ...ins, ...xs];
  const dropsUserChain = xs.includes(`-X ${USER_CHAIN}`);
  const foreignLeft =
    live.chains.some((c) => c.policy === '-' && !isOwnedChain(c.name)) ||
    (now.userChain !== undefined && !dropsUserChain) ||
    live.rules.some((r) => !isOwnedChain(r.chain) && !now.anchors[r.chain]?.includes(r.spec)) ||
    live.chains.some((c) => c.policy !== '-' && (policy.restored[c.name] ?? c.policy) !== 'ACCEPT');
  const wantsNothing = !Object.keys(i.desired.chains).length && !Object.keys(i.desired.anchors).length && !Object.keys(i.desired.policies).length && !i.desired.userChain;
  const after: OwnedTable = {
    chains: afterChains,
    anchors: i.desired.anchors,
    policies: policy.after,
    ...(i.desired.userChain || (now.userChain !== undefined && userChainCreated) ? { userChain: [] } : {}),
  };
  return { lines, changes, warnings, notes, after, userChainCreated, policyBefore: policy.before, leftEmpty: wantsNothing && !foreignLeft && !Object.keys(afterChains).length };
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
