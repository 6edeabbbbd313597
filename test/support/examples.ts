// The bundled examples and their goldens, for tests that build every example.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type CompileResult } from '../../src/compile.ts';
import { parseSecrets, type OverlayKey } from '../../src/topology/overlay/secrets.ts';

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

/** The fixed test keys every example is built with (encrypted overlays need keys; goldens never hold them). */
export const TEST_KEYS_FILE = path.join(REPO, 'test', 'fixtures', 'secrets', 'test-keys.yaml');
let testKeys: OverlayKey[] | undefined;
export function testSecrets(): OverlayKey[] {
  if (!testKeys) {
    const parsed = parseSecrets(readFileSync(TEST_KEYS_FILE, 'utf8'), TEST_KEYS_FILE);
    if (parsed.diagnostics.length > 0) throw new Error(`${TEST_KEYS_FILE}: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
    testKeys = [...parsed.keys];
  }
  return testKeys;
}

/** Compiles examples/<name>.yaml as the CLI does (daemon.json paths relative to the file; `--secrets` the test keys). */
export function buildExample(name: string): CompileResult {
  const file = path.join('examples', `${name}.yaml`);
  const text = readFileSync(path.join(REPO, file), 'utf8');
  return compile({ file, text }, (ref) => {
    const p = path.join(EXAMPLES, ref);
    try {
      return { file: path.join('examples', ref), text: readFileSync(p, 'utf8') };
    } catch (e) {
      return { error: (e as Error).message, missing: (e as NodeJS.ErrnoException).code === 'ENOENT' };
    }
  }, { secrets: testSecrets() });
}
