// `${VAR}` substitution as Compose does it (compose-go template/template.go, Substitute): `$$` is a
// literal `$`; `$NAME` and `${NAME}` the variable (blank, with a warning, when unset); `${NAME:-default}`
// / `${NAME-default}` a default when unset or empty / unset; `${NAME:+alt}` / `${NAME+alt}` an alternative
// when set and non-empty / set; `${NAME:?message}` / `${NAME?message}` an error when unset or empty / unset.
// Defaults, alternatives and messages are substituted themselves, so they nest (`${A:-${B}}`). Names are
// `[_a-z][_a-z0-9]*`, case-insensitive; `$` followed by anything else is an invalid template.

/** A variable's value, or undefined when it is not set (distinct from set to ""). */
export type Lookup = (name: string) => string | undefined;

export type SubstituteResult =
  | { readonly ok: true; readonly value: string; readonly unset: readonly string[] }
  | { readonly ok: false; readonly error: string };

// template.go DefaultPattern: delimiter, then escaped | named | {braced} | { (invalid). Go's regexp
// `.` does not match a newline, nor does JavaScript's.
const PATTERN = /\$(?:(\$)|([_a-z][_a-z0-9]*)|\{(?:([_a-z][_a-z0-9]*(?::?[-+?](.*))?)\}|()))/gi;

class TemplateError extends Error {}

/** Substitutes every variable of `template`; `unset` lists the variables that were blank for being unset. */
export function substitute(template: string, lookup: Lookup): SubstituteResult {
  const unset: string[] = [];
  try {
    return { ok: true, value: run(template, lookup, unset), unset };
  } catch (e) {
    if (e instanceof TemplateError) return { ok: false, error: e.message };
    throw e;
  }
}

function run(template: string, lookup: Lookup, unset: string[]): string {
  let first: TemplateError | undefined;
  const out = template.replace(PATTERN, (match) => {
    try {
      return replacement(match, lookup, unset);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      first ??= e;
      return '';
    }
  });
  if (first) throw first.message === '' ? new TemplateError(`invalid interpolation format: ${JSON.stringify(template)}; you may need to escape any $ with another $`) : first;
  return out;
}

/** DefaultReplacementAppliedFunc: one match, which the greedy pattern may have taken past its closing brace. */
function replacement(match: string, lookup: Lookup, unset: string[]): string {
  const close = firstClosingBrace(match);
  const rest = close > -1 ? match.slice(close + 1) : '';
  const substring = close > -1 ? match.slice(0, close + 1) : match;
  const m = new RegExp(PATTERN.source, 'i').exec(substring);
  if (!m) throw new TemplateError('');
  if (m[1] !== undefined) return m[1];
  const named = m[2];
  const braced = named === undefined ? m[3] : undefined;
  const name = named ?? braced;
  if (name === undefined || name === '') throw new TemplateError('');
  if (braced !== undefined) {
    const applied = modifier(braced, lookup, unset);
    if (applied !== undefined) return applied + run(rest, lookup, unset);
  }
  const value = lookup(name);
  if (value === undefined) unset.push(name);
  return value ?? '';
}

/** getFirstBraceClosingIndex: the `}` that closes the first `{`, skipping the character after each `{`. */
function firstClosingBrace(s: string): number {
  let open = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '}') {
      open--;
      if (open === 0) return i;
    }
    if (s[i] === '{') {
      open++;
      i++;
    }
  }
  return -1;
}

// getSubstitutionFunctionForTemplate: the separator that occurs first in the braced text decides.
const SEPARATORS = [':?', '?', ':-', '-', ':+', '+'] as const;

/** The value of a braced expression with a modifier, or undefined when it has none. */
function modifier(braced: string, lookup: Lookup, unset: string[]): string | undefined {
  let sep: (typeof SEPARATORS)[number] | undefined;
  let at = Infinity;
  for (const s of SEPARATORS) {
    const i = braced.indexOf(s);
    if (i >= 0 && i < at) {
      at = i;
      sep = s;
    }
  }
  if (sep === undefined) return undefined;
  const name = braced.slice(0, at);
  const arg = braced.slice(at + sep.length);
  const value = lookup(name);
  switch (sep) {
    case ':-':
      return value === undefined || value === '' ? run(arg, lookup, unset) : value;
    case '-':
      return value === undefined ? run(arg, lookup, unset) : value;
    case ':+':
      return value !== undefined && value !== '' ? run(arg, lookup, unset) : (value ?? '');
    case '+':
      return value !== undefined ? run(arg, lookup, unset) : '';
    case ':?':
    case '?': {
      if (value !== undefined && (sep === '?' || value !== '')) return value;
      const reason = run(arg, lookup, unset);
      throw new TemplateError(`required variable ${name} is missing a value${reason ? `: ${reason}` : ''}`);
    }
  }
}
