// Stage 2: the parsed value against schemas/netform.schema.json. Shape only (types, keys, enums, formats,
// ranges); meaning (overlaps, references, addresses inside subnets) is the semantic stage's.
//
// The schema is loaded with an ES import attribute (`with { type: 'json' }`): it works under tsx and plain
// Node 20.10+ without a warning, TypeScript checks the path, and a tsc build copies the JSON next to the
// output. It is compiled once per process, on first use (~40 ms), so importing this module stays cheap.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import schema from '../../schemas/netform.schema.json' with { type: 'json' };
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { ajvErrorsToDiagnostics } from './errors.ts';
import { FORMATS } from './formats.ts';

let compiled: ValidateFunction | undefined;

/** The compiled validator (compiling it on first call). Exposed for tests. */
export function schemaValidator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({
    allErrors: true, // report every problem at once
    strict: true, // a typo in the schema itself is an error, not a silently ignored keyword
    allowUnionTypes: true, // `type: [string, array]` instead of anyOf: no alternatives to collapse
    verbose: true, // errors carry `data` and `parentSchema`, which the messages use
  });
  addFormats.default(ajv, ['hostname']);
  // netform's own address formats; they replace ajv-formats' ipv4/ipv6 so one definition judges all addresses.
  for (const [name, def] of Object.entries(FORMATS)) {
    ajv.addFormat(name, { type: 'string', validate: (s: string) => def.problem(s) === undefined });
  }
  // Editor keyword (VS Code, yaml-language-server): the message shown when `pattern` fails. An annotation.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  compiled = ajv.compile(schema);
  return compiled;
}

/** Every schema violation in `value`, as diagnostics carrying YAML paths. [] when the value conforms. */
export function validateSchema(value: unknown): Diagnostic[] {
  const validate = schemaValidator();
  if (validate(value)) return [];
  return ajvErrorsToDiagnostics(validate.errors ?? [], value);
}
