#!/usr/bin/env node
// Entry point: the bundled command line (npm ci runs `prepare`, which builds it; see tools/build.ts).
import { loadBundle } from './load-bundle.js';

const { main } = loadBundle().exports;
process.exitCode = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
});
