// The iptables backend's rules as base chains: each table's built-in chain at a hook, at the table's
// fixed priority (raw -300, mangle -150, nat -100 before routing and +100 after, filter 0), walked as
// the kernel does: rules in order, a jump pushes, RETURN or the end of a user chain pops, the end of a
// built-in chain applies its policy. A rule is shown as iptables-save prints it (the backend's text).
import { appendLine } from '../firewall/iptables/text/index.ts';
import { ChainIndex, type Cursor } from './chain-index.ts';
import type { Chain, Rule, Ruleset, TableName } from '../firewall/iptables/types.ts';
import { applyMark, compileMatch, matches, targetEffect, type BaseChain, type ChainResult, type CompiledMatch, type Firewall, type Hook, type MatchContext, type RuleEvent } from './netfilter.ts';

const PRIORITY: Readonly<Record<TableName, number>> = { raw: -300, mangle: -150, nat: -100, filter: 0 };

/** The built-in chains each table registers at a hook. */
const HOOKS: Readonly<Record<Hook, readonly TableName[]>> = {
  prerouting: ['raw', 'mangle', 'nat'],
  input: ['mangle', 'filter', 'nat'],
  forward: ['mangle', 'filter'],
  output: ['raw', 'mangle', 'nat', 'filter'],
  postrouting: ['mangle', 'nat'],
};

const BUILTIN: Readonly<Record<Hook, string>> = { prerouting: 'PREROUTING', input: 'INPUT', forward: 'FORWARD', output: 'OUTPUT', postrouting: 'POSTROUTING' };

/** Source NAT sits after the filter table (+100), destination NAT before routing (-100). */
const priorityOf = (table: TableName, hook: Hook): number => (table === 'nat' && (hook === 'input' || hook === 'postrouting') ? 100 : PRIORITY[table]);

/** A rule's iptables-save line, built when a trace first shows it. */
const lines = new WeakMap<Rule, string>();
function lineOf(rule: Rule, family: 4 | 6): string {
  let l = lines.get(rule);
  if (l === undefined) {
    l = appendLine(rule, family);
    lines.set(rule, l);
  }
  return l;
}

interface Prepared {
  /** Each rule's match, prepared when the walk first tests it (a long chain's index skips most). */
  readonly rules: (CompiledMatch | undefined)[];
  readonly index: ChainIndex | undefined;
}

/** A chain's index when it is long, and room for its prepared matches, once per chain. */
const prepared = new WeakMap<Chain, Prepared>();
function prepare(chain: Chain): Prepared {
  let p = prepared.get(chain);
  if (!p) {
    p = { rules: new Array<CompiledMatch | undefined>(chain.rules.length), index: ChainIndex.of(chain.rules) };
    prepared.set(chain, p);
  }
  return p;
}

interface Frame {
  readonly chain: Chain;
  readonly rules: (CompiledMatch | undefined)[];
  /** The rules to test, in order (a long chain's candidates); undefined: all of them. */
  readonly cursor: Cursor | undefined;
  pos: number;
}

function frame(chain: Chain, ctx: MatchContext): Frame {
  const p = prepare(chain);
  return { chain, rules: p.rules, cursor: p.index?.candidates(ctx), pos: 0 };
}

/** Walks one built-in chain and the user chains it jumps to. */
function walkChain(table: TableName, start: Chain, chains: ReadonlyMap<string, Chain>, family: 4 | 6, ctx: MatchContext, events: RuleEvent[]): ChainResult {
  const stack: Frame[] = [frame(start, ctx)];
  const label = (c: Chain) => `${table} ${c.name}`;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const i = top.cursor ? top.cursor.next() : top.pos++;
    const test = i === undefined || i >= top.chain.rules.length ? undefined : (top.rules[i] ??= compileMatch(top.chain.rules[i]!.match));
    if (!test) {
      stack.pop();
      if (stack.length === 0) {
        const policy = start.policy ?? 'ACCEPT';
        events.push({ chain: label(start), action: `policy ${policy}` });
        return policy === 'DROP' ? { verdict: 'drop', reason: `${label(start)} policy DROP` } : { verdict: 'accept' };
      }
      continue;
    }
    const m = matches(test, ctx);
    if (m === false) continue;
    const rule = top.chain.rules[i!]!;
    const e = targetEffect(rule.target);
    const text = lineOf(rule, family);
    if (m === undefined) return { verdict: 'unknown', reason: `a match the tracer does not evaluate: ${text}` };
    const event = (action: string) => events.push({ chain: label(top.chain), rule: text, action, ...(rule.origin ? { origin: rule.origin } : {}) });
    switch (e.kind) {
      case 'accept':
        event('ACCEPT');
        return { verdict: 'accept' };
      case 'drop':
        event('DROP');
        return { verdict: 'drop', reason: text, ...(rule.origin ? { origin: rule.origin } : {}) };
      case 'return':
        event('RETURN');
        stack.pop();
        if (stack.length === 0) {
          const policy = start.policy ?? 'ACCEPT';
          events.push({ chain: label(start), action: `policy ${policy}` });
          return policy === 'DROP' ? { verdict: 'drop', reason: `${label(start)} policy DROP` } : { verdict: 'accept' };
        }
        break;
      case 'jump': {
        const next = chains.get(e.chain);
        if (!next) return { verdict: 'unknown', reason: `jump to a chain the ruleset lacks: ${text}` };
        event(`jump ${e.chain}`);
        if (stack.length > 64) return { verdict: 'unknown', reason: 'chain jumps nest too deep' };
        stack.push(frame(next, ctx));
        break;
      }
      case 'nat':
        event(e.nat.kind.toUpperCase());
        return { verdict: 'accept', nat: e.nat, ...(rule.origin ? { natOrigin: rule.origin } : {}), natRule: text };
      case 'mark':
        ctx.packet.mark = applyMark(ctx.packet.mark, e.mark, e.mask);
        event(`MARK ${ctx.packet.mark}`);
        break;
      case 'continue':
        break;
    }
  }
  return { verdict: 'accept' };
}

/** The base chains of one ruleset (one family). */
function rulesetChains(rs: Ruleset): Map<Hook, BaseChain[]> {
  const out = new Map<Hook, BaseChain[]>();
  for (const [hook, tables] of Object.entries(HOOKS) as [Hook, readonly TableName[]][]) {
    const list: BaseChain[] = [];
    for (const tableName of tables) {
      const table = rs.tables.find((t) => t.name === tableName);
      const builtin = table?.chains.find((c) => c.name === BUILTIN[hook]);
      if (!table || !builtin) continue;
      const chains = new Map(table.chains.map((c) => [c.name, c]));
      list.push({
        hook,
        priority: priorityOf(tableName, hook),
        type: tableName === 'nat' ? 'nat' : tableName === 'mangle' && hook === 'output' ? 'route' : 'filter',
        label: `${tableName} ${builtin.name}`,
        run: (ctx, events) => walkChain(tableName, builtin, chains, rs.family, ctx, events),
      });
    }
    out.set(hook, list);
  }
  return out;
}

/** iptables rulesets (one per family) as a namespace's firewall. */
export function iptablesFirewall(v4: Ruleset | undefined, v6: Ruleset | undefined): Firewall {
  const byFamily = { 4: v4 ? rulesetChains(v4) : undefined, 6: v6 ? rulesetChains(v6) : undefined };
  return { chainsAt: (hook, family) => byFamily[family]?.get(hook) ?? [] };
}
