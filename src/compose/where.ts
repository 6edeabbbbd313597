// Where a compose diagnostic points: the node's own file and offsets (see tree.ts for why offsets and not
// a path), the key that holds it with `key: true`.
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { CNode, Origin } from './tree.ts';

export function at(node: CNode | { readonly origin: Origin }, options: { readonly key?: boolean } = {}): Partial<Diagnostic> {
  const o = node.origin;
  const range = options.key && o.keyRange ? o.keyRange : o.range;
  return { file: o.file, range };
}
