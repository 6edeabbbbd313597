// iptables: false through the whole pipeline. Docker's bridge driver programs nothing in a family whose
// option is off, but the overlay driver's encryption rules (encryption.go programMangle/programInput,
// which call iptables directly) and netform's NETFORM-SWARM chain are programmed whatever the option
// says: without them an "encrypted" overlay's VXLAN would leave in clear text.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile.ts';
import { parseSecrets } from '../src/topology/overlay/secrets.ts';

const keys = parseSecrets(readFileSync('test/fixtures/secrets/test-keys.yaml', 'utf8'), 'test-keys.yaml').keys;

const site = (daemon: string): string => `version: 1
daemon:
${daemon}
hosts:
  node1: {address: 192.168.56.11, open_swarm_ports: true}
  node2: {address: 192.168.56.12, role: worker}
networks:
  secure:
    driver: overlay
    attachable: true
    driver_opts: {encrypted: "true"}
  local:
    driver: bridge
containers:
  c1: {host: node1, networks: [secure, local], ports: ["8080:80"]}
  c2: {host: node2, networks: [secure]}
`;

const build = (daemon: string) => {
  const r = compile({ file: 'site.yaml', text: site(daemon) }, undefined, { secrets: keys });
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return r;
};

test('iptables: false keeps the encryption marks, the unencrypted-VXLAN drops and NETFORM-SWARM, and nothing of the bridge driver', () => {
  const r = build('  iptables: false\n  icc: true');
  const rules = r.files!.get('node1/iptables.rules')!;
  assert.ok(rules, 'node1 has an iptables.rules');
  assert.match(rules, /^-A OUTPUT -p udp -m udp --dport 4789 -m bpf --bytecode "[^"]+" -j MARK --set-xmark 0xd0c4e3\/0xffffffff$/m);
  assert.match(rules, /^-A INPUT -p udp -m policy --dir in --pol none -m udp --dport 4789 -m bpf --bytecode "[^"]+" -j DROP$/m);
  assert.match(rules, /^-A NETFORM-SWARM -p esp -j ACCEPT$/m);
  assert.not.match(rules, /DOCKER/, 'no chain of the bridge driver');
  assert.not.match(rules, /\*raw/, 'Docker never touches raw here');
  // The encryption DROP stays above NETFORM-SWARM's ACCEPT of the data path port.
  const input = rules.split('\n').filter((l) => l.startsWith('-A INPUT'));
  assert.ok(input[0]!.includes('--pol none') && input[input.length - 1] === '-A INPUT -j NETFORM-SWARM', input.join('\n'));
  const node2 = r.files!.get('node2/iptables.rules')!;
  assert.match(node2, /-j MARK --set-xmark 0xd0c4e3\/0xffffffff/);
  // ip6tables stays on (Docker 29's default): IPv6 has Docker's chains, and no underlay rule (the underlay is IPv4).
  assert.not.match(r.files!.get('node1/ip6tables.rules')!, /NETFORM-SWARM|MARK/);
  const warnings = r.diagnostics.filter((d) => d.code === 'FIREWALL_OFF');
  assert.is(warnings.length, 2, 'one warning per host, at the option');
  assert.equal(warnings[0]!.path, ['daemon', 'iptables']);
  assert.match(warnings[0]!.message, /^iptables: false: Docker programs no IPv4 rules on host node1 for its bridge networks: .*1 published port binding not forwarded.*encryption rules and NETFORM-SWARM$/);
  assert.match(warnings[1]!.message, /on host node2/);
});

test('with iptables on, the same rules are in Docker\'s ruleset, in the same places', () => {
  const on = build('  icc: true').files!.get('node1/iptables.rules')!;
  const off = build('  iptables: false\n  icc: true').files!.get('node1/iptables.rules')!;
  const kept = off.split('\n').filter((l) => l.startsWith('-A '));
  for (const line of kept) assert.ok(on.includes(`${line}\n`), line);
  assert.match(on, /DOCKER-FORWARD/);
});

test('ip6tables: false with IPv6 networks warns for IPv6 only', () => {
  const r = compile({ file: 's.yaml', text: 'version: 1\ndaemon: {ip6tables: false}\nnetworks:\n  v6net: {enable_ipv6: true}\ncontainers:\n  c1: {networks: [v6net]}\n' });
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error'), []);
  const w = r.diagnostics.filter((d) => d.code === 'FIREWALL_OFF');
  assert.is(w.length, 1);
  assert.match(w[0]!.message, /^ip6tables: false: Docker programs no IPv6 rules/);
  assert.ok(r.files!.has('local/iptables.rules'));
  assert.not.ok(r.files!.has('local/ip6tables.rules'));
});

test.run();
