// `JSON.stringify(value, null, 2)` in pieces. topology.json of 100,000 containers is about a gigabyte,
// beyond the longest string V8 can make (2^29 characters), so it is written piece by piece.
//
// The pieces are cut along the "spine" of the value: arrays of many elements, and the few objects and
// short arrays that contain one. Everything else goes to the native JSON.stringify whole (it is several
// times faster than anything written in JavaScript), indented to its depth. The result is byte-identical
// to JSON.stringify's for plain data (same key order, same omission of undefined and functions; a value
// with a toJSON method is handed to JSON.stringify whole).

import type { Topology } from '../../topology/types.ts';
import type { FileContent, Renderer } from '../renderer.ts';

/** An array at least this long is cut per element. */
const LONG_ARRAY = 256;
/** How many nodes the size estimate of a short value may look at before calling it big. */
const ESTIMATE_BUDGET = 4096;

type Json = Record<string, unknown>;

const isContainer = (v: unknown): v is Json | unknown[] =>
  v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function';

/** Whether JSON.stringify leaves this value out of an object (and writes null for it in an array). */
const omitted = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/**
 * True when `v` holds a long array anywhere (looking through objects and short arrays), or has more
 * nodes than the budget allows; false when it is small enough to stringify in one piece.
 */
function isBig(v: unknown): boolean {
  let budget = ESTIMATE_BUDGET;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (!isContainer(x)) continue;
    const values = Array.isArray(x) ? x : Object.values(x);
    if (Array.isArray(x) && x.length >= LONG_ARRAY) return true;
    budget -= values.length + 1;
    if (budget < 0) return true;
    for (const y of values) if (isContainer(y)) stack.push(y);
  }
  return false;
}

/**
 * JSON.stringify(v, null, 2) as it appears at `indent`: nested in as many one-element arrays as the
 * indentation has levels, so that the native stringifier indents it, then cut out of them (cheaper than
 * re-indenting the text with a replace).
 */
function whole(v: unknown, indent: string): string {
  const depth = indent.length / 2;
  let wrapped = v;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  const s = JSON.stringify(wrapped, null, 2);
  // Each level adds "[\n" + its indentation before and "\n" + the outer indentation + "]" after.
  return depth === 0 ? s : s.slice(depth * depth + 3 * depth, s.length - (depth * depth + depth));
}

/** The pieces of `value` at `indent` (the indentation of the line it starts on). */
function* pieces(value: unknown, indent: string, cut: boolean): Generator<string> {
  if (!cut || !isContainer(value)) {
    yield whole(value, indent);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    if (value.length >= LONG_ARRAY && !isBig(value[0])) {
      // A long array of small elements (rules, containers, ports): stringified in slices, each cut out of
      // its brackets. An element that is not JSON (undefined, a function) becomes null, as it would.
      yield '[';
      for (let i = 0; i < value.length; i += LONG_ARRAY) {
        const text = whole(value.slice(i, i + LONG_ARRAY), indent);
        yield `${i === 0 ? '' : ','}${text.slice(1, text.length - indent.length - 2)}`;
      }
      yield `\n${indent}]`;
      return;
    }
    yield '[';
    let first = true;
    for (const item of value) {
      yield `${first ? '' : ','}\n${inner}`;
      first = false;
      if (omitted(item)) yield 'null';
      else yield* pieces(item, inner, isBig(item));
    }
    yield `\n${indent}]`;
    return;
  }
  let first = true;
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (omitted(item)) continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* pieces(item, inner, isBig(item));
  }
  yield first ? '{}' : `\n${indent}}`;
}

/** JSON.stringify(value, null, 2), as a sequence of strings to concatenate (or write one after another). */
export function jsonPieces(value: unknown): Iterable<string> {
  if (omitted(value)) throw new Error('jsonPieces: the value has no JSON text');
  return pieces(value, '', isBig(value));
}

function* topologyJson(t: Topology): Generator<readonly [string, FileContent]> {
  yield ['topology.json', (function* () {
    yield* jsonPieces(t);
    yield '\n';
  })()];
}

/** topology.json: the intermediate representation, for other tools. */
export const topologyJsonRenderer: Renderer = { name: 'topology.json', files: topologyJson };
