// The documentation of the command line says what the code does: every diagnostic code in the table of
// docs/input.md with the meaning codes.ts gives it, and the exit codes in the README as EXIT has them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DIAGNOSTIC_CODES } from '../src/diagnostics/codes.ts';
import { EXIT } from '../src/cli/main.ts';
import { REPO } from './support/examples.ts';

test('docs/input.md lists every diagnostic code, and no other, with its meaning', () => {
  const doc = readFileSync(path.join(REPO, 'docs', 'input.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| `([A-Z0-9_]+)` \| (.*) \|$/gm)].map((m) => [m[1], m[2]]);
  assert.equal(rows, Object.entries(DIAGNOSTIC_CODES));
});

test('the README gives every exit code its meaning', () => {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  assert.equal(Object.values(EXIT), [0, 1, 2, 3]);
  assert.match(readme, /\*\*Exit codes\*\*: 0 success; 1 the input is invalid .* 2 the command could not do its work: a usage error .* a file that cannot be read or written .* 3 a bug in netform/s);
});
test.run();
