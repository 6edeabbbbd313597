// Words from the input that land inside a record of a container's /etc/hosts or /etc/resolv.conf: search
// domains, DNS options, extra_hosts names and network aliases. Each must be one word of that record: a
// newline or carriage return would start another record ("nameserver 6.6.6.6"), a space or tab would add
// a name or an option, "#" or ";" would turn the rest into a comment, NUL ends the line for libc. Where
// Docker has a rule, it is Docker's; where it has none (Docker writes such a value as it is, and the
// container gets the extra record), netform refuses what would change the file's structure.
import { error, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';

type Raw = Record<string, unknown>;

/** What splits or ends a record in hosts and resolv.conf: whitespace, control characters, comment marks. */
const RECORD_BREAK = /[\s\u0000-\u001f\u007f-\u009f#;]/u;

/**
 * daemon/pkg/opts/opts.go domainRegexp (a letter somewhere, labels of letters, digits and hyphens, an
 * optional final dot), shorter than 255 characters; "." alone is the empty search list. Docker's pattern
 * also allows trailing whitespace, which would break the record: netform does not.
 */
const DOMAIN = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*\.?$/;

/** A printable form of a value for a one-line message: control characters escaped as JSON does. */
export const shown = (s: string): string => JSON.stringify(s);

/** Why `s` is not a search domain Docker accepts (opts.ValidateDNSSearch), or undefined. */
export function searchDomainProblem(s: string): string | undefined {
  const v = s.replace(/^ +| +$/g, '');
  if (v === '.') return undefined;
  if (!/[a-zA-Z]/.test(v) || !DOMAIN.test(v) || v.replace(/\.$/, '').length >= 255) {
    return `${shown(s)} is not a valid domain (Docker's opts.ValidateDNSSearch: labels of letters, digits and hyphens, at least one letter, under 255 characters; "." for none)`;
  }
  return undefined;
}

/** Why `s` cannot be one word of a hosts or resolv.conf record, or undefined. */
export function recordWordProblem(s: string, what: string, file: string): string | undefined {
  if (s === '') return `an empty ${what} would leave a gap in ${file}`;
  const m = RECORD_BREAK.exec(s);
  if (!m) return undefined;
  const c = m[0] === '#' || m[0] === ';' ? `"${m[0]}"` : `the character ${shown(m[0])}`;
  return `${what} ${shown(s)} contains ${c}: in ${file} it would ${m[0] === '#' || m[0] === ';' ? 'start a comment' : 'split the record or start a new one'}`;
}

const listAt = (raw: Raw, key: string, path: YamlPath): { value: string; path: YamlPath }[] => {
  const v = raw[key];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x, i) => ({ value: String(x), path: [...path, key, i] }));
  return [{ value: String(v), path: [...path, key] }];
};

function searchAndOptions(raw: Raw, path: YamlPath, keys: { search: string; opts: string }, extra: { file?: string }): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { value, path: p } of listAt(raw, keys.search, path)) {
    const problem = searchDomainProblem(value);
    if (problem) out.push(error('BAD_NAME', p, problem, extra));
  }
  for (const { value, path: p } of listAt(raw, keys.opts, path)) {
    const problem = recordWordProblem(value, 'DNS option', 'resolv.conf');
    if (problem) out.push(error('BAD_OPTION', p, problem, extra));
  }
  return out;
}

/** The extra_hosts names, as a list ("name:address", "name=address") or a mapping. */
function extraHostNames(raw: Raw, path: YamlPath): { value: string; path: YamlPath; atKey: boolean }[] {
  const v = raw['extra_hosts'];
  if (Array.isArray(v)) {
    return v.flatMap((entry, i) => {
      const s = String(entry);
      const eq = s.indexOf('=');
      const colon = s.indexOf(':');
      const sep = eq >= 0 && (colon < 0 || eq < colon) ? eq : colon;
      return sep > 0 ? [{ value: s.slice(0, sep), path: [...path, 'extra_hosts', i], atKey: false }] : [];
    });
  }
  if (v && typeof v === 'object') return Object.keys(v).map((k) => ({ value: k, path: [...path, 'extra_hosts', k], atKey: true }));
  return [];
}

function aliases(raw: Raw, path: YamlPath): { value: string; path: YamlPath }[] {
  const nets = raw['networks'];
  if (!nets || typeof nets !== 'object' || Array.isArray(nets)) return [];
  return Object.entries(nets as Raw).flatMap(([name, e]) =>
    e && typeof e === 'object' ? listAt(e as Raw, 'aliases', [...path, 'networks', name]) : [],
  );
}

/** A container's words that land in its hosts and resolv.conf records. */
export function containerRecordProblems(raw: Raw, path: YamlPath): Diagnostic[] {
  const out = searchAndOptions(raw, path, { search: 'dns_search', opts: 'dns_opt' }, {});
  for (const h of extraHostNames(raw, path)) {
    const problem = recordWordProblem(h.value, 'extra_hosts name', '/etc/hosts');
    if (problem) out.push(error('BAD_NAME', h.path, problem, { atKey: h.atKey }));
  }
  for (const a of aliases(raw, path)) {
    const problem = recordWordProblem(a.value, 'alias', '/etc/hosts');
    if (problem) out.push(error('BAD_NAME', a.path, problem));
  }
  return out;
}

/** daemon.json's dns-search and dns-opts, which every container's resolv.conf takes unless it sets its own. */
export function daemonRecordProblems(raw: Raw, base: YamlPath, file: string | undefined): Diagnostic[] {
  return searchAndOptions(raw, base, { search: 'dns-search', opts: 'dns-opts' }, file ? { file } : {});
}
