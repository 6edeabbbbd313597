// One Handlebars environment for every text template, compiled with COMPILE_OPTIONS (never
// HTML-escaping, strict). Only handlebars' runtime is loaded here: templates arrive precompiled
// (template-specs.ts). Words reach a template already checked by the view that renders it: shell words
// quoted with shellQuote, names in netform's safe alphabet checked by batchWord (it throws otherwise).
import type HandlebarsNamespace from 'handlebars';
import HandlebarsRuntime from 'handlebars/runtime.js';
import { templateSpec } from './template-specs.ts';

const hb = (HandlebarsRuntime as unknown as typeof HandlebarsNamespace).create();

const SHELL_SAFE = /^[A-Za-z0-9_./:=@%+-]+$/;
const BATCH_SAFE = /^[A-Za-z0-9_.:/+-]+$/;

/** POSIX single-quote quoting: the one form in which no character is special. */
export function shellQuote(word: string): string {
  if (SHELL_SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Text from the input (a file name) for a `#` comment of a shell script: a comment ends at the first
 * line break, so every character outside printable ASCII (line breaks, carriage returns, other
 * controls, and non-ASCII, which a terminal may draw as a line break) is written as an escape, `\n`,
 * `\r`, `\t`, `\xHH`, `\u{H...}`, and a backslash as `\\`; the result is shell-quoted so that it reads
 * as one word. The text can neither end the comment nor the quoted word.
 */
export function commentWord(text: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };
  const escaped = text.replace(/[^\x20-\x5b\x5d-\x7e]/gu, (c) => {
    if (named[c]) return named[c];
    const code = c.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
  return shellQuote(escaped);
}

/**
 * A word inside an `ip -batch` heredoc or a single-quoted snippet. Only netform's safe alphabet is
 * allowed there (the heredoc expands $P, ip's tokenizer splits on spaces), so anything else is a bug.
 */
export function batchWord(word: string): string {
  if (!BATCH_SAFE.test(word)) throw new Error(`netform: unsafe word in a generated script: ${JSON.stringify(word)}`);
  return word;
}

const cache = new Map<string, HandlebarsTemplateDelegate>();

/** A template of this environment from its precompiled spec. */
export function templateFromSpec<T>(spec: TemplateSpecification): (data: T) => string {
  return hb.template(spec) as (data: T) => string;
}

/** The template `name` made from `source` (once per process). */
export function template<T>(name: string, source: string): (data: T) => string {
  let t = cache.get(name);
  if (!t) {
    t = hb.template(templateSpec(name, source));
    cache.set(name, t);
  }
  return t as (data: T) => string;
}
