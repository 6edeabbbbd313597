// `build -o DIR` replaces DIR atomically, proven by killing builds: at each step of publishTree, then
// 100 times at random moments (in four directories side by side, 25 kills each, so that one build's
// start-up overlaps another's wait). After every kill DIR is the old complete tree or the new complete
// tree (never absent, never a mix, and a reader looking at it every millisecond while the build runs
// never finds it missing), and the next build removes everything killed builds left behind.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MARKER, publishTree, readTree } from '../src/cli/output-dir.ts';
import { contentText } from '../src/render/files/index.ts';
import { bundleForNode } from './support/bundle.ts';
import { tree } from './support/publish-tree.ts';
import { scratchDir } from './support/scratch.ts';

const scratch = scratchDir('netform-atomic');
test.after(() => rmSync(scratch, { recursive: true, force: true }));

// The child is bundled once: a plain `node child.mjs` starts in a few tens of milliseconds (tsx would
// take ten times that), so that 100 kills fit in the suite's time.
const child = path.join(scratch, 'publish-child.mjs');
await bundleForNode(path.join(import.meta.dirname, 'support', 'publish-child.ts'), child);

const expected = (variant: string): Map<string, string> => new Map([...tree(variant)].map(([rel, c]) => [rel, contentText(c as never)]));
const TREES: Record<string, Map<string, string>> = { A: expected('A'), B: expected('B') };

/** Which complete tree DIR holds, or a description of what is wrong with it. */
function holds(dir: string): string {
  if (!existsSync(dir)) return 'absent';
  const got = readTree(dir);
  for (const [name, t] of Object.entries(TREES)) {
    if (got.size === t.size && [...t].every(([k, v]) => got.get(k) === v)) return name;
  }
  return `a mix (${got.size} files)`;
}

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Times a reader polling DIR during the run found it missing, out of how many looks. */
  readonly missing: number;
  readonly looks: number;
  readonly ms: number;
}

/** Runs the child; kills it after `killAfterMs` if given; polls DIR all along. */
function runChild(dir: string, variant: string, opts: { step?: string; killAfterMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const p = spawn(process.execPath, [child, dir, variant, ...(opts.step ? [opts.step] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let looks = 0;
    let missing = 0;
    let running = true;
    const poll = () => {
      if (!running) return;
      looks++;
      if (!existsSync(path.join(dir, '.netform-output'))) missing++;
      setTimeout(poll, 1);
    };
    if (existsSync(dir)) poll();
    const timer = opts.killAfterMs !== undefined ? setTimeout(() => p.kill('SIGKILL'), opts.killAfterMs) : undefined;
    p.on('error', reject);
    p.on('exit', (status, signal) => {
      running = false;
      if (timer) clearTimeout(timer);
      if (status !== 0 && signal === null) reject(new Error(`child failed: ${stderr}`));
      else resolve({ status, signal, missing, looks, ms: Date.now() - start });
    });
  });
}

const store = (dir: string) => path.join(path.dirname(dir), `.${path.basename(dir)}.netform`);

test('killed at each step of publishing: the old tree before the swap, the new one after, no leftovers after the next build', async () => {
  const dir = path.join(scratch, 'steps');
  assert.is((await runChild(dir, 'A')).status, 0);
  assert.is(holds(dir), 'A');
  let current = 'A';
  for (const step of ['store-ready', 'version-written', 'link-made', 'swapped', 'done']) {
    const next = current === 'A' ? 'B' : 'A';
    const r = await runChild(dir, next, { step });
    assert.is(r.signal, 'SIGKILL', step);
    assert.is(r.missing, 0, `${step}: DIR was missing while the build ran`);
    const now = holds(dir);
    assert.is(now, ['swapped', 'done'].includes(step) ? next : current, step);
    current = now;
    assert.is((await runChild(dir, current)).status, 0);
    assert.equal(readdirSync(store(dir)).length, 1, `${step}: only the current version is left`);
  }
});

/** What the kills of one directory came to. */
interface Chain {
  readonly outcomes: Record<'old' | 'new' | 'finished', number>;
  readonly leftovers: number;
  readonly looks: number;
  /** How long a whole build took in this directory, start-up included. */
  readonly whole: number;
}

/** Kills at random moments in one directory, one after another (each kill starts from the last outcome). */
async function killChain(dir: string, kills: number, first: number): Promise<Chain> {
  assert.is((await runChild(dir, 'A')).status, 0);
  // How long a whole build takes here, start-up included: kills land anywhere from before the first file
  // to after the swap.
  const whole = (await runChild(dir, 'B')).ms;
  let current = 'B';
  const outcomes = { old: 0, new: 0, finished: 0 };
  let leftovers = 0;
  let looks = 0;
  for (let i = first; i < first + kills; i++) {
    const next = current === 'A' ? 'B' : 'A';
    const r = await runChild(dir, next, { killAfterMs: Math.random() * whole * 1.2 });
    looks += r.looks;
    assert.is(r.missing, 0, `kill ${i}: DIR was missing while the build ran`);
    const now = holds(dir);
    assert.ok(now === current || now === next, `kill ${i} after ${r.ms} ms: DIR is ${now}`);
    outcomes[r.signal === null ? 'finished' : now === current ? 'old' : 'new']++;
    current = now;
    leftovers += readdirSync(store(dir)).length - 1;
  }
  assert.is((await runChild(dir, current === 'A' ? 'B' : 'A')).status, 0);
  assert.equal(readdirSync(store(dir)).length, 1, `${dir}: only the current version is left`);
  return { outcomes, leftovers, looks, whole };
}

const KILLS = 100;
const CHAINS = 4;

test(`${KILLS} builds killed at random moments: DIR is always the old or the new complete tree; the next build leaves nothing behind`, async () => {
  const per = KILLS / CHAINS;
  // Every chain runs to its end before a failure is reported: none is left spawning builds behind the test.
  const settled = await Promise.allSettled(Array.from({ length: CHAINS }, (_, c) => killChain(path.join(scratch, `random-${c}`), per, c * per)));
  const failure = settled.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
  const chains = settled.map((r) => (r as PromiseFulfilledResult<Chain>).value);
  const sum = (f: (c: Chain) => number): number => chains.reduce((n, c) => n + f(c), 0);
  const outcomes = { old: sum((c) => c.outcomes.old), new: sum((c) => c.outcomes.new), finished: sum((c) => c.outcomes.finished) };
  assert.is(outcomes.old + outcomes.new + outcomes.finished, KILLS, 'every kill was made and judged');
  console.log(
    `  ${KILLS} kills in ${CHAINS} directories: old tree ${outcomes.old}, new tree ${outcomes.new}, finished before the kill ${outcomes.finished}; ${sum((c) => c.leftovers)} leftovers seen between builds, 0 after the last; ${sum((c) => c.looks)} looks at DIR while building, none missing (a whole build: ${chains.map((c) => c.whole).join(', ')} ms)`,
  );
  assert.ok(outcomes.old > 0, 'some kills landed before the swap');
});

test('what may be at DIR: nothing, an empty directory, an older plain output (converted); anything else is refused', () => {
  const base = mkdtempSync(path.join(scratch, 'kinds-'));
  const tree: [string, string][] = [['h/a', 'new\n']];
  publishTree(path.join(base, 'absent'), tree);
  mkdirSync(path.join(base, 'empty'));
  publishTree(path.join(base, 'empty'), tree);
  mkdirSync(path.join(base, 'older'));
  writeFileSync(path.join(base, 'older', MARKER), 'x');
  writeFileSync(path.join(base, 'older', 'stale'), 'old\n');
  publishTree(path.join(base, 'older'), tree);
  for (const d of ['absent', 'empty', 'older']) {
    assert.ok(lstatSync(path.join(base, d)).isSymbolicLink(), d);
    assert.equal([...readTree(path.join(base, d))], [['h/a', 'new\n']], d);
    assert.equal(readdirSync(path.join(base, `.${d}.netform`)).length, 1, `${d}: one version, the older output removed`);
  }
  mkdirSync(path.join(base, 'foreign'));
  writeFileSync(path.join(base, 'foreign', 'mine'), 'x');
  assert.throws(() => publishTree(path.join(base, 'foreign'), tree), /not empty and holds no earlier netform output/);
  symlinkSync('foreign', path.join(base, 'link'));
  assert.throws(() => publishTree(path.join(base, 'link'), tree), /a symbolic link netform did not make/);
  writeFileSync(path.join(base, 'file'), 'x');
  assert.throws(() => publishTree(path.join(base, 'file'), tree), /exists and is not a directory/);
  assert.is(readFileSync(path.join(base, 'foreign', 'mine'), 'utf8'), 'x');
  assert.not.ok(existsSync(path.join(base, '.foreign.netform')), 'nothing made beside a refused DIR');
});

test.run();
