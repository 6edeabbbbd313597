// Loads dist/netform.cjs (the bundled command line, built by tools/build.ts) with V8's code cache for it,
// dist/netform.cjs.cache, which the build makes after one warm-up run: the bundle's functions arrive
// compiled instead of being parsed and compiled on every start (about a third of a small build's time).
// A cache made by another Node version is rejected by V8, and the bundle is then compiled as usual.
//
// Node's modules are taken with process.getBuiltinModule where Node has it (20.16 on): an `import` of a
// built-in module makes its ES module facade, which reads every export (node:fs's lazy streams among
// them), a measurable part of a short command's start-up.
const builtin = (name) => process.getBuiltinModule?.(name) ?? null;
const { readFileSync } = builtin('node:fs') ?? (await import('node:fs'));
const Module = builtin('node:module') ?? (await import('node:module')).default;
const path = builtin('node:path') ?? (await import('node:path')).default;
const vm = builtin('node:vm') ?? (await import('node:vm')).default;
const { fileURLToPath } = builtin('node:url') ?? (await import('node:url'));
const { createRequire } = Module;

export const BUNDLE = fileURLToPath(new URL('../dist/netform.cjs', import.meta.url));
export const CODE_CACHE = `${BUNDLE}.cache`;

/** The bundle's exports, and the script (for tools/code-cache.js, which makes the cache). */
export function loadBundle() {
  let cachedData;
  try {
    cachedData = readFileSync(CODE_CACHE);
  } catch {
    cachedData = undefined;
  }
  let source;
  try {
    source = readFileSync(BUNDLE, 'utf8');
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
    throw new Error(`netform: ${BUNDLE} is missing; build it with \`npm run build\` (npm ci does it)`);
  }
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  return { exports: module.exports, script };
}
