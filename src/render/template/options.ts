// How every template is compiled, at run time (template-specs.ts) and ahead of time (tools/build.ts).
// noEscape: Handlebars HTML-escapes by default (even `=`); strict: a missing field is an error, not an
// empty string; knownHelpersOnly: a mustache is a field or a built-in block helper (#each, #if), never a
// helper looked up by name at render time (faster, and a misspelt helper fails at compile time).
export const COMPILE_OPTIONS = {
  noEscape: true,
  strict: true,
  knownHelpersOnly: true,
} as const;
