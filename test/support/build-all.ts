// Builds every example in this process and prints, as JSON, the sha256 of every output file
// ({example: {path: hex}}). test/determinism.test.ts runs it in fresh processes, in both orders, so
// that output cannot depend on a warm cache, on what was built before, or on the process.
//   node --import tsx test/support/build-all.ts [reverse]
import { createHash } from 'node:crypto';
import { buildExample, exampleNames } from './examples.ts';

const names = exampleNames();
if (process.argv[2] === 'reverse') names.reverse();
const out: Record<string, Record<string, string>> = {};
for (const name of names) {
  const files = buildExample(name).files;
  if (!files) throw new Error(`${name} does not build`);
  out[name] = Object.fromEntries([...files].map(([k, v]) => [k, createHash('sha256').update(v).digest('hex')]));
}
process.stdout.write(`${JSON.stringify(out)}\n`);
