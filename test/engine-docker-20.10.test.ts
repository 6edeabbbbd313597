// netform's engine "20.10" against a real dockerd 20.10.24: test/fixtures/docker-20.10/<example>/ holds
// what the daemon programmed for test/scenarios/<example>.yaml (see the README there). Rules, /etc/hosts,
// resolv.conf, MACs and addresses must be the same, byte for byte, and so must the forwarding sysctls.
// The examples' inputs must also be the recorded ones (daemon.json and the host's resolv.conf), so the
// comparison is about the same setup.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import YAML from 'yaml';
import { buildExample, example, REPO } from './support/examples.ts';

const FIXTURES = path.join(REPO, 'test/fixtures/docker-20.10');
const scenarios = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name.startsWith('engine-20.10-'))
  .map((d) => d.name)
  .sort();
const read = (...p: string[]): string => readFileSync(path.join(FIXTURES, ...p), 'utf8');

test('there are recorded Docker 20.10 scenarios, each with its example', () => {
  assert.ok(scenarios.length >= 4, `only ${scenarios.length} scenarios under ${FIXTURES}`);
  for (const s of scenarios) assert.ok(existsSync(path.join(REPO, 'test', 'scenarios', `${s}.yaml`)), `test/scenarios/${s}.yaml is missing`);
});

for (const s of scenarios) {
  test(`${s}: the example describes the recorded setup`, () => {
    const doc = YAML.parse(readFileSync(path.join(REPO, example(s).file), 'utf8')) as Record<string, unknown>;
    assert.is(doc['engine'], '20.10');
    assert.equal(doc['daemon'] ?? {}, JSON.parse(read(s, 'daemon.json')));
    assert.is((doc['host'] as Record<string, unknown>)['resolv_conf'], read(s, 'resolv.conf'));
  });

  test(`${s}: iptables, ip6tables, hosts, resolv.conf, MACs and addresses equal dockerd 20.10's`, () => {
    const r = buildExample(s);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.map((d) => d.message), []);
    const files = r.files!;
    const out = (rel: string): string => files.get(`local/${rel}`) ?? '';
    assert.fixture(out('iptables.rules'), read(s, 'iptables.rules'), 'iptables.rules');
    assert.fixture(out('ip6tables.rules'), read(s, 'ip6tables.rules'), 'ip6tables.rules');
    const containers = readdirSync(path.join(FIXTURES, s, 'containers')).sort();
    assert.equal(containers, r.topology!.containers.map((c) => c.name).sort(), 'the same containers');
    for (const c of containers) {
      assert.fixture(out(`containers/${c}/hosts`), read(s, 'containers', c, 'hosts'), `${c}: /etc/hosts`);
      assert.fixture(out(`containers/${c}/resolv.conf`), read(s, 'containers', c, 'resolv.conf'), `${c}: /etc/resolv.conf`);
      // docker inspect lists a container's networks by name, sorted.
      const recorded = read(s, 'containers', c, 'endpoints').split('\n').filter((l) => l.trim() !== '').map((l) => l.trimEnd());
      const ours = r.topology!.endpoints
        .filter((e) => e.container === c)
        .map((e) => [e.network, e.mac, e.ipv4 ?? '', e.ipv6 ?? ''].join(' ').trimEnd())
        .sort();
      assert.equal(ours, recorded, `${c}: network, MAC, IPv4, IPv6`);
    }
  });
}

/** `sysctl` output ("key = value" lines) as a map. */
const sysctlLines = (text: string): Map<string, string> =>
  new Map(text.split('\n').filter((l) => l.trim() !== '').map((l) => l.split(' = ') as [string, string]));

for (const s of scenarios) {
  // capture/scenario.sh ran dockerd in a namespace it had just created, where both are 0; what the
  // daemon left is what netform's setup.sh must write, or the kernel's 0 where it writes nothing.
  test(`${s}: ip_forward and IPv6 forwarding as dockerd 20.10 left them`, () => {
    const recorded = sysctlLines(read(s, 'sysctls'));
    assert.equal([...recorded.keys()], ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding']);
    const written = new Map(buildExample(s).topology!.hostSysctls.map((c) => [c.key.join('.'), c.value] as const));
    for (const [key, value] of recorded) assert.is(written.get(key) ?? '0', value, key);
  });
}

test.run();
