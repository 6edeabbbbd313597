// A trace as text: each packet of the exchange with the rules that decided (the rule as its backend
// spells it, and the YAML line that made it), the address translations, and how each packet ended:
//   request: delivered to web 172.18.0.2:80 from 203.0.113.2 (masqueraded)
//   reply:   dropped by -A DOCKER ... -j DROP (net.yaml:12:5)
import type { Leg, LegOutcome, Trace, TraceStep, Translation } from './types.ts';

export interface FormatTraceOptions {
  /** Every step: each packet's hops and every policy that let it pass, not only the rules that matched. */
  readonly verbose?: boolean;
}

const LEGS: readonly Leg[] = ['request', 'reply', 'ack'];
const LEG_NAME: Readonly<Record<Leg, string>> = { request: 'request', reply: 'reply', ack: 'handshake' };

const where = (s: { source?: string }) => (s.source ? ` (${s.source})` : '');

/** Steps worth showing: rules that matched, and policies that dropped or ended a filter chain. */
function shown(s: TraceStep, verbose: boolean): boolean {
  if (verbose) return true;
  if (s.rule) return true;
  // iptables spells a policy `DROP` and its filter chains `filter FORWARD`; nft `drop` and `ip docker-bridges/filter-FORWARD`.
  if (s.action.startsWith('policy ')) return s.action.toLowerCase() === 'policy drop' || /^filter |\/filter-/.test(s.chain ?? '');
  return s.action.startsWith('xfrm') || s.action.startsWith('vxlan0') || s.action.startsWith('VXLAN');
}

function stepLine(s: TraceStep): string {
  if (s.rule) return `  ${s.where}: ${s.chain}: ${s.rule}${where(s)}`;
  if (s.chain) return `  ${s.where}: ${s.chain} ${s.action}`;
  return `  ${s.where}: ${s.action}`;
}

const translationText = (t: Translation): string => `${t.kind.toUpperCase()} ${t.from} -> ${t.to}`;

/** How a packet ended, with what was done to it on the way (masqueraded, translated). */
function outcomeLine(o: LegOutcome, translations: readonly Translation[]): string {
  if (o.outcome === 'dropped') return `dropped in ${o.where}: ${o.reason.replace(/^dropped by /, 'by ')}${where(o)}`;
  if (o.outcome === 'unknown') return `unknown in ${o.where}: ${o.reason}`;
  const how = [...new Set(translations.map((t) => (t.kind === 'masquerade' ? 'masqueraded' : t.kind === 'snat' ? 'source NAT' : t.kind === 'dnat' ? 'DNAT' : t.kind === 'redirect' ? 'redirected' : t.kind === 'un-dnat' ? 'DNAT undone' : 'source NAT undone')))];
  const at = o.place.kind === 'container' ? o.place.container : o.where;
  return `delivered to ${at} ${o.address.includes(':') ? `[${o.address}]` : o.address}:${o.port} from ${o.peer}${how.length ? ` (${how.join(', ')})` : ''}`;
}

export function formatTrace(t: Trace, options: FormatTraceOptions = {}): string {
  const verbose = !!options.verbose;
  const out: string[] = [`trace ${t.proto}/IPv${t.family}: ${t.from.label} ${t.from.address} -> ${t.to.label} ${t.to.address}:${t.to.port}`];
  for (const leg of LEGS) {
    const o = leg === 'request' ? t.request : leg === 'reply' ? t.reply : t.ack;
    if (!o) continue;
    out.push(`${LEG_NAME[leg]}:`);
    for (const s of t.steps) if (s.leg === leg && shown(s, verbose)) out.push(stepLine(s));
    const translations = t.translations.filter((x) => x.leg === leg);
    for (const x of translations) out.push(`  ${x.where}: ${translationText(x)}${where(x)}`);
    out.push(`  => ${outcomeLine(o, translations)}`);
  }
  for (const a of t.assumptions ?? []) out.push(`note: ${a}`);
  out.push(`verdict: ${t.verdict}${t.reason ? ` (${t.reason})` : ''}`);
  return `${out.join('\n')}\n`;
}
