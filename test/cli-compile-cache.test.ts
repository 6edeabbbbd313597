// The compile cache of plan and apply (src/cli/compile-cache.ts): a hit returns what the compile of
// the same inputs returned, and every input it depends on misses when it changes: the input, a file
// the input names (daemon.json), the lock, the lock options, --host, the target's environment and the
// code's build id. Nothing is cached without a build id or with --secrets, and a cache that cannot be
// written is no error.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { desiredFromBuild } from '../src/apply/index.ts';
import type { ParsedArgs } from '../src/cli/args.ts';
import { compileCache, type CacheWhere } from '../src/cli/compile-cache.ts';
import { makeContext } from '../src/cli/context.ts';
import type { CompileReads } from '../src/cli/inputs.ts';
import { compileWithLock } from '../src/cli/lock-file.ts';
import { withScratch } from './support/cli.ts';

const SITE = `version: 1
daemon: daemon.json
name_resolution: hosts
host:
  name: local
  resolv_conf: "nameserver 10.0.0.1\\n"
networks:
  front:
    ipam:
      config:
        - subnet: 10.62.1.0/24
containers:
  web:
    image: nginx
    networks: [front]
`;

const args = (options: ParsedArgs['options'] = {}): ParsedArgs => ({ options, operands: [] });
const quiet = makeContext({ out: () => undefined, err: () => undefined, env: {} }, {});

/** Compiles FILE as plan does and keeps it in the cache; the desired state it stored. */
function compileAndStore(file: string, a: ParsedArgs, where: CacheWhere) {
  const reads: CompileReads = { named: [] };
  const compiled = compileWithLock(file, a, quiet, { files: false }, true, reads);
  if (typeof compiled === 'number') throw new Error(`compile failed (${compiled})`);
  assert.is(compiled.result.diagnostics.length, 0, 'a clean compile');
  const desired = desiredFromBuild(compiled.result, { host: 'local', prefix: where.env['NETFORM_NETNS_PREFIX'] ?? '' });
  compileCache(file, a, where)!.store(reads, desired);
  return desired;
}

function scratchSite(dir: string) {
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, SITE);
  writeFileSync(path.join(dir, 'daemon.json'), '{"userland-proxy": false}\n');
  // The lock as the compile would write it, so that the compile leaves it unchanged.
  const reads: CompileReads = { named: [] };
  const first = compileWithLock(file, args(), quiet, { files: false }, true, reads);
  if (typeof first === 'number') throw new Error('compile failed');
  first.saveLock();
  const where: CacheWhere = { stateDir: path.join(dir, 'state'), stateRoot: path.join(dir, 'root'), cwd: dir, env: { NETFORM_NETNS_PREFIX: 'p-' }, buildId: 'build-a' };
  return { file, where };
}

test(
  'a hit returns the stored compile; each input it depends on misses when it changes',
  withScratch('nf-compile-cache', (dir) => {
    const { file, where } = scratchSite(dir);
    const a = args();
    assert.is(compileCache(file, a, where)!.lookup(), undefined, 'empty cache: a miss');
    const desired = compileAndStore(file, a, where);
    assert.equal(compileCache(file, a, where)!.lookup(), JSON.parse(JSON.stringify(desired)), 'same inputs: the stored compile');
    assert.is(compileCache(file, a, { ...where, buildId: 'build-b' })!.lookup(), undefined, 'other code');
    assert.is(compileCache(file, a, { ...where, env: { NETFORM_NETNS_PREFIX: 'q-' } })!.lookup(), undefined, 'other prefix');
    assert.is(compileCache(file, a, { ...where, env: { NETFORM_NETNS_PREFIX: 'p-', NETFORM_HOST_NETNS: 'h' } })!.lookup(), undefined, 'other host namespace');
    assert.is(compileCache(file, a, { ...where, cwd: '/' })!.lookup(), undefined, 'another working directory');
    assert.is(compileCache(file, args({ host: 'local' }), where)!.lookup(), undefined, '--host');
    assert.is(compileCache(file, args({ 'frozen-lock': true }), where)!.lookup(), undefined, '--frozen-lock');
    assert.is(compileCache(file, args({ 'no-lock': true }), where)!.lookup(), undefined, '--no-lock');

    writeFileSync(path.join(dir, 'daemon.json'), '{"userland-proxy": false, "mtu": 1400}\n');
    assert.is(compileCache(file, a, where)!.lookup(), undefined, 'the daemon.json the input names changed');
    writeFileSync(path.join(dir, 'daemon.json'), '{"userland-proxy": false}\n');
    assert.ok(compileCache(file, a, where)!.lookup(), 'daemon.json as it was: a hit again');

    const lock = path.join(dir, 'site.lock');
    const lockText = readFileSync(lock, 'utf8');
    writeFileSync(lock, `${lockText}# edited\n`);
    assert.is(compileCache(file, a, where)!.lookup(), undefined, 'the lock changed');
    writeFileSync(lock, lockText);
    assert.ok(compileCache(file, a, where)!.lookup(), 'the lock as it was: a hit again');

    writeFileSync(file, SITE.replace('10.62.1.0/24', '10.62.9.0/24'));
    assert.is(compileCache(file, a, where)!.lookup(), undefined, 'the input changed');
  }),
);

test(
  'no cache without a build id or with --secrets; one that cannot be written is no error',
  withScratch('nf-compile-cache', (dir) => {
    const { file, where } = scratchSite(dir);
    assert.is(compileCache(file, args(), { ...where, buildId: undefined }), undefined, 'run from source: off');
    assert.is(compileCache(file, args({ secrets: path.join(dir, 'keys') }), where), undefined, '--secrets: off');
    mkdirSync(where.stateDir!, { recursive: true });
    writeFileSync(path.join(where.stateDir!, 'in-the-way'), '');
    const blocked = { ...where, stateDir: path.join(where.stateDir!, 'in-the-way') };
    compileAndStore(file, args(), blocked);
    assert.is(compileCache(file, args(), blocked)!.lookup(), undefined, 'nothing was kept');
  }),
);

test.run();
