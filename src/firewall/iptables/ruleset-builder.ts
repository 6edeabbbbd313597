// An ordered rule store with the semantics of the iptables calls dockerd makes
// (daemon/libnetwork/iptables/iptables.go, Docker 29; the same in v27.5.1 and v20.10.24: iptRule.Insert/
// Append and ProgramRule check with -C, EnsureJumpRule deletes and re-inserts):
//   - Rule.Append / Rule.Insert check with `-C` first, so adding a rule that is already anywhere in the
//     chain is a no-op (the first copy keeps its place and its origin);
//   - EnsureJumpRule deletes the jump if present, then inserts it at the head of the chain;
//   - NewChain creates a chain only if it does not exist yet.
// Rules are compared as iptables -C compares them: on the canonical form of their matches and target
// (see ruleKey), not on the text used to create them.
import { inetCidr, isAnyCidr } from '../../net/index.ts';
import type { AddressMatch, IpFamily, MatchModule, RuleMatch, RuleTarget, SourcePath } from '../types.ts';
import { RulePieces } from './pieces.ts';
import type { Chain, Rule, Ruleset, TableName } from './types.ts';

/** Built-in chains of each table, in the order the kernel (and iptables-save) lists them. */
export const BUILTIN_CHAINS: { readonly [T in TableName]: readonly string[] } = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

export const isBuiltinChain = (table: TableName, chain: string): boolean => BUILTIN_CHAINS[table].includes(chain);

/**
 * A chain's rules as a double-ended list with an index of rule keys, so that `-C`, `-I` and `-A` are
 * O(1): a daemon with 100,000 endpoints inserts 100,000 rules at the head of DOCKER, and an array
 * unshift plus a linear `-C` scan per rule would make that quadratic.
 */
class RuleList {
  constructor(private readonly keyOf: (rule: Rule) => string) {}

  /** Rules inserted at the head, most recent last (so the chain starts with head reversed). */
  private readonly head: Rule[] = [];
  private readonly tail: Rule[] = [];
  private readonly keys = new Map<string, number>();

  has(key: string): boolean {
    return this.keys.has(key);
  }

  private count(key: string, delta: number): void {
    const n = (this.keys.get(key) ?? 0) + delta;
    if (n > 0) this.keys.set(key, n);
    else this.keys.delete(key);
  }

  pushFront(rule: Rule, key: string): void {
    this.head.push(rule);
    this.count(key, 1);
  }

  /** `-C`, then `-A` (back) or `-I` (front) when absent, with one lookup; true when the rule was added. */
  addNew(rule: Rule, key: string, front: boolean): boolean {
    if (this.keys.has(key)) return false;
    this.keys.set(key, 1);
    (front ? this.head : this.tail).push(rule);
    return true;
  }

  /** Removes the first rule (in chain order) with this key; rare (EnsureJumpRule), so linear. */
  remove(key: string): boolean {
    if (!this.keys.has(key)) return false;
    for (let i = this.head.length - 1; i >= 0; i--) {
      if (this.keyOf(this.head[i]!) === key) {
        this.head.splice(i, 1);
        this.count(key, -1);
        return true;
      }
    }
    const j = this.tail.findIndex((r) => this.keyOf(r) === key);
    this.tail.splice(j, 1);
    this.count(key, -1);
    return true;
  }

  toArray(): Rule[] {
    return [...this.head].reverse().concat(this.tail);
  }
}

interface MutableChain {
  readonly table: TableName;
  readonly name: string;
  policy?: 'ACCEPT' | 'DROP';
  readonly rules: RuleList;
}

const optionalNumber = (n: number | undefined): string => (n === undefined ? '' : String(n));

/** A match module's identity: its kind and values (the order of fields is fixed by the type). */
function moduleText(m: MatchModule): string {
  switch (m.kind) {
    case 'tcp':
    case 'udp':
    case 'sctp':
      return `${m.kind}(${optionalNumber(m.sport)}:${optionalNumber(m.dport)})`;
    case 'conntrack':
      return `${m.module ?? 'conntrack'}(${m.states.join(',')})`;
    case 'addrtype':
      return `addrtype(${m.srcType ?? ''}:${m.dstType ?? ''})`;
    case 'mark':
      return `mark(${m.mark}/${m.mask})`;
    case 'bpf':
      return `bpf(${m.vxlanVni})`;
    case 'policy':
      return `policy(${m.dir}:${m.pol})`;
    case 'ipvs':
      return 'ipvs()';
  }
}

function targetText(t: RuleTarget): string {
  switch (t.kind) {
    case 'jump':
      return `jump(${t.chain})`;
    case 'snat':
      return `snat(${t.toSource})`;
    case 'dnat':
      return `dnat(${t.toAddress}:${t.toPort})`;
    case 'redirect':
      return `redirect(${t.toPort})`;
    case 'set-mark':
      return `set-mark(${t.mark}/${t.mask})`;
    default:
      return t.kind;
  }
}

/** The identity of a rule within its chain, as `iptables -C` sees it; pieces' keys are remembered by `pieces`. */
export function ruleKey(match: RuleMatch, target: RuleTarget, pieces: RulePieces = new RulePieces()): string {
  const addr = (a: AddressMatch | undefined): string =>
    a
      ? pieces.keyOf(a, (x) => {
          const cidr = inetCidr(x.cidr);
          // `-d 0/0` matches everything: iptables stores no address match at all.
          return isAnyCidr(cidr) && !x.negate ? '' : `${x.negate ? '!' : ''}${cidr}`;
        })
      : '';
  const negated = (x: { readonly name: string; readonly negate?: boolean } | undefined): string =>
    x ? (x.negate ? pieces.keyOf(x, (y) => `!${y.name}`) : x.name) : '';
  const modules = (ms: readonly MatchModule[] | undefined): string =>
    ms ? pieces.keyOf(ms, (x) => x.map((m) => pieces.keyOf(m, moduleText)).join(' ')) : '';
  return [
    addr(match.source),
    addr(match.destination),
    negated(match.inInterface),
    negated(match.outInterface),
    negated(match.protocol),
    modules(match.modules),
    pieces.keyOf(target, targetText),
  ].join('|');
}

export class RulesetBuilder {
  private readonly tables = new Map<TableName, Map<string, MutableChain>>();

  constructor(
    readonly family: IpFamily,
    /** The shared pieces rules are built from; one per firewall build. */
    readonly pieces: RulePieces = new RulePieces(),
  ) {}

  private readonly key = (rule: Rule): string => ruleKey(rule.match, rule.target, this.pieces);

  /** Makes a table exist with its built-in chains (policy ACCEPT), as the kernel does on first use. */
  useTable(table: TableName): void {
    if (this.tables.has(table)) return;
    const chains = new Map<string, MutableChain>();
    for (const name of BUILTIN_CHAINS[table]) chains.set(name, { table, name, policy: 'ACCEPT', rules: new RuleList(this.key) });
    this.tables.set(table, chains);
  }

  private chain(table: TableName, name: string): MutableChain {
    this.useTable(table);
    const chain = this.tables.get(table)!.get(name);
    if (!chain) throw new Error(`iptables: chain ${name} does not exist in table ${table} (IPv${this.family})`);
    return chain;
  }

  hasChain(table: TableName, name: string): boolean {
    return this.tables.get(table)?.has(name) ?? false;
  }

  /** NewChain: `-N` unless the chain already exists. */
  newChain(table: TableName, name: string): void {
    this.useTable(table);
    const chains = this.tables.get(table)!;
    if (!chains.has(name)) chains.set(name, { table, name, rules: new RuleList(this.key) });
  }

  /** iptables refuses a jump to a chain that does not exist in the table (kube-proxy checks the same). */
  private checkTarget(rule: Rule): void {
    const t = rule.target;
    if (t.kind === 'jump' && !this.hasChain(rule.table, t.chain)) {
      throw new Error(`iptables: jump from ${rule.chain} to unknown chain ${t.chain} in table ${rule.table} (IPv${this.family})`);
    }
  }

  /** `iptables -C`. */
  exists(rule: Rule): boolean {
    return this.chain(rule.table, rule.chain).rules.has(this.key(rule));
  }

  /** Rule.Append: `-C`, then `-A` when absent. Returns true when the rule was added. */
  append(rule: Rule): boolean {
    this.checkTarget(rule);
    return this.chain(rule.table, rule.chain).rules.addNew(rule, this.key(rule), false);
  }

  /** Rule.Insert: `-C`, then `-I` (head of chain) when absent. Returns true when the rule was added. */
  insert(rule: Rule): boolean {
    this.checkTarget(rule);
    return this.chain(rule.table, rule.chain).rules.addNew(rule, this.key(rule), true);
  }

  /** Rule.Delete: `-C`, then `-D` when present. */
  delete(rule: Rule): boolean {
    return this.chain(rule.table, rule.chain).rules.remove(this.key(rule));
  }

  /** EnsureJumpRule: delete the jump `from -> to` if present, then insert it at the head of `from`. */
  ensureJump(table: TableName, from: string, to: string, origin?: SourcePath): void {
    this.chain(table, to); // the target chain must exist, as iptables requires
    const jump = makeRule(table, from, {}, this.pieces.jump(to), origin);
    this.delete(jump);
    this.chain(table, from).rules.pushFront(jump, this.key(jump));
  }

  /** `-P CHAIN POLICY` on a built-in chain. */
  setPolicy(table: TableName, chain: string, policy: 'ACCEPT' | 'DROP'): void {
    if (!isBuiltinChain(table, chain)) throw new Error(`iptables: ${chain} is not a built-in chain of ${table}`);
    this.chain(table, chain).policy = policy;
  }

  build(): Ruleset {
    return {
      family: this.family,
      tables: [...this.tables].map(([name, chains]) => ({
        name,
        chains: [...chains.values()].map(
          (c): Chain => ({
            table: c.table,
            name: c.name,
            ...(c.policy ? { policy: c.policy } : {}),
            rules: c.rules.toArray(),
          }),
        ),
      })),
    };
  }
}

/** A Rule value; `origin` is left out when there is none. */
export function makeRule(
  table: TableName,
  chain: string,
  match: RuleMatch,
  target: RuleTarget,
  origin: SourcePath | undefined,
): Rule {
  return origin ? { table, chain, match, target, origin } : { table, chain, match, target };
}
