// A test's helper program bundled into one plain JavaScript file, for the tests that start it as a fresh
// process many times or must not share this one (test/determinism.test.ts, test/cli-output-atomic.test.ts).
// `node --import tsx` spends most of a second of CPU on every start (the loader thread, transpiling and
// resolving each module); `node bundle.mjs` starts in a fraction of that. esbuild transpiles the
// TypeScript as tsx does; each module's import.meta.url and import.meta.dirname keep the values they
// have under tsx (their own file), so paths computed from them do not move to the bundle's folder.
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { scratchDir } from './scratch.ts';

const REPO = path.resolve(import.meta.dirname, '..', '..');

/** Rewrites import.meta.url / import.meta.dirname in the repository's own TypeScript to literals. */
const ownImportMeta: Plugin = {
  name: 'netform-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!args.path.startsWith(REPO + path.sep) || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      const contents = source
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)));
      return { contents, loader: 'ts' };
    });
  },
};

/** Bundles `entry` (a path) into `outfile`, an ES module that plain `node` runs. */
export async function bundleForNode(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // CommonJS packages in the bundle (yaml, ajv) call require().
    banner: { js: "import { createRequire as __netformRequire } from 'node:module'; const require = __netformRequire(import.meta.url);" },
    plugins: [ownImportMeta],
  });
}

let sourceCli: Promise<string> | undefined;

/**
 * `netform` from the sources (test/apply/cli-entry.ts) as one plain-node file, for tests that run the
 * command line as a process of its own: bundled once per process, into a scratch directory removed when
 * the process exits. The same code as `node --import tsx test/apply/cli-entry.ts`, without a loader
 * transpiling every module of src/ again in every process.
 */
export function sourceCliBundle(): Promise<string> {
  sourceCli ??= (async () => {
    const dir = scratchDir('netform-cli');
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'netform.mjs');
    await bundleForNode(path.join(REPO, 'test', 'apply', 'cli-entry.ts'), file);
    return file;
  })();
  return sourceCli;
}
