#!/usr/bin/env node
// Entry point, and the only code that touches `process`: the bundled command line (npm ci runs
// `prepare`, which builds it; see tools/build.ts) gets the arguments, where to write, the environment
// and whether stderr is a terminal (for colour), and returns the exit code.
'use strict';
const { loadBundle } = require('./load-bundle.js');

const { main } = loadBundle().exports;
main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  env: process.env,
  stderrIsTTY: process.stderr.isTTY === true,
}).then((code) => {
  process.exitCode = code;
});
