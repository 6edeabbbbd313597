// What netform owns of an iptables ruleset, as data comparable between the desired rules, the live
// kernel and the last apply: Docker's chains (DOCKER, DOCKER-*) and netform's own (NETFORM-*) with their
// rules, the rules it keeps in built-in chains ("anchors": jumps, MASQUERADE, raw drops), in order, and
// the built-in policies it manages. DOCKER-USER is Docker's chain for the user's own rules: dockerd
// creates it when missing and never flushes it (libnetwork firewall_linux.go setupUserChain), so its
// contents are nobody's to compare.
import { BUILTIN_CHAINS } from '../../../firewall/iptables/ruleset-builder.ts';
import { appendLine, tablesOf, tableView } from '../../../firewall/iptables/text/index.ts';
import type { Ruleset, TableName } from '../../../firewall/iptables/types.ts';
import { jumpTarget, type SavedTable } from './saved.ts';

/** Chains netform owns by name. */
export const isOwnedChain = (name: string): boolean => /^DOCKER(-|$)/.test(name) || name.startsWith('NETFORM-');

/** The owned chain whose contents belong to the user. */
export const USER_CHAIN = 'DOCKER-USER';

export interface OwnedTable {
  /** Owned chains (DOCKER-USER excluded) and their rules' specs, in order. */
  readonly chains: Readonly<Record<string, readonly string[]>>;
  /** Built-in chain -> the owned rules in it (specs), in order. */
  readonly anchors: Readonly<Record<string, readonly string[]>>;
  /** Built-in chain -> policy, for the policies netform sets (only non-ACCEPT ones are ever wanted). */
  readonly policies: Readonly<Record<string, string>>;
  /** DOCKER-USER when the table has it, with the rules it is created with (never compared afterwards). */
  readonly userChain?: readonly string[];
}

/** One family's owned part, by table name. */
export type OwnedFamily = Readonly<Record<string, OwnedTable>>;

const isBuiltin = (table: string, chain: string): boolean => (BUILTIN_CHAINS[table as TableName] ?? []).includes(chain);

const specOf = (line: string, chain: string): string => line.slice(`-A ${chain}`.length + 1);

/** The desired owned part of a build's ruleset (one family). */
export function desiredOwned(rs: Ruleset): OwnedFamily {
  const out: Record<string, OwnedTable> = {};
  for (const name of tablesOf(rs)) {
    const view = tableView(rs, name);
    const chains: Record<string, string[]> = {};
    const anchors: Record<string, string[]> = {};
    const policies: Record<string, string> = {};
    let userChain: string[] | undefined;
    for (const c of view.builtins) {
      if (c.rules.length) anchors[c.name] = c.rules.map((r) => specOf(appendLine(r, rs.family), c.name));
      if (c.policy && c.policy !== 'ACCEPT') policies[c.name] = c.policy;
    }
    for (const c of view.userChains) {
      if (!isOwnedChain(c.name)) throw new Error(`netform: the build's chain ${c.name} (${name}) is not one netform owns (DOCKER*, NETFORM-*)`);
      const specs = c.rules.map((r) => specOf(appendLine(r, rs.family), c.name));
      if (c.name === USER_CHAIN) userChain = specs;
      else chains[c.name] = specs;
    }
    out[name] = { chains, anchors, policies, ...(userChain ? { userChain } : {}) };
  }
  return out;
}

/** What decides that a rule of a built-in chain is netform's. */
export interface AnchorOwnership {
  /** Specs netform wants or last applied in this chain. */
  readonly known: ReadonlySet<string>;
  /** Specs that were there before netform's first apply (they stay when netform leaves). */
  readonly preexisting: ReadonlySet<string>;
}

/**
 * A rule of a built-in chain is netform's when netform wants it or applied it, or when it jumps to an
 * owned chain (a leftover of an earlier apply, or of a dockerd) and was not there before netform came.
 */
export function isOwnedAnchor(spec: string, own: AnchorOwnership): boolean {
  if (own.known.has(spec)) return true;
  const to = jumpTarget(spec);
  return to !== undefined && isOwnedChain(to) && !own.preexisting.has(spec);
}

/** The live owned part of one saved table. `ownership(chain)` says which built-in rules are netform's. */
export function liveOwnedTable(t: SavedTable, ownership: (chain: string) => AnchorOwnership, managedPolicies: ReadonlySet<string>): OwnedTable {
  const chains: Record<string, string[]> = {};
  const anchors: Record<string, string[]> = {};
  const policies: Record<string, string> = {};
  let userChain: string[] | undefined;
  for (const c of t.chains) {
    if (c.name === USER_CHAIN) userChain = [];
    else if (isOwnedChain(c.name)) chains[c.name] = [];
    else if (isBuiltin(t.name, c.name) && managedPolicies.has(c.name)) policies[c.name] = c.policy;
  }
  const ownedBy = new Map<string, AnchorOwnership>();
  for (const r of t.rules) {
    if (r.chain === USER_CHAIN) userChain!.push(r.spec);
    else if (chains[r.chain]) chains[r.chain]!.push(r.spec);
    else if (isBuiltin(t.name, r.chain)) {
      let own = ownedBy.get(r.chain);
      if (!own) ownedBy.set(r.chain, (own = ownership(r.chain)));
      if (isOwnedAnchor(r.spec, own)) (anchors[r.chain] ??= []).push(r.spec);
    }
  }
  return { chains, anchors, policies, ...(userChain ? { userChain } : {}) };
}

/**
 * Rules outside netform's part that jump to an owned chain (a foreign chain such as ufw-docker's
 * ufw-user-forward, or the user's DOCKER-USER): `chain -> target` with the rule.
 */
export function foreignReferences(t: SavedTable, own: OwnedTable): { chain: string; spec: string; target: string }[] {
  const out: { chain: string; spec: string; target: string }[] = [];
  for (const r of t.rules) {
    const to = jumpTarget(r.spec);
    if (to === undefined || !isOwnedChain(to) || to === USER_CHAIN) continue;
    if (own.chains[r.chain]) continue;
    if (own.anchors[r.chain]?.includes(r.spec)) continue;
    out.push({ chain: r.chain, spec: r.spec, target: to });
  }
  return out;
}

/** Everything of a saved table that is not netform's, as text without counters (to compare before and after). */
export function foreignText(t: SavedTable, own: OwnedTable): string {
  const out = [`*${t.name}`];
  // DOCKER-USER's rules are the user's; the chain itself may be netform's (dockerd makes it when missing).
  for (const c of t.chains) if (!isOwnedChain(c.name)) out.push(`:${c.name} ${own.policies[c.name] !== undefined ? '*' : c.policy}`);
  const anchorsLeft = new Map(Object.entries(own.anchors).map(([k, v]) => [k, [...v]]));
  for (const r of t.rules) {
    if (own.chains[r.chain]) continue;
    const left = anchorsLeft.get(r.chain);
    const i = left ? left.indexOf(r.spec) : -1;
    if (i >= 0) {
      left!.splice(i, 1);
      continue;
    }
    out.push(r.spec ? `-A ${r.chain} ${r.spec}` : `-A ${r.chain}`);
  }
  return out.join('\n');
}
