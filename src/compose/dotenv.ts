// A `.env` file as Compose reads it (compose-go dotenv/parser.go): `KEY=value` or `KEY: value` per
// statement, `export ` allowed in front, `#` comments on their own line or after ` #` in an unquoted
// value; single quotes keep the text as is, double quotes expand \n-style escapes and variables, and
// unquoted values expand variables too (through template.ts, looking up the variables given first, then
// the ones read so far). A key alone on its line takes the variable's value from outside, if it has one.
import { substitute, type Lookup } from './template.ts';

export type DotenvResult =
  | { readonly ok: true; readonly vars: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly line: number; readonly error: string };

class DotenvError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

// isSpace in parser.go: space characters except line breaks.
const SPACE = new Set(['\t', '\v', '\f', '\r', ' ', '\u0085', '\u00a0']);
const isUnicodeSpace = (c: string) => /\s/u.test(c);

/** Parses `text`; `outside` answers for variables the file does not set (and wins over it, as in Compose). */
export function parseDotenv(text: string, outside: Lookup): DotenvResult {
  const vars = new Map<string, string>();
  const state = { line: 1 };
  let src = text.replace(/^\uFEFF/, '');
  try {
    for (;;) {
      src = statementStart(src, state);
      if (src === '') break;
      const { key, rest, inherited } = keyName(src, state);
      if (key.includes(' ')) throw new DotenvError(state.line, 'key cannot contain a space');
      if (inherited) {
        const v = outside(key);
        if (v !== undefined) vars.set(key, v);
        src = rest;
        continue;
      }
      const { value, rest: after } = varValue(rest, state, (k) => outside(k) ?? vars.get(k));
      vars.set(key, value);
      src = after;
    }
  } catch (e) {
    if (e instanceof DotenvError) return { ok: false, line: e.line, error: e.message };
    throw e;
  }
  // dotenv.ReadWithLookup drops keys that start with a digit.
  for (const k of [...vars.keys()]) if (/^\s*\d/.test(k)) vars.delete(k);
  return { ok: true, vars };
}

function statementStart(src: string, state: { line: number }): string {
  for (;;) {
    let i = 0;
    while (i < src.length && isUnicodeSpace(src[i]!)) {
      if (src[i] === '\n') state.line++;
      i++;
    }
    if (i >= src.length) return '';
    src = src.slice(i);
    if (src[0] !== '#') return src;
    const nl = src.indexOf('\n');
    if (nl < 0) return '';
    src = src.slice(nl);
  }
}

function keyName(src: string, state: { line: number }): { key: string; rest: string; inherited: boolean } {
  if (/^export\s+/.test(src)) src = trimLeftSpace(src.slice('export'.length));
  let key = '';
  let offset = 0;
  let inherited = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (SPACE.has(c)) continue;
    if (c === '=' || c === ':' || c === '\n') {
      key = src.slice(0, i);
      offset = i + 1;
      inherited = c === '\n';
      break;
    }
    if (c === '_' || c === '.' || c === '-' || c === '[' || c === ']' || /[\p{L}\p{N}]/u.test(c)) continue;
    throw new DotenvError(state.line, `unexpected character ${JSON.stringify(c)} in variable name ${JSON.stringify(src.split('\n')[0])}`);
  }
  // Without a separator (a last line `KEY` and no line break) parser.go leaves the key empty and reads the
  // line as the value of "": kept so, it names no variable anyone can use.
  if (inherited && !key.includes(' ')) state.line++;
  return { key: key.replace(/\s+$/u, ''), rest: trimLeftSpace(src.slice(offset)), inherited };
}

const trimLeftSpace = (s: string) => {
  let i = 0;
  while (i < s.length && SPACE.has(s[i]!)) i++;
  return s.slice(i);
};

function varValue(src: string, state: { line: number }, lookup: Lookup): { value: string; rest: string } {
  const quote = src[0] === '"' || src[0] === "'" ? src[0] : undefined;
  if (!quote) {
    const nl = src.indexOf('\n');
    let value = nl < 0 ? src : src.slice(0, nl);
    const rest = nl < 0 ? '' : src.slice(nl + 1);
    state.line++;
    const hash = value.indexOf(' #');
    if (hash >= 0) value = value.slice(0, hash);
    return { value: expand(value.replace(/\s+$/u, ''), lookup, state.line), rest };
  }
  let escaped = false;
  let chars = '';
  for (let i = 1; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\n') state.line++;
    if (c !== quote) {
      if (!escaped && c === '\\') {
        escaped = true;
        continue;
      }
      if (escaped) {
        escaped = false;
        chars += '\\';
      }
      chars += c;
      continue;
    }
    if (escaped) {
      escaped = false;
      chars += c;
      continue;
    }
    const value = quote === '"' ? expand(expandEscapes(chars), lookup, state.line) : chars;
    return { value, rest: src.slice(i + 1) };
  }
  const nl = src.indexOf('\n');
  throw new DotenvError(state.line, `unterminated quoted value ${nl < 0 ? src : src.slice(0, nl)}`);
}

function expand(value: string, lookup: Lookup, line: number): string {
  const r = substitute(value, lookup);
  if (!r.ok) throw new DotenvError(line, r.error);
  return r.value;
}

const ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', c: '\\c', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };

/** expandEscapes: the shell escapes Compose supports in double quotes; `\$` stays a literal `$`. */
function expandEscapes(s: string): string {
  return s.replace(/\\(?:[abcfnrtv$"\\]|0\d{0,3})/g, (m) => {
    if (m === '\\$') return '$$';
    if (m.startsWith('\\0')) {
      // Go's UnquoteChar of \ooo: exactly three octal digits, else the text stays as written.
      const oct = m.slice(2);
      return /^[0-7]{3}$/.test(oct) && parseInt(oct, 8) < 256 ? String.fromCharCode(parseInt(oct, 8)) : m;
    }
    const e = ESCAPES[m[1]!];
    // `\c` is no Go escape: UnquoteChar fails and the match is kept.
    return e === undefined || e === '\\c' ? m : e;
  });
}
