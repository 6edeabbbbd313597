// The words of schema diagnostics: ajv keywords as diagnostic codes, values and expectations as users
// would write them, and YAML paths from ajv's JSON pointers.
import type { DiagnosticCode } from '../diagnostics/diagnostic.ts';
import type { AjvError, Item, Path } from './collapse.ts';
import { FORMATS, OTHER_FORMAT_NOUNS } from './formats.ts';

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
export function typeNouns(types: readonly string[]): string {
  if (types.length === 1 && types[0] === 'boolean') return 'true or false';
  return orList(types.map((t) => (t === 'boolean' ? 'a boolean' : (TYPE_NOUNS[t] ?? t))));
}

export function orList(items: readonly string[]): string {
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

export function quote(s: string): string {
  const q = JSON.stringify(s);
  return q.length > 60 ? `${q.slice(0, 56)}..."` : q;
}

/** An allowed value as users would type it: bare when it is a plain word. */
export function literal(v: unknown): string {
  return typeof v === 'string' && /^[A-Za-z0-9][\w.:/-]*$/.test(v) ? v : JSON.stringify(v);
}

const YAML11_BOOLEANS = /^(?:y|n|yes|no|on|off)$/i;

/** `schema` is the failing subschema: a "quote it" hint only helps where any string would do. */
export function typeMessage(expected: string[], data: unknown, schema: Record<string, unknown>): string {
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

export function formatNoun(format: string): string {
  return FORMATS[format]?.noun ?? OTHER_FORMAT_NOUNS[format] ?? `${format} value`;
}

/** What one failure wanted, as a phrase usable after "expected". */
export function expectation(it: Item): string {
  if (it.kind === 'combined') return orList(it.alternatives.map((alt) => (alt[0] ? expectation(alt[0]) : '')).filter(Boolean));
  return keywordExpectation(it.err);
}

export function keywordExpectation(e: AjvError): string {
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

export function codeOf(keyword: string): DiagnosticCode {
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

export function rangeMessage(e: AjvError): string {
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
