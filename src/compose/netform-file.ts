// The netform file `netform import` writes for a compose project: the schema modeline, a header saying
// where it came from, then networks and containers in Docker's order, each under a comment naming the
// compose service or network it stands for. Deterministic: the same project gives the same bytes.
import { Document, isMap, isPair, isScalar, isSeq, Pair, Scalar, type YAMLMap } from 'yaml';
import type { Fragment, Plain } from './fragment.ts';

export interface NetformFileOptions {
  /** The `$schema=` reference for editors, relative to where the file is written. */
  readonly schemaRef: string;
  readonly projectName: string;
  /** The compose files, as given. */
  readonly files: readonly string[];
  /** `daemon:`: the daemon.json, relative to where the file is written. */
  readonly daemon?: string;
}

export function netformFileText(fragment: Fragment, o: NetformFileOptions): string {
  const value: Record<string, Plain> = { version: 1 };
  if (o.daemon !== undefined) value['daemon'] = o.daemon;
  value['networks'] = Object.fromEntries(fragment.networks.map((n) => [n.name, n.value]));
  value['containers'] = Object.fromEntries(fragment.containers.map((c) => [c.name, c.value]));
  const doc = new Document(value);
  const root = doc.contents as YAMLMap;
  for (const section of ['networks', 'containers'] as const) {
    const entries = section === 'networks' ? fragment.networks : fragment.containers;
    const map = root.get(section, true);
    if (!isMap(map)) continue;
    map.items.forEach((pair, i) => {
      if (isPair(pair) && isScalar(pair.key)) (pair.key as Scalar).commentBefore = ` ${entries[i]!.note}`;
      if (isPair(pair)) flowShortLists(pair);
    });
    if (map.items.length === 0) map.flow = true;
  }
  const files = o.files.join(', ');
  const header = [
    ` yaml-language-server: $schema=${o.schemaRef}`,
    ` Docker Compose project "${o.projectName}", imported by \`netform import\` from ${files}.`,
    ' Networks in the order Compose creates them, containers in the order it starts them (docs/compose.md).',
  ];
  doc.commentBefore = header.join('\n');
  return doc.toString({ lineWidth: 0, indentSeq: true, flowCollectionPadding: false });
}

/** Lists of plain scalars (aliases, expose, ports) on one line, as people write them; empty mappings as {}. */
function flowShortLists(node: unknown): void {
  if (isPair(node)) {
    flowShortLists(node.value);
    return;
  }
  if (isSeq(node)) {
    if (node.items.every((i) => isScalar(i))) node.flow = true;
    for (const item of node.items) {
      // "8080:80" is a string in YAML 1.2 but a base-60 number to a YAML 1.1 reader: quoted, it is a string to both.
      if (isScalar(item) && typeof item.value === 'string' && item.value.includes(':')) item.type = 'QUOTE_DOUBLE';
      else flowShortLists(item);
    }
    return;
  }
  if (isMap(node)) {
    if (node.items.length === 0) node.flow = true;
    node.items.forEach((p) => flowShortLists(p as Pair));
  }
}
