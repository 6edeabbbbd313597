// The validator compiled at run time (~60 ms of ajv work per process). This is the path under tsx and in
// the tests; the bundle built by tools/build.ts replaces this module with standalone code that ajv
// generated from the same schema and options at build time (test/schema-standalone.test.ts checks that
// both give the same answers).
//
// The schema is loaded with an ES import attribute (`with { type: 'json' }`): it works under tsx and plain
// Node 20.10+ without a warning and TypeScript checks the path.
import { Ajv, type ValidateFunction } from 'ajv';
import schema from '../../schemas/netform.schema.json' with { type: 'json' };
import { AJV_OPTIONS, configureAjv } from './ajv-config.ts';

export function loadValidator(): ValidateFunction {
  return configureAjv(new Ajv(AJV_OPTIONS)).compile(schema);
}
