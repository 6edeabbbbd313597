// Lock file text -> what it pins. The file is YAML (parsed as the input is: positions, duplicate keys);
// its layout is checked against shape.ts, every problem a LOCK_INVALID diagnostic at its line. Values are
// kept with their offsets only: a line and column are worked out when a message names one.
import { isMap, isScalar, type Document, type LineCounter, type Node } from 'yaml';
import { error, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import { deref, keyString } from '../diagnostics/yaml-nodes.ts';
import { parseSource, type ParsedSource } from '../parse/index.ts';
import { checkLeaf, LOCK_SHAPE, type Shape } from './shape.ts';
import { keyId, type LockKey, type LockPins, type Pinned } from './types.ts';

export interface ReadLock {
  readonly pins: LockPins;
  readonly parsed: ParsedSource;
  readonly diagnostics: readonly Diagnostic[];
}

class PinsOfFile implements LockPins {
  private readonly byKey = new Map<string, Pinned>();
  constructor(
    readonly file: string,
    private readonly lineCounter: LineCounter,
  ) {}
  add(p: Pinned): void {
    this.byKey.set(keyId(p.key), p);
  }
  get(key: LockKey): Pinned | undefined {
    return this.byKey.get(keyId(key));
  }
  all(): Iterable<Pinned> {
    return this.byKey.values();
  }
  where(p: Pinned): string {
    const { line, col } = this.lineCounter.linePos(p.offset);
    return `${this.file}:${line}:${col}`;
  }
}

/** Reads a lock file. An empty file pins nothing. */
export function readLock(text: string, file: string): ReadLock {
  const parsed = parseSource(text, file);
  const pins = new PinsOfFile(file, parsed.lineCounter);
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  if (diagnostics.some((d) => d.severity === 'error')) return { pins, parsed, diagnostics };
  const root = deref(parsed.doc, parsed.doc.contents);
  if (root === undefined || (isScalar(root) && root.value === null)) return { pins, parsed, diagnostics };
  const walker = { doc: parsed.doc, file, pins, diagnostics };
  walk(walker, root, LOCK_SHAPE, []);
  if (isMap(root) && !root.items.some((p) => keyString(p.key) === 'version')) {
    diagnostics.push(error('LOCK_INVALID', [], 'a lock file starts with `version: 1`', { file }));
  }
  return { pins, parsed, diagnostics };
}

interface Walker {
  readonly doc: Document;
  readonly file: string;
  readonly pins: PinsOfFile;
  readonly diagnostics: Diagnostic[];
}

function walk(w: Walker, node: Node | undefined, shape: Shape, path: string[]): void {
  const invalid = (p: YamlPath, message: string, atKey = false) => w.diagnostics.push(error('LOCK_INVALID', p, message, { file: w.file, ...(atKey ? { atKey } : {}) }));
  if (shape.kind === 'leaf') {
    const value = isScalar(node) ? node.value : undefined;
    const checked = checkLeaf(shape.leaf, value);
    if ('problem' in checked) invalid(path, `${path.at(-1)}: ${checked.problem}`);
    else if (shape.leaf !== 'version') w.pins.add({ key: path, value: checked.value, offset: node?.range?.[0] ?? 0 });
    return;
  }
  if (!isMap(node)) {
    invalid(path, path.length === 0 ? 'a lock file is a mapping (version, hosts, swarm)' : `${path.at(-1)} must be a mapping`);
    return;
  }
  for (const pair of node.items) {
    const key = keyString(pair.key);
    const value = deref(w.doc, pair.value);
    if (shape.kind === 'map') {
      walk(w, value, shape.of, [...path, key]);
      continue;
    }
    const field = Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined;
    if (!field) {
      const known = Object.keys(shape.fields).join(', ');
      invalid([...path, key], `unknown key "${key}" here (a lock file has ${known} at this place)`, true);
      continue;
    }
    walk(w, value, field, [...path, key]);
  }
}
