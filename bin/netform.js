#!/usr/bin/env node
// Entry point: the compiled CLI (npm ci runs `prepare`, which compiles src/ to dist/).
import { main } from '../dist/src/cli/main.js';

const code = main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
});
process.exitCode = code;
