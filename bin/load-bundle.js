// Loads dist/netform.cjs (the bundled command line, built by tools/build.ts) with V8's code cache for it,
// dist/netform.cjs.cache, which the build makes after one warm-up run: the bundle's functions arrive
// compiled instead of being parsed and compiled on every start (about a third of a small build's time).
// A cache made by another Node version is rejected by V8, and the bundle is then compiled as usual.
//
// CommonJS (bin/package.json), as bin/netform.js: Node starts a CommonJS entry without its ES module
// loader, which every command would otherwise pay for at start-up.
'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const BUNDLE = path.join(__dirname, '..', 'dist', 'netform.cjs');
const CODE_CACHE = `${BUNDLE}.cache`;

/** The bundle's exports, and the script (for tools/code-cache.js, which makes the cache). */
function loadBundle() {
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
  script.runInThisContext()(module.exports, Module.createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  return { exports: module.exports, script };
}

exports.BUNDLE = BUNDLE;
exports.CODE_CACHE = CODE_CACHE;
exports.loadBundle = loadBundle;
