// What a compose project becomes in netform's input format: networks and containers (plain values, as a
// netform file would hold them, in the order Docker would create and start them), and for every value
// the compose node it came from, so that a problem netform finds later is reported at the compose file.
import type { YamlPath } from '../diagnostics/diagnostic.ts';
import type { CNode, Origin } from './tree.ts';

export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

export interface FragmentEntry {
  readonly name: string;
  readonly value: { [key: string]: Plain };
  /** A one-line note for a reader of an imported file (which service, which compose network). */
  readonly note: string;
}

export class Fragment {
  readonly networks: FragmentEntry[] = [];
  readonly containers: FragmentEntry[] = [];
  private readonly origins = new Map<string, Origin>();

  /** Records that the netform value at `path` was written as `origin`. */
  record(path: YamlPath, origin: Origin): void {
    this.origins.set(key(path), origin);
  }

  /** Records `node` and everything below it, at `path` and the same relative paths below it. */
  recordTree(path: YamlPath, node: CNode): void {
    this.record(path, node.origin);
    if (node.kind === 'map') for (const [k, v] of node.entries) this.recordTree([...path, k], v);
    if (node.kind === 'seq') node.items.forEach((v, i) => this.recordTree([...path, i], v));
  }

  /** The origin of the deepest recorded prefix of `path`, and how many segments it matched. */
  originOf(path: YamlPath): { origin: Origin; depth: number } | undefined {
    for (let n = path.length; n > 0; n--) {
      const o = this.origins.get(key(path.slice(0, n)));
      if (o) return { origin: o, depth: n };
    }
    return undefined;
  }

  /** Adds another fragment's entries and origins after this one's. */
  append(other: Fragment): void {
    this.networks.push(...other.networks);
    this.containers.push(...other.containers);
    for (const [k, v] of other.origins) this.origins.set(k, v);
  }
}

const key = (path: YamlPath) => JSON.stringify(path);

/** A compose node as a plain netform value. */
export function plain(node: CNode): Plain {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(plain);
  const out: { [key: string]: Plain } = {};
  for (const [k, v] of node.entries) out[k] = plain(v);
  return out;
}
