// The inputs the tests build: the user examples (examples/<name>.yaml, reviewed outputs in
// golden/<name>/) and the test scenarios (test/scenarios/<name>.yaml, outputs in test/golden/<name>/).
// Both are "examples" here, named by file name; a name is unique across the two folders.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type CompileOptions, type CompileResult, type DaemonFileReader, type SourceFile } from '../../src/compile.ts';
import { parseSecrets, type OverlayKey } from '../../src/topology/overlay/secrets.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXAMPLES = path.join(REPO, 'examples');
export const SCENARIOS = path.join(REPO, 'test', 'scenarios');
/** The e2e matrix of every example that has one: test/e2e/matrices/<name>.e2e.yaml. */
export const MATRICES = path.join(REPO, 'test', 'e2e', 'matrices');

export interface Example {
  readonly name: string;
  /** The input, relative to the repository (as the CLI would be given it from there). */
  readonly file: string;
  /** The golden directory, relative to the repository. */
  readonly golden: string;
}

const FOLDERS = [
  { inputs: 'examples', golden: 'golden' },
  { inputs: path.join('test', 'scenarios'), golden: path.join('test', 'golden') },
] as const;

/** Every golden directory (each holds <example>/<host>/...). */
export const GOLDEN_DIRS = FOLDERS.map((f) => path.join(REPO, f.golden));

let all: Map<string, Example> | undefined;

function load(): Map<string, Example> {
  if (all) return all;
  const found = new Map<string, Example>();
  for (const f of FOLDERS) {
    for (const entry of readdirSync(path.join(REPO, f.inputs)).filter((e) => e.endsWith('.yaml')).sort()) {
      const name = entry.slice(0, -'.yaml'.length);
      const prior = found.get(name);
      if (prior) throw new Error(`example name ${name} is used twice: ${prior.file} and ${path.join(f.inputs, entry)}`);
      found.set(name, { name, file: path.join(f.inputs, entry), golden: path.join(f.golden, name) });
    }
  }
  all = new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return all;
}

/** Every example, user examples and test scenarios alike, sorted by name. */
export const examples = (): Example[] => [...load().values()];

/** Example names, sorted. */
export const exampleNames = (): string[] => [...load().keys()];

export function example(name: string): Example {
  const e = load().get(name);
  if (!e) throw new Error(`no example named ${name} in examples/ or test/scenarios/`);
  return e;
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

/** Changes an example's input before it is compiled (the e2e suite's second backend). */
export type ExampleVariant = (source: SourceFile, readDaemon: DaemonFileReader) => { source: SourceFile; readDaemon: DaemonFileReader };

/**
 * Compiles an example as the CLI does (daemon.json paths relative to the file; `--secrets` the test keys);
 * `options` added (a lock), `variant` applied to the input first.
 */
export function buildExample(name: string, options: CompileOptions = {}, variant?: ExampleVariant): CompileResult {
  const { file } = example(name);
  const text = readFileSync(path.join(REPO, file), 'utf8');
  const read: DaemonFileReader = (ref) => {
    const rel = path.join(path.dirname(file), ref);
    try {
      return { file: rel, text: readFileSync(path.join(REPO, rel), 'utf8') };
    } catch (e) {
      return { error: (e as Error).message, missing: (e as NodeJS.ErrnoException).code === 'ENOENT' };
    }
  };
  const input = variant ? variant({ file, text }, read) : { source: { file, text }, readDaemon: read };
  return compile(input.source, input.readDaemon, { secrets: testSecrets(), ...options });
}
