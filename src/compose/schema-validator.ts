// The Compose specification's JSON Schema (schemas/compose-spec.json, copied from compose-go, which
// validates every compose file with it), compiled at run time: the path under tsx and in the tests. The
// bundle built by tools/build.ts replaces this module with ajv's standalone code for the same schema and
// options, so a netform process never compiles it (~0.5 s).
//
// The schema is a third party's, kept verbatim: it is not written for ajv's strict mode (it puts
// `additionalProperties` beside `oneOf` without a `type`), so strict mode is off for it alone.
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import schema from '../../schemas/compose-spec.json' with { type: 'json' };

export const COMPOSE_AJV_OPTIONS = { allErrors: true, strict: false, allowUnionTypes: true, verbose: true } as const;

export function loadComposeValidator(): ValidateFunction {
  return new Ajv2020(COMPOSE_AJV_OPTIONS).compile(schema);
}
