// How the schema is compiled, shared by the two ways netform gets its validator: compiled at run time
// (runtime-validator.ts, under tsx and in tests) and compiled ahead of time into standalone code by the
// build (tools/build.ts), which the bundle uses instead. Both read these options and these format objects,
// so they accept and reject the same values with the same error objects.
import type { Ajv, Format, Options } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { FORMATS } from './formats.ts';

export const AJV_OPTIONS = {
  allErrors: true, // report every problem at once
  strict: true, // a typo in the schema itself is an error, not a silently ignored keyword
  allowUnionTypes: true, // `type: [string, array]` instead of anyOf: no alternatives to collapse
  verbose: true, // errors carry `data` and `parentSchema`, which the messages use
} as const satisfies Options;

/**
 * Every format the schema names. ajv-formats' hostname, and netform's address formats, which replace
 * ajv-formats' ipv4/ipv6 so that one definition judges every address in the file. Standalone code
 * refers to this object by name (`require(...)["ipv4-cidr"].validate`), except for regular
 * expressions, which it copies.
 */
export const AJV_FORMATS: Readonly<Record<string, Format>> = {
  hostname: fullFormats.hostname,
  ...Object.fromEntries(
    Object.entries(FORMATS).map(([name, def]) => [name, { type: 'string', validate: (s: string) => def.problem(s) === undefined }] as const),
  ),
};

/** Registers the formats and the editor keyword on a fresh Ajv. */
export function configureAjv(ajv: Ajv): Ajv {
  for (const [name, format] of Object.entries(AJV_FORMATS)) ajv.addFormat(name, format);
  // Editor keyword (VS Code, yaml-language-server): the message shown when `pattern` fails. An annotation.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  return ajv;
}
