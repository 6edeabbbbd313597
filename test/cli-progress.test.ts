// A build that runs past a second shows on a terminal what stage it is in and how many hosts and
// containers are done: one line on stderr, rewritten in place and erased before anything else is
// printed; nothing off a terminal, under CI, or for short work.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fleetYaml } from '../bench/generate-fleet.ts';
import { main } from '../src/cli/main.ts';
import { EXIT } from '../src/cli/context.ts';
import { withScratch } from './support/cli.ts';

const ERASE = '\r\x1b[K';

/** Runs `build` with a clock that advances `stepMs` at every reading. */
async function build(dir: string, text: string, opts: { tty: boolean; env?: Record<string, string>; stepMs: number }) {
  const file = path.join(dir, 'fleet.yaml');
  writeFileSync(file, text);
  let t = 0;
  let out = '';
  let err = '';
  const code = await main(['build', file, '-o', path.join(dir, 'out')], {
    out: (s) => (out += s),
    err: (s) => (err += s),
    env: opts.env ?? {},
    stderrIsTTY: opts.tty,
    now: () => (t += opts.stepMs),
  });
  return { code, out, err };
}

const FLEET = fleetYaml({ hosts: 12, containersPerHost: 2 });

test(
  'on a terminal, past a second: stages, hosts and containers, the line erased at the end',
  withScratch('progress', async (dir) => {
    const r = await build(dir, FLEET, { tty: true, stepMs: 400 });
    assert.is(r.code, EXIT.OK, r.err);
    assert.match(r.err, `${ERASE}netform: compiling hosts 12/12 (24 containers)`);
    assert.match(r.err, `${ERASE}netform: writing hosts 12/12 (24 containers)`);
    assert.match(r.err, `${ERASE}netform: allocating the swarm's addresses`);
    assert.ok(r.err.endsWith(ERASE), 'the line is erased last');
    assert.match(r.out, /wrote \d+ files/);
  }),
);

test(
  'the line is erased before a diagnostic is printed',
  withScratch('progress', async (dir) => {
    const r = await build(dir, fleetYaml({ hosts: 260, containersPerHost: 1, ingressSubnet: false }), { tty: true, env: { NO_COLOR: '1' }, stepMs: 400 });
    assert.is(r.code, EXIT.FAILED);
    const at = r.err.indexOf(`${path.join(dir, 'fleet.yaml')}:`);
    assert.ok(at > 0, r.err.slice(0, 200));
    assert.ok(r.err.slice(0, at).endsWith(ERASE), 'erased just before the diagnostic');
    assert.not.match(r.err.slice(at), '\r');
  }),
);

for (const [name, opts] of [
  ['not a terminal', { tty: false }],
  ['CI=true', { tty: true, env: { CI: 'true' } }],
  ['GitHub Actions', { tty: true, env: { GITHUB_ACTIONS: 'true' } }],
  ['TERM=dumb', { tty: true, env: { TERM: 'dumb' } }],
] as const) {
  test(
    `${name}: no progress`,
    withScratch('progress', async (dir) => {
      const r = await build(dir, FLEET, { ...opts, stepMs: 400 });
      assert.is(r.code, EXIT.OK);
      assert.is(r.err, '');
    }),
  );
}

test(
  'work within a second: no progress',
  withScratch('progress', async (dir) => {
    const r = await build(dir, FLEET, { tty: true, stepMs: 0.001 });
    assert.is(r.code, EXIT.OK);
    assert.is(r.err, '');
  }),
);

test.run();
