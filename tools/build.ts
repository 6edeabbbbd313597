// npm run build (and prepare), after tsc has type-checked and written the library's declarations
// (tsconfig.lib.json -> dist/types): bundles the command line into one CommonJS file, dist/netform.cjs,
// and makes V8's code cache for it (tools/code-cache.js); bin/netform.js loads both
// (bin/load-bundle.js). The library entry (src/index.ts) becomes dist/index.js.
//
// Why: a build of the seed example is dominated by start-up. Node resolves and compiles each ES module
// and each of yaml's ~60 CommonJS files separately, ajv compiles the schema (~60 ms) and Handlebars the
// templates (~45 ms). One file, with the schema validator and the templates precompiled into it
// (tools/codegen.ts) and its functions precompiled in the code cache, starts in about a quarter of the
// time (bench/ measures it). Two modules are replaced in the bundle: src/schema/runtime-validator.ts by
// ajv's standalone code, and src/render/template/template-specs.ts by precompiled specs. The bundle
// must not contain ajv's or Handlebars' compilers: this script fails if it does. It is not minified
// (that gains nothing measurable once the code cache is there, and keeps stack traces readable).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { precompiledTemplatesSource, standaloneComposeValidatorSource, standaloneValidatorSource } from './codegen.ts';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const schemaDir = path.join(root, 'src', 'schema');
const composeDir = path.join(root, 'src', 'compose');
const outfile = path.join(root, 'dist', 'netform.cjs');

const precompiled: Plugin = {
  name: 'netform-precompiled',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]schema[\\/]runtime-validator\.ts$/ }, () => ({
      contents: "import validate from 'netform:standalone-validator';\nexport function loadValidator() { return validate; }\n",
      loader: 'js',
      resolveDir: schemaDir,
    }));
    b.onResolve({ filter: /^netform:standalone-validator$/ }, () => ({ path: 'standalone-validator', namespace: 'netform' }));
    b.onLoad({ filter: /.*/, namespace: 'netform' }, () => ({
      contents: standaloneValidatorSource('./ajv-config.ts'),
      loader: 'js',
      resolveDir: schemaDir,
    }));
    // The Compose specification's validator, generated ahead of time too (src/compose/schema-validator.ts).
    b.onLoad({ filter: /[\\/]src[\\/]compose[\\/]schema-validator\.ts$/ }, () => ({
      contents: "import validate from 'netform:compose-validator';\nexport function loadComposeValidator() { return validate; }\n",
      loader: 'js',
      resolveDir: composeDir,
    }));
    b.onResolve({ filter: /^netform:compose-validator$/ }, () => ({ path: 'compose-validator', namespace: 'netform-compose' }));
    b.onLoad({ filter: /.*/, namespace: 'netform-compose' }, () => ({ contents: standaloneComposeValidatorSource(), loader: 'js', resolveDir: composeDir }));
    b.onLoad({ filter: /[\\/]src[\\/]render[\\/]template[\\/]template-specs\.ts$/ }, () => ({
      contents: precompiledTemplatesSource(),
      loader: 'js',
    }));
  },
};

/** Modules whose presence in the bundle means a compiler is loaded at start-up again. */
const FORBIDDEN = [/node_modules[\\/]ajv[\\/]dist[\\/]core\.js$/, /node_modules[\\/]ajv[\\/]dist[\\/]2020\.js$/, /node_modules[\\/]handlebars[\\/]dist[\\/]cjs[\\/]handlebars[\\/]compiler[\\/]/];

// `node dist/netform.cjs ARGS` runs the command line by itself: that one file and node are the smallest
// install of a managed host (README, Ansible). bin/netform.js loads the bundle as a module of its own
// (bin/load-bundle.js), where require.main is not that module, and calls main itself.
const RUN_WHEN_MAIN = `if (require.main === module) {
  module.exports.main(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), env: process.env, stderrIsTTY: process.stderr.isTTY === true })
    .then((code) => { process.exitCode = code; });
}`;

// The bundle's build id (src/cli/compile-cache.ts keys its cache on it): the digest of the bundle's own
// text, written over a placeholder once the text is known, so that any change of code changes it.
const BUILD_ID_PLACEHOLDER = 'netform-build-id-0000000000000000000000000000000000000000000000000000000000000000';

rmSync(outfile, { force: true });
const result = await build({
  entryPoints: [path.join(root, 'src', 'cli', 'main.ts')],
  outfile,
  write: false,
  define: { NETFORM_BUILD_ID: JSON.stringify(BUILD_ID_PLACEHOLDER) },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  metafile: true,
  footer: { js: RUN_WHEN_MAIN },
  legalComments: 'none',
  logLevel: 'warning',
  // src/cli/package-root.ts reads import.meta only where the bundle's __filename is not there.
  logOverride: { 'empty-import-meta': 'silent' },
  plugins: [precompiled],
});
const bundleText = result.outputFiles[0]!.text;
if (bundleText.split(BUILD_ID_PLACEHOLDER).length !== 2) {
  console.error('tools/build.ts: the bundle must hold the build id placeholder exactly once');
  process.exit(1);
}
writeFileSync(outfile, bundleText.replace(BUILD_ID_PLACEHOLDER, createHash('sha256').update(bundleText).digest('hex')));
const bad = Object.keys(result.metafile.inputs).filter((f) => FORBIDDEN.some((re) => re.test(f)));
if (bad.length > 0) {
  console.error(`tools/build.ts: the bundle contains a compiler it must not load at start-up:\n  ${bad.join('\n  ')}`);
  process.exit(1);
}

// The library (package.json "exports"): src/index.ts as one ES module beside the declarations tsc wrote
// to dist/types, with the same precompiled validator and templates.
await build({
  entryPoints: [path.join(root, 'src', 'index.ts')],
  outfile: path.join(root, 'dist', 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  // The CommonJS dependencies inside (yaml, ajv's runtime) call require() for Node's own modules.
  banner: { js: "import { createRequire as netformCreateRequire } from 'node:module';\nconst require = netformCreateRequire(import.meta.url);" },
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [precompiled],
});

const cache = spawnSync(process.execPath, [path.join(root, 'tools', 'code-cache.js')], { stdio: 'inherit' });
if (cache.status !== 0) process.exit(cache.status ?? 1);
