// A compose model against the Compose specification's schema, as compose-go checks each file after it is
// merged (loader.go loadYamlFile -> schema.Validate): unknown keys, wrong types and bad enums are errors
// Compose refuses to start with. Compose prints only its most specific error (schema.go
// getMostSpecificError); netform prints every one, minus those that only restate a deeper one.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { error, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { loadComposeValidator } from './schema-validator.ts';
import { nodeAt, toPlain, type CNode } from './tree.ts';
import { at } from './where.ts';

let validator: ValidateFunction | undefined;

export function validateCompose(root: CNode): Diagnostic[] {
  validator ??= loadComposeValidator();
  if (validator(toPlain(root))) return [];
  return reduce(validator.errors ?? []).map((e) => toDiagnostic(e, root));
}

interface Located {
  readonly err: ErrorObject;
  /** Where it is about: the instance path, and for an unknown key the key itself. */
  readonly segments: readonly string[];
}

const segmentsOf = (p: string) => (p === '' ? [] : p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')));

/** Drops combinator summaries and errors about a value whose part another error is about. */
function reduce(errors: readonly ErrorObject[]): Located[] {
  const located: Located[] = errors
    .filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if')
    .map((e) => ({ err: e, segments: e.keyword === 'additionalProperties' ? [...segmentsOf(e.instancePath), String(e.params['additionalProperty'])] : segmentsOf(e.instancePath) }));
  const isPrefix = (a: readonly string[], b: readonly string[]) => a.length < b.length && a.every((s, i) => s === b[i]);
  const kept = located.filter((x) => !located.some((y) => isPrefix(x.segments, y.segments)));
  const seen = new Set<string>();
  return kept.filter((x) => {
    const k = x.segments.join('\u0000');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function toDiagnostic(x: Located, root: CNode): Diagnostic {
  const { err } = x;
  const unknownKey = err.keyword === 'additionalProperties';
  // JSON pointer segments to tree segments: a segment below a list is an index.
  const path: (string | number)[] = [];
  let n: CNode | undefined = root;
  for (const s of x.segments) {
    const seg = n?.kind === 'seq' ? Number(s) : s;
    path.push(seg);
    n = nodeAt(n, [seg]);
  }
  const node = n ?? nodeAt(root, path.slice(0, -1)) ?? root;
  return error('COMPOSE_SCHEMA', n ? node.origin.path : path, message(err), at(node, { key: unknownKey }));
}

const TYPE_WORDS: Readonly<Record<string, string>> = { object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean', null: 'null' };

function message(err: ErrorObject): string {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties':
      return `additional property "${String(p['additionalProperty'])}" is not allowed by the Compose specification`;
    case 'type': {
      const types = String(p['type']).split(',');
      return `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`;
    }
    case 'enum':
      return `must be one of ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'required':
      return `"${String(p['missingProperty'])}" is required`;
    default:
      return err.message ?? `fails the schema's ${err.keyword}`;
  }
}
