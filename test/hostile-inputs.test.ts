// The hostile-input corpus: every payload (newline, CR, NUL, "#", spaces, tabs, shell metacharacters,
// Unicode line breaks, an empty string) in every place of the input that reaches an output file. Each
// input is either refused with errors at file:line:col, or built into files whose structure is that of
// the same input with a harmless value: as many lines, hosts records of one address and names without
// spaces, resolv.conf lines of known keywords, the payload only inside single quotes or comments in
// setup.sh/teardown.sh, only inside quoted comments in the rules, valid JSON in topology.json.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import { compile } from '../src/compile.ts';
import { judge, PAYLOADS } from './support/hostile.ts';

type Doc = Record<string, any>;

/** An input that writes every output file: hosts mode (aliases and links in /etc/hosts), a user network, the default bridge. */
function base(): Doc {
  return {
    version: 1,
    name_resolution: 'hosts',
    host: { resolv_conf: 'nameserver 10.0.0.1\nsearch corp.example\n' },
    daemon: { 'dns-search': ['d.example'], 'dns-opts': ['timeout:2'] },
    networks: { front: { labels: { team: 'web' }, driver_opts: { 'com.docker.network.bridge.name': 'br-front' } } },
    containers: {
      web: {
        hostname: 'web',
        domainname: 'example.test',
        networks: { front: { aliases: ['www'] } },
        dns_search: ['s.example'],
        dns_opt: ['ndots:2'],
        extra_hosts: { 'db.local': '10.1.2.3' },
        labels: { role: 'front' },
        ports: ['8080:80'],
      },
      peer: { networks: ['front'] },
      db: {},
      legacy: { links: ['db:database'], extra_hosts: ['cache.local:10.1.2.4'] },
    },
  };
}

/** The places a value from the input reaches an output file, each a way to put `v` there. */
const PLACES: Record<string, (d: Doc, v: string) => void> = {
  'container name': (d, v) => {
    d.containers[`w${v}`] = d.containers.db;
    delete d.containers.db;
    d.containers.legacy.links = [];
  },
  'network name': (d, v) => {
    d.networks[`n${v}`] = {};
    d.containers.peer.networks = ['front', `n${v}`];
  },
  hostname: (d, v) => (d.containers.web.hostname = v),
  domainname: (d, v) => (d.containers.web.domainname = v),
  alias: (d, v) => (d.containers.web.networks.front.aliases = [v]),
  'dns_search': (d, v) => (d.containers.web.dns_search = [v]),
  'dns_search (one value)': (d, v) => (d.containers.web.dns_search = v),
  'dns_opt': (d, v) => (d.containers.web.dns_opt = [v]),
  'daemon dns-search': (d, v) => (d.daemon['dns-search'] = [v]),
  'daemon dns-opts': (d, v) => (d.daemon['dns-opts'] = [v]),
  'extra_hosts mapping name': (d, v) => (d.containers.web.extra_hosts = { [v]: '10.1.2.3' }),
  'extra_hosts list name': (d, v) => (d.containers.legacy.extra_hosts = [`${v}:10.1.2.4`]),
  'extra_hosts address': (d, v) => (d.containers.web.extra_hosts = { 'db.local': v }),
  'link alias': (d, v) => (d.containers.legacy.links = [`db:${v}`]),
  'link target': (d, v) => (d.containers.legacy.links = [v]),
  'container label': (d, v) => (d.containers.web.labels = { [v]: v }),
  'network label': (d, v) => (d.networks.front.labels = { [v]: v }),
  'driver option value': (d, v) => (d.networks.front.driver_opts = { 'com.docker.network.bridge.name': v }),
  'driver option name': (d, v) => (d.networks.front.driver_opts = { [v]: 'x' }),
  'endpoint interface_name': (d, v) => (d.containers.web.networks.front.interface_name = v),
  'host name': (d, v) => (d.host.name = v),
  'port host_ip': (d, v) => (d.containers.web.ports = [{ target: 80, published: 8080, host_ip: v }]),
  'network_mode container': (d, v) => (d.containers.peer = { network_mode: `container:${v}` }),
};

const text = (d: Doc): string => stringify(d, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });

test('the base input builds, and writes every kind of output file', () => {
  const r = compile({ file: 'hostile.yaml', text: text(base()) });
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const names = [...(r.files?.keys() ?? [])].map((n) => n.split('/').pop());
  for (const f of ['hosts', 'resolv.conf', 'setup.sh', 'teardown.sh', 'iptables.rules', 'topology.json']) assert.ok(names.includes(f), f);
});

for (const [place, put] of Object.entries(PLACES)) {
  test(`hostile ${place}: refused at file:line:col, or written without changing any file's structure`, () => {
    const benignDoc = base();
    put(benignDoc, 'zz');
    const benign = compile({ file: 'hostile.yaml', text: text(benignDoc) });
    const failures: string[] = [];
    for (const payload of PAYLOADS) {
      const d = base();
      put(d, payload);
      const v = judge('hostile.yaml', text(d), payload, benign.files ? benign : undefined);
      for (const p of v.problems) failures.push(`${JSON.stringify(payload)}: ${p}`);
    }
    assert.equal(failures, []);
  });
}

test('hostile input file names: the name lands in setup.sh only inside a comment or single quotes', () => {
  const failures: string[] = [];
  const benign = compile({ file: 'zz.yaml', text: text(base()) });
  for (const payload of PAYLOADS) {
    const v = judge(`${payload}.yaml`, text(base()), payload, benign);
    for (const p of v.problems) failures.push(`${JSON.stringify(payload)}: ${p}`);
  }
  assert.equal(failures, []);
});

test.run();
