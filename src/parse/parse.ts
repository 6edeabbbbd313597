// Stage 1: text -> YAML document + plain value, with every syntax problem as a Diagnostic (never a throw).
//
// Parsing choices (each one is visible to users, see docs/input.md):
// - YAML 1.2 core schema, forced even under a `%YAML 1.1` directive: `no`, `off`, `on`, `yes` are strings,
//   only `true`/`false` are booleans; `0x1F`/`0o17` are integers; there are no timestamps. Docker's own
//   inputs (compose files through Go's yaml.v3, daemon.json through encoding/json) agree on `true`/`false`.
// - JSON is accepted: it is a subset of YAML 1.2 (tabs inside flow collections are fine).
// - `stringKeys`: every mapping key is a string (`80:` is the key "80", as in JSON); a collection used as a
//   key is an error.
// - Unique keys: a key repeated in one mapping is an error, reported at the second occurrence. netform checks
//   this itself, in one walk with the alias checks: yaml's own `uniqueKeys` compares each key with every
//   earlier key of its mapping, which is quadratic (minutes for a mapping of 100,000 containers).
// - One document per file: a second `---` document is an error.
// - Nesting is bounded (MAX_NESTING levels of collections): netform's own input is less than a dozen levels
//   deep, and the YAML library, the schema validator and every walk over the value recurse per level, so a
//   document thousands of levels deep would otherwise end in a stack overflow rather than a diagnostic.
import { LineCounter, parseDocument, visit, isAlias, isCollection, isMap, isPair, isScalar, type Alias, type Document, type Node } from 'yaml';
import { error, warning, type Diagnostic, appendAll } from '../diagnostics/diagnostic.ts';
import { keyString, pathOfNode } from '../diagnostics/yaml-nodes.ts';

export interface ParsedSource {
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /**
   * The document as plain data (`doc.toJS()`), or `undefined` when it cannot be built (an alias to a missing
   * anchor, an alias cycle, alias bombs). It is a best effort when `diagnostics` holds errors: callers should
   * stop before schema validation then.
   */
  readonly value: unknown;
  readonly diagnostics: Diagnostic[];
  /**
   * The value stands for the whole document as written: it was built, and the only errors are repeated
   * keys (the later value is kept, each repetition is reported) or a second document (ignored). Later
   * stages may then check the value and report their own problems beside these.
   */
  readonly sound: boolean;
}

/** Collections nested deeper than this are refused (the deepest path of a netform file is about 8). */
export const MAX_NESTING = 64;

const STACK_OVERFLOW = 'Maximum call stack size exceeded';
const tooDeep = `the document nests collections more than ${MAX_NESTING} levels deep, which no netform input does`;

export function parseSource(text: string, file: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false, // keep `pos` offsets; line/col is computed once, when printing
    strict: true,
    uniqueKeys: false, // checked by checkNodes(), in linear time, with the same semantics
    stringKeys: true,
    version: '1.2',
    schema: 'core',
    logLevel: 'error', // no console warnings (every problem becomes a Diagnostic); 'silent' would also drop MULTIPLE_DOCS
    keepSourceTokens: false,
  });

  const diagnostics: Diagnostic[] = [];
  const at = (range: readonly [number, number]) => ({ range: [range[0], Math.max(range[1], range[0])] as const, file });

  // Duplicate keys and aliases that point nowhere or into their own ancestors, in one walk.
  const checked = checkNodes(doc, lineCounter, file);

  // One broken line makes yaml report several errors (a tab used as indentation yields five): keep the first
  // error of each line, which names the cause.
  const errorLines = new Set<number>();
  let soundErrors = true;
  let overflowed = false;
  for (const e of doc.errors) {
    if (e.code !== 'MULTIPLE_DOCS') soundErrors = false;
    // The YAML library recurses per level: a document thousands of levels deep overflows its stack.
    const overflow = e.message.includes(STACK_OVERFLOW);
    if (overflow && overflowed) continue;
    overflowed ||= overflow;
    const [start, end] = e.pos;
    const line = lineCounter.linePos(start).line;
    if (errorLines.has(line)) continue;
    errorLines.add(line);
    const opening = e.code === 'MISSING_CHAR' ? unclosedQuote(doc, start) : undefined;
    if (opening !== undefined) {
      // yaml reports the end of the input; the opening quote is what the user has to look at.
      const q = text.charAt(opening);
      diagnostics.push(error('YAML_SYNTAX', [], `this ${q} quote is never closed`, at([opening, opening + 1])));
      continue;
    }
    const message = overflow ? tooDeep : syntaxMessage(e.code, e.message);
    diagnostics.push(error('YAML_SYNTAX', [], message, at([start, end])));
  }
  appendAll(diagnostics, checked.duplicates);
  for (const w of doc.warnings) {
    diagnostics.push(warning('YAML_WARNING', [], w.message, at(w.pos)));
  }
  diagnostics.push(...checked.aliases, ...(overflowed ? [] : checked.nesting));
  const valueUsable = checked.aliases.length === 0 && checked.nesting.length === 0;

  let value: unknown;
  if (valueUsable) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      value = undefined;
      const message = (e as Error).message.includes(STACK_OVERFLOW) ? tooDeep : (e as Error).message;
      diagnostics.push(error('YAML_SYNTAX', [], `cannot build the document: ${message}`, { file }));
    }
    // Aliases nest a value without nesting the text: an anchored list inside an anchored list, and so on.
    if (value !== undefined && checked.hasAliases && nestingOf(value) > MAX_NESTING) {
      value = undefined;
      diagnostics.push(error('YAML_SYNTAX', [], `${tooDeep} (through aliases)`, { file }));
    }
  }
  const sound = value !== undefined && soundErrors && checked.aliases.length === 0 && checked.nesting.length === 0;
  return { doc, lineCounter, value, diagnostics, sound };
}

/** How many collections deep a plain value is, walked without recursion. */
function nestingOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_NESTING) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function syntaxMessage(code: string, message: string): string {
  switch (code) {
    case 'MULTIPLE_DOCS':
      return 'the file holds more than one YAML document (a second `---`); netform reads exactly one';
    case 'NON_STRING_KEY':
      return 'mapping keys must be plain strings, not lists or mappings';
    default:
      return message;
  }
}

/** The start of the quoted scalar that runs to `end` without its closing quote. */
function unclosedQuote(doc: Document.Parsed, end: number): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Scalar(_k, node) {
      if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range?.[1] === end) {
        found = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Mappings up to this many keys are searched for a repeated key instead of indexed. */
const SHORT_MAPPING = 8;

interface Checked {
  /** A key repeated in its mapping, at each repetition. */
  readonly duplicates: Diagnostic[];
  /** Aliases to no anchor or to a collection that contains them (the value cannot be built). */
  readonly aliases: Diagnostic[];
  /** The first collection nested more than MAX_NESTING levels deep (the value is not built). */
  readonly nesting: Diagnostic[];
  readonly hasAliases: boolean;
}

/**
 * One walk over the document (keys included, aliases not followed), in linear time:
 * - Repeated keys, with yaml's semantics for `uniqueKeys` (two scalar keys are the same when their values
 *   are, `1` and `"1"` alike under stringKeys; other keys never are). Each repetition points at the whole
 *   repeated key and names the line of the first one (yaml's own DUPLICATE_KEY offset is imprecise after
 *   an empty value: it lands on the previous line).
 * - Aliases: yaml reports neither an alias to an unknown anchor nor an alias to one of its own ancestors
 *   (which toJS() turns into a cyclic value that would send schema validation into endless recursion).
 * The ancestor chain is kept as `visit` would hand it over (document, collections, pairs), and turned into
 * a YAML path only for a problem.
 */
function checkNodes(doc: Document.Parsed, lc: LineCounter, file: string): Checked {
  const duplicates: Diagnostic[] = [];
  const aliases: Diagnostic[] = [];
  const nesting: Diagnostic[] = [];
  let hasAliases = false;
  const ancestors: unknown[] = [doc];
  const alias = (node: Alias) => {
    const target = node.resolve(doc);
    const range = node.range ? { range: [node.range[0], Math.max(node.range[1], node.range[0])] as const, file } : { file };
    if (!target) {
      aliases.push(error('YAML_SYNTAX', pathOfNode(ancestors, node), `alias *${node.source} refers to no anchor; an anchor (&${node.source}) must be defined before it is used`, range));
    } else if (ancestors.includes(target as never)) {
      aliases.push(error('YAML_SYNTAX', pathOfNode(ancestors, node), `alias *${node.source} refers to a collection that contains it (a cycle)`, range));
    }
  };
  const walk = (node: unknown, depth: number): void => {
    if (isAlias(node)) {
      hasAliases = true;
      alias(node);
      return;
    }
    if (!isCollection(node)) return;
    if (depth >= MAX_NESTING) {
      if (nesting.length === 0) {
        const range = node.range ? { range: [node.range[0], node.range[0] + 1] as const, file } : { file };
        nesting.push(error('YAML_SYNTAX', [], tooDeep, range));
      }
      return;
    }
    ancestors.push(node);
    // Only mappings can repeat a key. A short mapping is searched (no allocation: most mappings have a
    // handful of keys); a long one keeps the first occurrence of each key in a Map.
    const mapping = isMap(node);
    const items = node.items as unknown[];
    let first: Map<unknown, number> | undefined;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (!isPair(item)) {
        walk(item, depth + 1);
        continue;
      }
      ancestors.push(item);
      const key = item.key as Node | null;
      if (mapping && isScalar(key) && key.range) {
        let seen: number | undefined;
        if (items.length <= SHORT_MAPPING) {
          for (let j = 0; j < i && seen === undefined; j++) {
            const other = items[j];
            if (isPair(other) && isScalar(other.key) && other.key.range && other.key.value === key.value) seen = other.key.range[0];
          }
        } else {
          first ??= new Map();
          seen = first.get(key.value);
          if (seen === undefined) first.set(key.value, key.range[0]);
        }
        if (seen !== undefined) {
          const name = keyString(key);
          const path = [...pathOfNode(ancestors.slice(0, -2), node), name];
          duplicates.push(error('YAML_SYNTAX', path, `duplicate key ${JSON.stringify(name)} (first at line ${lc.linePos(seen).line}): keys in a mapping must be unique`, { range: [key.range[0], key.range[1]], file }));
        }
      }
      walk(key, depth + 1);
      walk(item.value, depth + 1);
      ancestors.pop();
    }
    ancestors.pop();
  };
  walk(doc.contents, 0);
  return { duplicates, aliases, nesting, hasAliases };
}
