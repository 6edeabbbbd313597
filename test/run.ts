// Runs every test/**/*.test.ts with uvu (through tsx) and ends with the plain line CI reads:
// "N passed, N failed" (uvu's own summary is not read by CI). Exits non-zero on any failure or when
// no test ran at all, so an empty run can never look green.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const uvu = path.join(root, 'node_modules', 'uvu', 'bin.js');
const args = ['--import', 'tsx', uvu, 'test', '\\.test\\.ts$', ...process.argv.slice(2)];
const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });

let out = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk: string) => {
  out += chunk;
  process.stdout.write(chunk);
});
child.on('close', (code) => {
  // Strip ANSI colours before reading uvu's summary.
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const num = (label: string) => Number(/\s*(\d+)\s*$/.exec(plain.match(new RegExp(`${label}:\\s*\\d+`))?.[0] ?? '')?.[1] ?? NaN);
  const total = num('Total');
  const passed = num('Passed');
  const skipped = num('Skipped');
  if (!Number.isFinite(total) || !Number.isFinite(passed)) {
    console.log('0 passed, 1 failed');
    console.error('test/run.ts: could not read uvu summary (did a test file crash on import?)');
    process.exit(1);
  }
  const failed = total - passed - (Number.isFinite(skipped) ? skipped : 0);
  const skippedPart = Number.isFinite(skipped) && skipped > 0 ? `, ${skipped} skipped` : '';
  console.log(`${passed} passed, ${failed} failed${skippedPart}`);
  if (total === 0 || passed === 0) {
    console.error('test/run.ts: no test ran');
    process.exit(1);
  }
  process.exit(failed > 0 || code !== 0 ? 1 : 0);
});
