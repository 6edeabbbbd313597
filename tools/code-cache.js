// Run by tools/build.ts in a plain `node` (the V8 flags of the process that makes a code cache must be
// those of the processes that use it): loads the bundle as bin/netform.js does, builds the seed example
// once so that the functions a build uses get compiled, and saves V8's code cache beside the bundle.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_CACHE, loadBundle } from '../bin/load-bundle.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
rmSync(CODE_CACHE, { force: true });
const { exports, script } = loadBundle();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'netform-code-cache-'));
try {
  const quiet = { out: () => {}, err: () => {} };
  const code = await exports.main(['build', path.join(root, 'examples', 'my-net.yaml'), '-o', path.join(tmp, 'out')], quiet);
  if (code !== 0) throw new Error(`tools/code-cache.js: the warm-up build failed (exit ${code})`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
writeFileSync(CODE_CACHE, script.createCachedData());
