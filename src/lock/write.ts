// What a compile chose -> the lock file's text: the same choices give the same bytes. Fields in the order
// shape.ts lists them, names sorted (by code unit, the same on every machine), one line per endpoint,
// family or port, so that a change to one allocation is one line of diff.
import { LOCK_SHAPE, LOCK_VERSION, type Shape } from './shape.ts';
import type { Choice, LockValue } from './types.ts';

type Tree = Map<string, Tree | LockValue>;

const HEADER = `# netform lock file: the allocations netform chose (subnets, gateways, addresses, MACs, bridge ids,
# VNIs, host ports), kept when the input is edited so that nothing is renumbered. Commit it with the
# input. netform rewrites it when allocations are added or freed; delete an entry to let netform choose
# that allocation again.
`;

/** The lock file's text for these choices (a key chosen twice keeps its first value). */
export function lockText(choices: readonly Choice[]): string {
  const root: Tree = new Map();
  for (const c of choices) {
    let t = root;
    for (const part of c.key.slice(0, -1)) {
      let next = t.get(part);
      if (!(next instanceof Map)) {
        next = new Map();
        t.set(part, next);
      }
      t = next;
    }
    const last = c.key.at(-1)!;
    if (!t.has(last)) t.set(last, c.value);
  }
  const lines = [HEADER.trimEnd(), `version: ${LOCK_VERSION}`];
  emitBlock(root, LOCK_SHAPE, '', lines);
  return `${lines.join('\n')}\n`;
}

/** The entries of a level in the order they are written: a record's fields as the shape lists them, names sorted. */
function ordered(tree: Tree, shape: Shape): [string, Tree | LockValue, Shape][] {
  if (shape.kind === 'map') return [...tree.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => [k, tree.get(k)!, shape.of]);
  if (shape.kind === 'record') {
    for (const k of tree.keys()) if (!Object.hasOwn(shape.fields, k)) throw new Error(`lock: no place for "${k}" in the lock file's layout`);
    return Object.entries(shape.fields).filter(([k]) => tree.has(k)).map(([k, s]) => [k, tree.get(k)!, s]);
  }
  return [];
}

function emitBlock(tree: Tree, shape: Shape, indent: string, lines: string[]): void {
  for (const [k, v, s] of ordered(tree, shape)) {
    if (!(v instanceof Map)) lines.push(`${indent}${keyOut(k)}: ${valueOut(v)}`);
    else if (s.kind === 'record' && s.flow) lines.push(`${indent}${keyOut(k)}: {${ordered(v, s).map(([fk, fv]) => `${keyOut(fk)}: ${valueOut(fv as LockValue)}`).join(', ')}}`);
    else {
      lines.push(`${indent}${keyOut(k)}:`);
      emitBlock(v, s, `${indent}  `, lines);
    }
  }
}

/** Keys that every YAML reader (1.1 included) reads back as the same string are written plain. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const YAML_WORDS = /^(y|n|yes|no|on|off|true|false|null)$/i;
/** An IPv4 address or prefix is never anything but a string; every other string is quoted. */
const PLAIN_VALUE = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

const keyOut = (k: string): string => (PLAIN_KEY.test(k) && !YAML_WORDS.test(k) ? k : JSON.stringify(k));
const valueOut = (v: LockValue): string => (typeof v === 'number' || PLAIN_VALUE.test(v) ? String(v) : JSON.stringify(v));
