// Stage 2: the parsed value against schemas/netform.schema.json. Shape only (types, keys, enums, formats,
// ranges); meaning (overlaps, references, addresses inside subnets) is the semantic stage's.
//
// The validator is made once per process, on first use, so importing this module stays cheap: compiled
// by ajv at run time under tsx (runtime-validator.ts), precompiled into the bundle by the build.
import type { ValidateFunction } from 'ajv';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { ajvErrorsToDiagnostics } from './errors.ts';
import { loadValidator } from './runtime-validator.ts';

let compiled: ValidateFunction | undefined;

/** The validator (made on first call). Exposed for tests. */
export function schemaValidator(): ValidateFunction {
  compiled ??= loadValidator();
  return compiled;
}

/** Every schema violation in `value`, as diagnostics carrying YAML paths. [] when the value conforms. */
export function validateSchema(value: unknown): Diagnostic[] {
  const validate = schemaValidator();
  if (validate(value)) return [];
  return ajvErrorsToDiagnostics(validate.errors ?? [], value);
}
