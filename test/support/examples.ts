// The bundled examples and their goldens, for tests that build every example.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type CompileResult } from '../../src/compile.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXAMPLES = path.join(REPO, 'examples');
export const GOLDEN = path.join(REPO, 'golden');

/** Example names (file names without .yaml), sorted; matrices and fixtures (*.e2e.yaml) excluded. */
export function exampleNames(): string[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml') && !f.endsWith('.e2e.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Compiles examples/<name>.yaml as the CLI does (daemon.json paths relative to the file). */
export function buildExample(name: string): CompileResult {
  const file = path.join('examples', `${name}.yaml`);
  const text = readFileSync(path.join(REPO, file), 'utf8');
  return compile({ file, text }, (ref) => {
    const p = path.join(EXAMPLES, ref);
    try {
      return { file: path.join('examples', ref), text: readFileSync(p, 'utf8') };
    } catch (e) {
      return { error: (e as Error).message };
    }
  });
}
