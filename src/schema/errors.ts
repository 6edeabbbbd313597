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
import { FORMATS, OTHER_FORMAT_NOUNS } from './formats.ts';
import { closest } from './suggest.ts';

type AjvError = ErrorObject & { propertyName?: string };
type Path = (string | number)[];

interface Leaf {
  readonly kind: 'leaf';
  readonly err: AjvError;
}
interface Combined {
  readonly kind: 'combined';
  /** The anyOf/oneOf error; its instancePath is where the value is. */
  readonly err: AjvError;
  /** The failures of each alternative the value could have meant, in schema order. */
  readonly alternatives: readonly Item[][];
}
type Item = Leaf | Combined;

const COMBINATORS = new Set(['anyOf', 'oneOf']);
/** Errors that only summarise other, more precise errors reported beside them. */
const SUMMARIES = new Set(['if', 'propertyNames', 'not', 'contains']);

export function ajvErrorsToDiagnostics(errors: readonly ErrorObject[], root: unknown): Diagnostic[] {
  const items = collapse(errors as readonly AjvError[]);
  const suggested = new Set<string>();
  const diags = items.map((it) => toDiagnostic(it, root, suggested));
  return dedupe(diags, suggested);
}

// ---------------------------------------------------------------------------------------------- collapse

function collapse(errors: readonly AjvError[]): Item[] {
  // ajv emits a combinator's branch errors before the combinator error itself (inner ones first), so one pass
  // that replaces "branch errors + combinator" by its resolution handles nesting.
  let pending: Item[] = [];
  for (const err of errors) {
    if (COMBINATORS.has(err.keyword) && !(err.params as { passingSchemas?: unknown }).passingSchemas) {
      const prefix = `${err.schemaPath}/`;
      let claimed = pending.filter((it) => it.err.schemaPath.startsWith(prefix));
      if (claimed.length === 0) {
        // Branches made of a bare $ref report schema paths inside the definition; take the run of errors
        // just before the combinator that concern this value.
        claimed = [];
        for (let i = pending.length - 1; i >= 0; i--) {
          const it = pending[i]!;
          if (!within(it.err.instancePath, err.instancePath)) break;
          claimed.unshift(it);
        }
      }
      const set = new Set(claimed);
      pending = pending.filter((it) => !set.has(it));
      pending.push(...resolve(err, claimed));
    } else if (!SUMMARIES.has(err.keyword)) {
      pending.push({ kind: 'leaf', err });
    }
  }
  return pending;
}

const within = (path: string, base: string) => path === base || path.startsWith(`${base}/`);

/** Depth of the value an item is about (errors on keys of a mapping are about its children). */
function depthOf(it: Item): number {
  const base = it.err.instancePath === '' ? 0 : it.err.instancePath.split('/').length - 1;
  const k = it.err.keyword;
  return base + (k === 'additionalProperties' || k === 'required' || it.err.propertyName !== undefined ? 1 : 0);
}

function resolve(comb: AjvError, claimed: Item[]): Item[] {
  if (claimed.length === 0) return [{ kind: 'leaf', err: comb }];
  const prefix = `${comb.schemaPath}/`;
  const groups = new Map<string, Item[]>();
  for (const it of claimed) {
    const sp = it.err.schemaPath;
    const key = sp.startsWith(prefix) ? (sp.slice(prefix.length).split('/')[0] ?? '') : (/^#\/definitions\/[^/]+/.exec(sp)?.[0] ?? sp);
    groups.set(key, [...(groups.get(key) ?? []), it]);
  }
  const branches = [...groups.values()];
  const here = comb.instancePath;
  const wrongType = (b: Item[]) => b.some((it) => it.err.keyword === 'type' && it.err.instancePath === here);
  const plausible = branches.filter((b) => !wrongType(b));
  const candidates = plausible.length > 0 ? plausible : branches;
  const baseDepth = depthOf({ kind: 'leaf', err: comb });
  let best: Item[] | undefined;
  let bestDepth = baseDepth;
  for (const b of candidates) {
    const d = Math.max(...b.map(depthOf));
    if (d > bestDepth || (d === bestDepth && best !== undefined && b.length < best.length)) {
      best = b;
      bestDepth = d;
    }
  }
  if (best) return best; // the value took this shape and went wrong inside it: report only that
  return [{ kind: 'combined', err: comb, alternatives: candidates }];
}

// ---------------------------------------------------------------------------------------------- messages

/** instancePath (JSON pointer) -> YAML path; a segment is a number only where the value is a list. */
export function pointerToPath(pointer: string, root: unknown): Path {
  if (pointer === '') return [];
  const out: Path = [];
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(seg);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

const TYPE_NOUNS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  null: 'nothing (an empty value)',
};

/** "a string or a list"; a lone boolean reads best as "true or false". */
function typeNouns(types: readonly string[]): string {
  if (types.length === 1 && types[0] === 'boolean') return 'true or false';
  return orList(types.map((t) => (t === 'boolean' ? 'a boolean' : (TYPE_NOUNS[t] ?? t))));
}

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** A value in a message; `typed` adds its kind ("the string "80"") where the kind is the problem. */
export function describeValue(v: unknown, typed = false): string {
  if (v === null || v === undefined) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return typed ? `the string ${quote(v)}` : quote(v);
  if (typeof v === 'number') return typed ? `the number ${v}` : String(v);
  return String(v);
}

function quote(s: string): string {
  const q = JSON.stringify(s);
  return q.length > 60 ? `${q.slice(0, 56)}..."` : q;
}

/** An allowed value as users would type it: bare when it is a plain word. */
function literal(v: unknown): string {
  return typeof v === 'string' && /^[A-Za-z0-9][\w.:/-]*$/.test(v) ? v : JSON.stringify(v);
}

const YAML11_BOOLEANS = /^(?:y|n|yes|no|on|off)$/i;

/** `schema` is the failing subschema: a "quote it" hint only helps where any string would do. */
function typeMessage(expected: string[], data: unknown, schema: Record<string, unknown>): string {
  const anyString = !['format', 'pattern', 'enum', 'const', 'then', 'anyOf', 'oneOf', '$ref'].some((k) => k in schema);
  let hint = '';
  if (expected.includes('boolean') && typeof data === 'string' && YAML11_BOOLEANS.test(data)) {
    hint = ' (YAML 1.2: only true and false are booleans)';
  } else if ((expected.includes('integer') || expected.includes('number')) && typeof data === 'string' && /^-?\d+$/.test(data)) {
    hint = ' (remove the quotes)';
  } else if (anyString && expected.includes('string') && (typeof data === 'number' || typeof data === 'boolean')) {
    hint = ` (quote it: "${String(data)}")`;
  }
  return `expected ${typeNouns(expected)}; got ${describeValue(data, true)}${hint}`;
}

function formatNoun(format: string): string {
  return FORMATS[format]?.noun ?? OTHER_FORMAT_NOUNS[format] ?? `${format} value`;
}

/** What one failure wanted, as a phrase usable after "expected". */
function expectation(it: Item): string {
  if (it.kind === 'combined') return orList(it.alternatives.map((alt) => (alt[0] ? expectation(alt[0]) : '')).filter(Boolean));
  return keywordExpectation(it.err);
}

function keywordExpectation(e: AjvError): string {
  const p = e.params as Record<string, unknown>;
  const ps = (e.parentSchema ?? {}) as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return typeNouns(String(p.type).split(','));
    case 'enum':
      return `one of ${(p.allowedValues as unknown[]).map(literal).join(', ')}`;
    case 'const':
      return literal(p.allowedValue);
    case 'format':
      return `a valid ${formatNoun(String(p.format))}`;
    case 'pattern':
      return typeof ps.patternErrorMessage === 'string' ? ps.patternErrorMessage.replace(/^expected /, '') : `a string matching ${String(p.pattern)}`;
    default:
      return e.message ?? e.keyword;
  }
}

function codeOf(keyword: string): DiagnosticCode {
  switch (keyword) {
    case 'type':
      return 'SCHEMA_TYPE';
    case 'required':
      return 'SCHEMA_REQUIRED';
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return 'SCHEMA_UNKNOWN_KEY';
    case 'enum':
    case 'const':
      return 'SCHEMA_ENUM';
    case 'format':
      return 'SCHEMA_FORMAT';
    case 'pattern':
      return 'SCHEMA_PATTERN';
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties':
    case 'multipleOf':
      return 'SCHEMA_RANGE';
    default:
      return 'SCHEMA_OTHER';
  }
}

function rangeMessage(e: AjvError): string {
  const ps = (e.parentSchema ?? {}) as Record<string, unknown>;
  const data = e.data;
  const p = e.params as { limit?: number };
  switch (e.keyword) {
    case 'minimum':
    case 'maximum': {
      const lo = typeof ps.minimum === 'number' ? ps.minimum : undefined;
      const hi = typeof ps.maximum === 'number' ? ps.maximum : undefined;
      const what = ps.type === 'integer' || (Array.isArray(ps.type) && ps.type.includes('integer')) ? 'an integer' : 'a number';
      if (lo !== undefined && hi !== undefined) return `expected ${what} from ${lo} to ${hi}; got ${String(data)}`;
      return `expected ${what} ${e.keyword === 'minimum' ? 'of at least' : 'of at most'} ${p.limit}; got ${String(data)}`;
    }
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters long`;
    case 'maxLength':
      return `must be at most ${p.limit} characters long`;
    case 'minItems':
      return `must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must have at most ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * `suggested` collects the paths of keys proposed by "did you mean", so that dedupe() can drop the
 * "missing required key" that the same typo causes.
 */
function toDiagnostic(it: Item, root: unknown, suggested: Set<string>): Diagnostic {
  const e = it.err;
  const base = pointerToPath(e.instancePath, root);
  const p = e.params as Record<string, unknown>;
  const ps = (e.parentSchema ?? {}) as Record<string, unknown>;

  if (it.kind === 'combined') {
    const firsts = it.alternatives.map((alt) => alt[0]).filter((x): x is Item => x !== undefined);
    const phrases = [...new Set(firsts.map(expectation))];
    const first = firsts[0];
    const code = first?.kind === 'leaf' ? codeOf(first.err.keyword) : 'SCHEMA_OTHER';
    return error(code, base, `expected ${orList(phrases)}; got ${describeValue(e.data)}`);
  }

  // A key of a mapping failed `propertyNames`: point at that key.
  if (e.propertyName !== undefined) {
    const name = e.propertyName;
    const why = e.keyword === 'pattern' || e.keyword === 'format' || e.keyword === 'enum' ? keywordExpectation(e) : (e.message ?? '');
    return error(codeOf(e.keyword), [...base, name], `invalid key ${quote(name)}: expected ${why}`, { atKey: true });
  }

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
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
