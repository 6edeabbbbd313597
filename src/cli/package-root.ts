// Where the netform package is installed, for files it ships (schemas/). The bundle runs as
// <root>/dist/netform.cjs, loaded as CommonJS with __filename set (bin/load-bundle.js); under tsx this
// module is <root>/src/cli/package-root.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  if (typeof __filename === 'string') return path.dirname(path.dirname(__filename));
  return path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
}

/** The netform schema, as a path relative to `dir` (for a `# yaml-language-server: $schema=` line). */
export function schemaRefFrom(dir: string): string {
  const rel = path.relative(path.resolve(dir), path.join(packageRoot(), 'schemas', 'netform.schema.json')).split(path.sep).join('/');
  return rel.startsWith('.') || rel.startsWith('/') ? rel : `./${rel}`;
}
