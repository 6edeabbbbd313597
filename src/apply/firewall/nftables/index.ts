// The nftables applier (`firewall-backend: nftables`). Docker's own tables (`ip|ip6 docker-bridges`,
// `ip|ip6 docker-overlay`) are netform's whole: a table that differs from the build is replaced
// (`table` + `delete table` + `table {...}`), one no longer wanted deleted, and every table that
// changes is in one `nft -f`, which the kernel commits as one transaction across tables and families.
// No `flush ruleset`, and no table of iptables-nft or of another tool is ever named, read or written.
// The iptables rules an nftables build keeps beside the tables (netform's own NETFORM-SWARM chain) go
// through the iptables applier, as do the Docker chains an earlier apply on the iptables backend left.
import { createHash } from 'node:crypto';
import type { FirewallRules, IptablesRules, NftablesRules } from '../../../firewall/backend.ts';
import { ApplyError } from '../../errors.ts';
import type { System } from '../../system.ts';
import type { FirewallApplier, FirewallContext, FirewallPlan, FirewallTransaction, LiveFirewall } from '../applier.ts';
import { iptablesApplier } from '../iptables/index.ts';
import { parseListing, readCommand, sameListing, splitRead, type NftListing } from './listing.ts';
import { planTables } from './plan-tables.ts';

/** What the state directory keeps of the nftables part. */
export interface NftablesApplied {
  readonly backend: 'nftables';
  /** `ip docker-bridges` -> the table as applied, normalised. */
  readonly tables: Readonly<Record<string, NftListing>>;
  /** The iptables applier's record of the rules kept beside the tables. */
  readonly iptables?: unknown;
}

const asApplied = (last: unknown): NftablesApplied | undefined => (last && (last as NftablesApplied).backend === 'nftables' ? (last as NftablesApplied) : undefined);

/** The iptables part's last apply: the kept rules' record, or a whole apply made on the iptables backend. */
const iptablesLast = (last: unknown): unknown => ((last as { backend?: string } | null | undefined)?.backend === 'iptables' ? last : asApplied(last)?.iptables);

function rulesOf(desired: FirewallRules | undefined): NftablesRules | undefined {
  if (!desired) return undefined;
  if (desired.backend !== 'nftables') throw new ApplyError(`netform: the nftables applier cannot apply ${desired.backend} rules`);
  return desired;
}

/** The iptables rules of an nftables build, as the iptables applier takes them. */
const keptIptables = (r: NftablesRules | undefined): IptablesRules | undefined => (r?.iptables ? { backend: 'iptables', ...r.iptables } : undefined);

/** The iptables applier's view of the live rules: the iptables parts of the read. */
const iptablesLive = (live: LiveFirewall): LiveFirewall => ({ backend: 'iptables', text: Object.fromEntries(Object.entries(live.text).filter(([part]) => part !== 'nft')) });

/** Table name -> normalised listing, from the read's nft part. */
function liveTables(live: LiveFirewall): Map<string, NftListing> {
  const out = new Map<string, NftListing>();
  for (const [name, text] of splitRead(live.text['nft'] ?? '')) {
    const l = parseListing(text);
    if (l) out.set(name, l);
  }
  return out;
}

function plan(desired: FirewallRules | undefined, live: LiveFirewall, lastRaw: unknown, context: FirewallContext): FirewallPlan {
  const rules = rulesOf(desired);
  const last = asApplied(lastRaw);
  if (live.text['nft'] === undefined) throw new ApplyError('netform: the nft tables were not read');
  const have = liveTables(live);
  const t = planTables(rules?.tables ?? [], have, last?.tables);
  // dockerd's nftabler makes these tables at start and changes them with every network and container.
  const found = Object.keys(t.after).filter((name) => have.has(name) && !last?.tables[name]);
  const notes = found.map((name) => `${name} was on the host before netform applied it (a dockerd with firewall-backend nftables makes it): netform replaces it whole, and a running dockerd would change it again`);
  const ipt = iptablesApplier.plan(keptIptables(rules), iptablesLive(live), iptablesLast(lastRaw), context);
  const load: FirewallTransaction[] = t.input ? [{ name: `nft ${t.touched.join(', ')}`, tables: t.touched, input: t.input, tool: 'nft-load' }] : [];
  return {
    backend: 'nftables',
    changes: [...t.changes, ...ipt.changes],
    transactions: [...load, ...ipt.transactions],
    warnings: ipt.warnings,
    notes: [...notes, ...ipt.notes],
    after: { backend: 'nftables', tables: t.after, ...(ipt.after ? { iptables: ipt.after } : {}) } satisfies NftablesApplied,
  };
}

function nft(system: System, input: string, what: string): string | undefined {
  const r = system.run(['nft', '-f', '-'], { where: 'host', input });
  return r.status === 0 ? undefined : `nft -f (${what}) exited ${r.status}: ${r.stderr.trim()}`;
}

function commit(system: System, t: FirewallTransaction): string | undefined {
  if (t.tool !== 'nft-load') return iptablesApplier.commit(system, t);
  return nft(system, t.input, t.name);
}

/**
 * The `nft -f` input that puts netform's tables back as `was` (the read before the apply) had them,
 * given `is` (the read now) and the tables a transaction wrote: each listing as printed reloads byte
 * for byte, counters included, and a table that was not there is deleted. A table made again goes to
 * the end of the kernel's list, so every table of netform's that came after the first one rewritten is
 * made again too, in the order it had (an untouched one from its listing now, with its counters now).
 * Empty when the written tables are as they were: the transaction was refused and changed nothing.
 */
export function rollbackInput(was: ReadonlyMap<string, string>, is: ReadonlyMap<string, string>, touched: readonly string[]): string {
  const same = (name: string) => {
    const then = was.get(name);
    const now = is.get(name);
    return then === undefined ? now === undefined : now !== undefined && sameListing(parseListing(then), parseListing(now));
  };
  if (touched.every(same)) return '';
  const order = [...was.keys()];
  const first = order.findIndex((n) => touched.includes(n));
  const remake = first < 0 ? [] : order.slice(first).filter((n) => touched.includes(n) || is.has(n));
  const gone = touched.filter((n) => !was.has(n) && is.has(n));
  return [...gone.map((n) => `table ${n}\ndelete table ${n}\n`), ...remake.map((n) => `table ${n}\ndelete table ${n}\n${touched.includes(n) ? was.get(n)! : is.get(n)!}`)].join('');
}

/** Puts back the tables a committed (or refused) nft transaction wrote, as `before` had them. */
function rollback(system: System, t: FirewallTransaction, before: LiveFirewall): string | undefined {
  if (t.tool !== 'nft-load') return iptablesApplier.rollback(system, t, iptablesLive(before));
  const read = system.run(['sh', '-c', readCommand()], { where: 'host' });
  if (read.status !== 0) return `reading the nft tables exited ${read.status}: ${read.stderr.trim()}`;
  const input = rollbackInput(splitRead(before.text['nft'] ?? ''), splitRead(read.stdout), t.tables ?? []);
  return input ? nft(system, input, `${t.name}, rollback`) : undefined;
}

export const nftablesApplier: FirewallApplier = {
  backend: 'nftables',
  readCommands(desired, last) {
    return { nft: readCommand(), ...iptablesApplier.readCommands(keptIptables(rulesOf(desired)), iptablesLast(last)) };
  },
  plan,
  commit,
  rollback,
  fingerprint(live) {
    const h = createHash('sha256');
    h.update(JSON.stringify([...liveTables(live)]));
    h.update(iptablesApplier.fingerprint(iptablesLive(live)));
    return h.digest('hex');
  },
};
