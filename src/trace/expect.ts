// `expect:` checked with the tracer: each expectation is traced through the build; one whose verdict is
// not the one expected is an error at its YAML line, with the trace that contradicts it; one the tracer
// cannot judge (docker-proxy, IPVS, a host setting it does not know) is a warning saying why. The plan of
// an edit lists the expectations whose verdict the edit changes (expectationChanges).
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Origin } from '../diagnostics/origin.ts';
import type { Expectation } from '../model/expectations.ts';
import type { Topology } from '../topology/types.ts';
import { formatTrace } from './format.ts';
import { parseParty } from './spec.ts';
import { placeOf, trace, TraceError } from './trace.ts';
import type { Place, Trace, TraceQuery, TraceVerdict, TraceWorld } from './types.ts';

export type { Expectation };

export interface ExpectOptions {
  readonly world?: TraceWorld;
  readonly locate?: (o: Origin) => string | undefined;
}

/**
 * An expectation's trace and the verdict it comes to (reach only when the request reaches AT, if the
 * expectation names one), or why it names nothing (an unknown container, a bad address).
 */
export type ExpectationOutcome =
  | { readonly trace: Trace; readonly verdict: TraceVerdict; readonly why?: string }
  | { readonly problem: string; readonly field: 'from' | 'to' | 'at' | undefined };

function queryOf(e: Expectation): TraceQuery | { problem: string; field: 'from' | 'to' } {
  const from = parseParty(e.from);
  if ('error' in from) return { problem: from.error, field: 'from' };
  const to = parseParty(e.to);
  if ('error' in to) return { problem: to.error, field: 'to' };
  return { from, to, port: e.port, proto: e.proto, ...(e.family ? { family: e.family } : {}), ...(e.host ? { host: e.host } : {}) };
}

const samePlace = (a: Place, b: Place): boolean => JSON.stringify(a) === JSON.stringify(b);

export function traceExpectation(topologies: readonly Topology[], e: Expectation, options: ExpectOptions = {}): ExpectationOutcome {
  const q = queryOf(e);
  if ('problem' in q) return q;
  const atParty = e.at !== undefined ? parseParty(e.at) : q.to.kind === 'container' ? q.to : undefined;
  if (atParty && 'error' in atParty) return { problem: atParty.error, field: 'at' };
  let t: Trace;
  let at: Place | undefined;
  try {
    t = trace(topologies, q, options);
    at = atParty && placeOf(topologies, atParty, { ...options, ...(e.host !== undefined ? { host: e.host } : {}) });
  } catch (x) {
    if (x instanceof TraceError) return { problem: x.message, field: undefined };
    throw x;
  }
  const r = t.request;
  if (t.verdict !== 'reach' || !at || (r.outcome === 'delivered' && samePlace(r.place, at))) return { trace: t, verdict: t.verdict };
  return { trace: t, verdict: 'blocked', why: `it reaches ${r.outcome === 'delivered' ? r.where : 'elsewhere'}, not ${e.at ?? e.to}` };
}

/** The diagnostics of a build's expectations: errors for those the tracer contradicts, warnings for those it cannot judge. */
export function expectationDiagnostics(topologies: readonly Topology[], expectations: readonly Expectation[], options: ExpectOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Traced without locating the rules' origins: only a contradicted expectation shows its trace, and it
  // is traced again with them (locating every rule of every trace is most of a build's expect: cost).
  const { locate, ...unlocated } = options;
  for (const e of expectations) {
    const r = traceExpectation(topologies, e, unlocated);
    if ('problem' in r) {
      out.push(error('EXPECT_INVALID', r.field && e.form === 'mapping' ? [...e.path, r.field] : e.path, `${e.text}: ${r.problem}`));
      continue;
    }
    const t = r.trace;
    if (r.verdict === 'unknown') {
      out.push(warning('EXPECT_UNKNOWN', e.path, `${e.text}: cannot be checked: ${t.reason ?? 'the tracer cannot tell'}`));
    } else if (r.verdict !== e.verdict) {
      const why = r.why ?? t.reason;
      const located = locate ? traceExpectation(topologies, e, options) : r;
      out.push(error('EXPECT_FAILED', e.path, `${e.text}: the tracer says ${r.verdict}${why ? ` (${why})` : ''}\n${indent(formatTrace('trace' in located ? located.trace : t))}`));
    }
  }
  return out;
}

const indent = (text: string): string =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

export interface ExpectationChange {
  readonly expectation: Expectation;
  readonly before: ExpectationOutcome;
  readonly after: ExpectationOutcome;
}

const verdictOf = (o: ExpectationOutcome): string => ('trace' in o ? o.verdict : `invalid: ${o.problem}`);

/** The expectations whose verdict differs between two builds (before and after an edit), with both traces. */
export function expectationChanges(before: readonly Topology[], after: readonly Topology[], expectations: readonly Expectation[], options: ExpectOptions = {}): ExpectationChange[] {
  const out: ExpectationChange[] = [];
  for (const e of expectations) {
    const b = traceExpectation(before, e, options);
    const a = traceExpectation(after, e, options);
    if (verdictOf(a) !== verdictOf(b)) out.push({ expectation: e, before: b, after: a });
  }
  return out;
}
