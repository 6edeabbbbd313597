// netform.netform.apply without namespaces: what it says when the host lacks node, a recent enough
// node, netform, or the file; that a failure carries netform's message; that the host defaults to the
// inventory name; state: absent on a host where nothing was applied. Also: ansible-galaxy packs the
// collection, and the README's playbook passes ansible-playbook --syntax-check. Run through
// ansible-playbook (connection: local) with the json callback; the netform used is the sources'.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sourceCliBundle } from '../support/bundle.ts';
import { findExecutable } from '../support/netns.ts';
import { testOrSkip } from '../support/skip.ts';
import { ansiblePlaybook, ansibleUnavailable, COLLECTIONS, HERE, REPO } from './support.ts';

const reason = ansibleUnavailable() ?? (findExecutable('ansible-galaxy') ? undefined : '`ansible-galaxy` not found (ansible-core)');
let scratch = '';

test.before(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'netform-ansible-module-'));
});
test.after(() => rmSync(scratch, { recursive: true, force: true }));

function script(name: string, text: string): string {
  const file = path.join(scratch, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

interface TaskResult {
  readonly msg?: string;
  readonly failed?: boolean;
  readonly changed?: boolean;
}

/**
 * Runs the tasks on one local host named `host`; each task's result by its name. ansible-core has no
 * JSON callback: the results are registered and written out by a last task.
 */
async function runTasks(host: string, tasks: readonly { name: string; args: Record<string, unknown>; check?: boolean }[]): Promise<Map<string, TaskResult>> {
  const inventory = path.join(scratch, 'inventory.json');
  writeFileSync(inventory, JSON.stringify({ all: { hosts: { [host]: { ansible_connection: 'local', ansible_python_interpreter: '{{ ansible_playbook_python }}' } } } }));
  const results = path.join(scratch, 'results.json');
  const registered = `{{ {${tasks.map((t, i) => `${JSON.stringify(t.name)}: r${i}`).join(', ')}} | to_json }}`;
  const play = [
    {
      hosts: 'all',
      gather_facts: false,
      tasks: [
        ...tasks.map((t, i) => ({ name: t.name, 'netform.netform.apply': t.args, register: `r${i}`, ignore_errors: true, ...(t.check ? { check_mode: true } : {}) })),
        { name: 'results', 'ansible.builtin.copy': { content: registered, dest: results } },
      ],
    },
  ];
  const playbook = path.join(scratch, 'play.json');
  writeFileSync(playbook, JSON.stringify(play));
  const r = await ansiblePlaybook(['-i', inventory, playbook], scratch);
  let text: string;
  try {
    text = readFileSync(results, 'utf8');
  } catch {
    throw new Error(`ansible-playbook wrote no results (exit ${r.code}):\n${r.out}`);
  }
  return new Map(Object.entries(JSON.parse(text) as Record<string, TaskResult>));
}

testOrSkip(reason, 'what a host lacks, a failure carrying netform\'s message, host = inventory name, absent with nothing applied', async () => {
  const fromSources = script('bin/netform', `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(await sourceCliBundle())} "$@"\n`);
  const oldNode = script('node18/node', '#!/bin/sh\necho v18.19.0\n');
  const bad = path.join(scratch, 'bad.yaml');
  writeFileSync(bad, 'version: 1\nnetworks:\n  app: {driver: nosuch}\n');
  const states = path.join(scratch, 'state');
  const results = await runTasks('nosuchhost', [
    { name: 'no netform', args: { src: bad, executable: 'netform-not-here' } },
    { name: 'no node', args: { src: bad, executable: script('bin/netform-a', '#!/nonexistent/bin/node\n') } },
    { name: 'old node', args: { src: bad, executable: script('bin/netform-b', `#!${oldNode}\n`) } },
    { name: 'no src', args: { src: path.join(scratch, 'nothing.yaml'), executable: fromSources } },
    // In check mode (netform plan): this machine's own namespace is read at most, never changed.
    { name: 'bad file', args: { src: bad, executable: fromSources }, check: true },
    { name: 'host', args: { src: path.join(HERE, 'fleet-v1.yaml'), executable: fromSources }, check: true },
    { name: 'absent', args: { state: 'absent', state_dir: states, executable: fromSources } },
  ]);
  const msg = (name: string) => {
    const r = results.get(name);
    assert.ok(r?.failed, `${name}: did not fail: ${JSON.stringify(r)}`);
    return r!.msg ?? '';
  };
  assert.match(msg('no netform'), /^netform is not installed on this host \(no netform-not-here on PATH\); the smallest install is Node\.js >= 20 and the one file dist\/netform\.cjs/);
  assert.match(msg('no node'), /^node is not installed on this host \(.*netform-a is a Node\.js program\)/);
  assert.is(msg('old node'), `netform needs Node.js >= 20; this host has v18.19.0 (${oldNode})`);
  assert.is(msg('no src'), `src: ${path.join(scratch, 'nothing.yaml')} is not a file on this host (copy it there first)`);
  assert.match(msg('bad file'), new RegExp(`^netform plan failed \\(exit 1\\): ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:\\d+: error: `));
  assert.is(msg('host'), 'netform plan failed (exit 1): netform: no host "nosuchhost" in the file (h1, h2, h3)');
  const absent = results.get('absent')!;
  assert.is(absent.failed ?? false, false, JSON.stringify(absent));
  assert.is(absent.changed, false);
});

testOrSkip(reason, 'ansible-galaxy collection build packs the collection with its module and action plugin', () => {
  const out = path.join(scratch, 'galaxy');
  execFileSync(findExecutable('ansible-galaxy')!, ['collection', 'build', path.join(COLLECTIONS, 'ansible_collections', 'netform', 'netform'), '--output-path', out], {
    env: { ...process.env, ANSIBLE_HOME: path.join(scratch, 'ansible-home'), ANSIBLE_NOCOLOR: '1' },
    stdio: 'pipe',
  });
  const version = /^version: (\S+)$/m.exec(readFileSync(path.join(COLLECTIONS, 'ansible_collections', 'netform', 'netform', 'galaxy.yml'), 'utf8'))![1];
  const files = execFileSync('tar', ['-tzf', path.join(out, `netform-netform-${version}.tar.gz`)], { encoding: 'utf8' }).split('\n');
  for (const f of ['MANIFEST.json', 'README.md', 'plugins/modules/apply.py', 'plugins/action/apply.py', 'meta/runtime.yml']) {
    assert.ok(files.includes(f), `${f} is not in the tarball: ${files.join(' ')}`);
  }
});

testOrSkip(reason, "the README's playbook passes ansible-playbook --syntax-check", async () => {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const block = /```yaml\n(# site\.yml[\s\S]*?)```/.exec(readme);
  assert.ok(block, 'no ```yaml block starting with "# site.yml" in README.md');
  const file = path.join(scratch, 'site.yml');
  writeFileSync(file, block![1]!);
  assert.match(block![1]!, 'netform.netform.apply:');
  const r = await ansiblePlaybook(['-i', 'localhost,', '--syntax-check', file], scratch);
  assert.is(r.code, 0, r.out);
});

test.run();
