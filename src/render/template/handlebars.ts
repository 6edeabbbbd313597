// One Handlebars environment for every text template: compiled once per process, never HTML-escaping
// (noEscape), strict (a missing field is an error, not an empty string). Shell words go through the
// `sh` helper; nothing else reaches a script unquoted except names validated to a safe alphabet.
import Handlebars from 'handlebars';

const hb = Handlebars.create();

/** POSIX single-quote quoting: the one form in which no character is special. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A word inside an `ip -batch` heredoc or a single-quoted snippet. Only netform's safe alphabet is
 * allowed there (the heredoc expands $P, ip's tokenizer splits on spaces), so anything else is a bug.
 */
export function batchWord(word: string): string {
  if (!/^[A-Za-z0-9_.:/+-]+$/.test(word)) throw new Error(`netform: unsafe word in a generated script: ${JSON.stringify(word)}`);
  return word;
}

hb.registerHelper('sh', (w: unknown) => shellQuote(String(w)));
hb.registerHelper('bw', (w: unknown) => batchWord(String(w)));

const cache = new Map<string, Handlebars.TemplateDelegate>();

export function template<T>(name: string, source: string): (data: T) => string {
  let t = cache.get(name);
  if (!t) {
    t = hb.compile(source, { noEscape: true, strict: true });
    cache.set(name, t);
  }
  return t as (data: T) => string;
}
