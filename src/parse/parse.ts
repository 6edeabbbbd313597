// Stage 1: text -> YAML document + plain value, with every syntax problem as a Diagnostic (never a throw).
//
// Parsing choices (each one is visible to users, see docs/input.md):
// - YAML 1.2 core schema, forced even under a `%YAML 1.1` directive: `no`, `off`, `on`, `yes` are strings,
//   only `true`/`false` are booleans; `0x1F`/`0o17` are integers; there are no timestamps. Docker's own
//   inputs (compose files through Go's yaml.v3, daemon.json through encoding/json) agree on `true`/`false`.
// - JSON is accepted: it is a subset of YAML 1.2 (tabs inside flow collections are fine).
// - `stringKeys`: every mapping key is a string (`80:` is the key "80", as in JSON); a collection used as a
//   key is an error.
// - `uniqueKeys`: a key repeated in one mapping is an error, reported at the second occurrence.
// - One document per file: a second `---` document is an error.
import { LineCounter, parseDocument, visit, isPair, type Document, type Node } from 'yaml';
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { keyString, pathOfNode } from './nodes.ts';

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
}

export function parseSource(text: string, file: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false, // keep `pos` offsets; line/col is computed once, when printing
    strict: true,
    uniqueKeys: true,
    stringKeys: true,
    version: '1.2',
    schema: 'core',
    logLevel: 'error', // no console warnings (every problem becomes a Diagnostic); 'silent' would also drop MULTIPLE_DOCS
    keepSourceTokens: false,
  });

  const diagnostics: Diagnostic[] = [];
  const at = (range: readonly [number, number]) => ({ range: [range[0], Math.max(range[1], range[0])] as const, file });

  // One broken line makes yaml report several errors (a tab used as indentation yields five): keep the first
  // error of each line, which names the cause.
  const errorLines = new Set<number>();
  const duplicates = doc.errors.some((e) => e.code === 'DUPLICATE_KEY') ? duplicateKeys(doc, lineCounter, file) : [];
  for (const e of doc.errors) {
    if (e.code === 'DUPLICATE_KEY' && duplicates.length > 0) continue; // reported precisely below
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
    diagnostics.push(error('YAML_SYNTAX', [], syntaxMessage(e.code, e.message), at([start, end])));
  }
  diagnostics.push(...duplicates);
  for (const w of doc.warnings) {
    diagnostics.push(warning('YAML_WARNING', [], w.message, at(w.pos)));
  }

  // Aliases: yaml reports neither an alias to an unknown anchor nor an alias to one of its own ancestors
  // (which toJS() turns into a cyclic value that would send schema validation into endless recursion).
  let valueUsable = true;
  visit(doc, {
    Alias(_key, alias, ancestors) {
      const target = alias.resolve(doc);
      const range = alias.range ? at([alias.range[0], alias.range[1]]) : { file };
      if (!target) {
        valueUsable = false;
        diagnostics.push(error('YAML_SYNTAX', pathOfNode(ancestors, alias), `alias *${alias.source} refers to no anchor; an anchor (&${alias.source}) must be defined before it is used`, range));
      } else if (ancestors.includes(target as never)) {
        valueUsable = false;
        diagnostics.push(error('YAML_SYNTAX', pathOfNode(ancestors, alias), `alias *${alias.source} refers to a collection that contains it (a cycle)`, range));
      }
    },
  });

  let value: unknown;
  if (valueUsable) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      value = undefined;
      diagnostics.push(error('YAML_SYNTAX', [], `cannot build the document: ${(e as Error).message}`, { file }));
    }
  }
  return { doc, lineCounter, value, diagnostics };
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

/**
 * Repeated keys, found by walking the document rather than from yaml's DUPLICATE_KEY errors, whose offset
 * is imprecise after an empty value (it lands on the previous line). Each repetition points at the whole
 * repeated key and names the line of the first one.
 */
function duplicateKeys(doc: Document.Parsed, lc: LineCounter, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(doc, {
    Map(_k, map, ancestors) {
      const first = new Map<string, number>();
      for (const item of map.items) {
        if (!isPair(item)) continue;
        const keyNode = item.key as Node | null;
        const name = keyString(keyNode);
        const r = keyNode?.range;
        if (!r) continue;
        const seen = first.get(name);
        if (seen === undefined) {
          first.set(name, r[0]);
          continue;
        }
        const path = [...pathOfNode(ancestors, map), name];
        out.push(error('YAML_SYNTAX', path, `duplicate key ${JSON.stringify(name)} (first at line ${lc.linePos(seen).line}): keys in a mapping must be unique`, { range: [r[0], r[1]], file }));
      }
    },
  });
  return out;
}
