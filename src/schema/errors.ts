// ajv errors -> Diagnostics: one diagnostic per problem, at the YAML path of the offending key or value, in
// plain words. Three kinds of ajv noise are removed:
// - combinators (anyOf/oneOf): ajv reports every failing branch plus "must match a schema in anyOf". The
//   branch that got furthest into the value (deepest error) wins; when every branch failed at the value
//   itself, one diagnostic lists what each branch expected ("expected one of bridge, host, none or
//   container:NAME").
// - summaries that repeat an inner error ("must match "then" schema", "property name must be valid").
// - several keywords failing on one value (a loose editor pattern and the exact format beside it): the most
//   specific one per path is kept (type, then enum, format, pattern, range).
// Requires ajv's `verbose: true` (errors carry `data` and `parentSchema`).
import type { ErrorObject } from 'ajv';
import { error, type Diagnostic, type DiagnosticCode } from '../diagnostics/diagnostic.ts';
import { collapse, type AjvError, type Item, type Path } from './collapse.ts';
import { FORMATS } from './formats.ts';
import { codeOf, describeValue, expectation, formatNoun, keywordExpectation, literal, orList, pointerToPath, quote, rangeMessage, typeMessage } from './messages.ts';
import { closest } from './suggest.ts';

export function ajvErrorsToDiagnostics(errors: readonly ErrorObject[], root: unknown): Diagnostic[] {
  const items = collapse(errors as readonly AjvError[]);
  const suggested = new Set<string>();
  const diags = items.map((it) => toDiagnostic(it, root, suggested));
  return dedupe(diags, suggested);
}

/** A combinator every branch of which failed at the value: what each branch expected. */
function combinedDiagnostic(it: Extract<Item, { kind: 'combined' }>, base: Path): Diagnostic {
  const firsts = it.alternatives.map((alt) => alt[0]).filter((x): x is Item => x !== undefined);
  const phrases = [...new Set(firsts.map(expectation))];
  const first = firsts[0];
  const code = first?.kind === 'leaf' ? codeOf(first.err.keyword) : 'SCHEMA_OTHER';
  return error(code, base, `expected ${orList(phrases)}; got ${describeValue(it.err.data)}`);
}

/** A key the mapping does not allow, with a "did you mean" when a missing allowed key is close. */
function unknownKeyDiagnostic(e: AjvError, base: Path, suggested: Set<string>): Diagnostic {
  const key = String((e.params as Record<string, unknown>).additionalProperty);
  const ps = (e.parentSchema ?? {}) as Record<string, unknown>;
  const props = ps.properties && typeof ps.properties === 'object' ? Object.keys(ps.properties) : [];
  const present = e.data !== null && typeof e.data === 'object' ? Object.keys(e.data) : [];
  const guess = closest(key, props.filter((k) => !present.includes(k)));
  if (guess) suggested.add(JSON.stringify([...base, guess]));
  const mean = guess ? ` (did you mean "${guess}"?)` : '';
  const isDaemon = base.length === 1 && base[0] === 'daemon';
  let tail: string;
  if (isDaemon) tail = '; dockerd rejects keys it does not know';
  else if (props.length === 0) tail = '; no keys are allowed here';
  else if (props.length <= 15) tail = `; expected one of ${props.join(', ')}`;
  else tail = '';
  return error('SCHEMA_UNKNOWN_KEY', [...base, key], `unknown ${isDaemon ? 'daemon.json ' : ''}key ${quote(key)}${mean}${tail}`, { atKey: true });
}

/** One failing keyword at a value. */
function keywordDiagnostic(e: AjvError, base: Path): Diagnostic {
  const p = e.params as Record<string, unknown>;
  const ps = (e.parentSchema ?? {}) as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const key = String(p.missingProperty);
      const sub = (ps.properties as Record<string, Record<string, unknown>> | undefined)?.[key];
      const hint = sub && 'const' in sub ? ` (${key}: ${literal(sub.const)})` : '';
      return error('SCHEMA_REQUIRED', [...base, key], `missing required key ${quote(key)}${hint}`);
    }
    case 'type':
      if (base.length === 0 && (e.data === null || e.data === undefined)) {
        return error('SCHEMA_TYPE', base, 'the file is empty; expected a mapping with at least "version: 1"');
      }
      return error('SCHEMA_TYPE', base, typeMessage(String(p.type).split(','), e.data, ps));
    case 'enum': {
      const allowed = p.allowedValues as unknown[];
      const guess = typeof e.data === 'string' ? closest(e.data, allowed.filter((a): a is string => typeof a === 'string' && a !== '')) : undefined;
      const mean = guess ? ` (did you mean ${guess}?)` : '';
      const list = allowed.length === 1 ? literal(allowed[0]) : `one of ${allowed.map(literal).join(', ')}`;
      return error('SCHEMA_ENUM', base, `expected ${list}; got ${describeValue(e.data)}${mean}`);
    }
    case 'const':
      return error('SCHEMA_ENUM', base, `expected ${literal(p.allowedValue)}; got ${describeValue(e.data)}`);
    case 'format': {
      const name = String(p.format);
      const why = typeof e.data === 'string' ? FORMATS[name]?.problem(e.data) : undefined;
      return error('SCHEMA_FORMAT', base, `${quote(String(e.data))} is not a valid ${formatNoun(name)}${why ? `: ${why}` : ''}`);
    }
    case 'pattern':
      return error('SCHEMA_PATTERN', base, `${quote(String(e.data))} is not valid: expected ${keywordExpectation(e)}`);
    case 'oneOf':
      return error('SCHEMA_OTHER', base, 'the value matches more than one of the allowed forms');
    default: {
      const code = codeOf(e.keyword);
      return error(code, base, code === 'SCHEMA_RANGE' ? rangeMessage(e) : (e.message ?? e.keyword));
    }
  }
}

/**
 * `suggested` collects the paths of keys proposed by "did you mean", so that dedupe() can drop the
 * "missing required key" that the same typo causes.
 */
function toDiagnostic(it: Item, root: unknown, suggested: Set<string>): Diagnostic {
  const e = it.err;
  const base = pointerToPath(e.instancePath, root);
  if (it.kind === 'combined') return combinedDiagnostic(it, base);
  // A key of a mapping failed `propertyNames`: point at that key.
  if (e.propertyName !== undefined) {
    const name = e.propertyName;
    const why = e.keyword === 'pattern' || e.keyword === 'format' || e.keyword === 'enum' ? keywordExpectation(e) : (e.message ?? '');
    return error(codeOf(e.keyword), [...base, name], `invalid key ${quote(name)}: expected ${why}`, { atKey: true });
  }
  if (e.keyword === 'additionalProperties') return unknownKeyDiagnostic(e, base, suggested);
  return keywordDiagnostic(e, base);
}

// ---------------------------------------------------------------------------------------------- dedupe

const RANK: Partial<Record<DiagnosticCode, number>> = {
  SCHEMA_TYPE: 0,
  SCHEMA_ENUM: 1,
  SCHEMA_FORMAT: 2,
  SCHEMA_PATTERN: 3,
  SCHEMA_RANGE: 4,
};

function dedupe(diags: Diagnostic[], suggested: ReadonlySet<string>): Diagnostic[] {
  const best = new Map<string, Diagnostic>();
  for (const d of diags) {
    const k = `${d.atKey ? 'k' : 'v'}${JSON.stringify(d.path)}`;
    const prev = best.get(k);
    if (!prev || (RANK[d.code] ?? 9) < (RANK[prev.code] ?? 9)) best.set(k, d);
  }
  const kept = diags.filter((d) => best.get(`${d.atKey ? 'k' : 'v'}${JSON.stringify(d.path)}`) === d);
  // A misspelt required key yields "unknown key subnett (did you mean subnet?)" and "missing subnet": keep
  // the first, which already says both.
  return kept.filter((d) => !(d.code === 'SCHEMA_REQUIRED' && suggested.has(JSON.stringify(d.path))));
}
