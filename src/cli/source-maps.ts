// `build --source-map`: the maps of a build's files, with their sources named relative to each map and
// hashed (so that blame can tell a source that changed since).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { outputSourceMaps, resultResolver, type CompileResult } from '../compile.ts';
import type { Topology } from '../topology/types.ts';

export function sourceMapFiles(r: CompileResult & { topologies: readonly Topology[] }, inputFile: string, dir: string): Iterable<[string, string]> {
  const hashes = new Map<string, string>();
  const hash = (file: string): string => {
    let h = hashes.get(file);
    if (h === undefined) hashes.set(file, (h = createHash('sha256').update(r.sources.get(file)?.text ?? '').digest('hex')));
    return h;
  };
  return outputSourceMaps(r.topologies, inputFile, {
    resolve: resultResolver(r),
    sourceRef: (file, mapPath) => ({
      path: path.relative(path.dirname(path.join(dir, mapPath)), file).split(path.sep).join('/'),
      sha256: hash(file),
    }),
  });
}
