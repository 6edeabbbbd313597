// A docker_gwbridge of the file's own, as Docker documents making one before `docker swarm init`
// (docker network create --subnet ... --opt com.docker.network.bridge.name=docker_gwbridge
// --opt com.docker.network.bridge.enable_icc=false --opt com.docker.network.bridge.enable_ip_masquerade=true
// docker_gwbridge): libnetwork's createGWNetwork finds it and keeps it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile.ts';
import { REPO } from './support/examples.ts';

const SCENARIO = readFileSync(path.join(REPO, 'test', 'scenarios', 'iptablesdoc-v28.5.2-swarm-portmap.yaml'), 'utf8');

const withGateway = (opts: string) => `${SCENARIO}networks:\n  docker_gwbridge:\n${opts}`;
const DOCKERS_OWN = `    ipam: {config: [{subnet: 172.18.0.0/16}]}
    driver_opts:
      com.docker.network.bridge.name: docker_gwbridge
      com.docker.network.bridge.enable_icc: "false"
      com.docker.network.bridge.enable_ip_masquerade: "true"
`;

function files(text: string): Map<string, string> {
  const r = compile({ file: 'swarm.yaml', text });
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  return new Map(r.files!);
}

test('declaring the docker_gwbridge Docker would make changes nothing in the output', () => {
  assert.not.match(SCENARIO, /^networks:/m, 'the scenario declares no networks of its own');
  const own = files(withGateway(DOCKERS_OWN));
  const made = files(SCENARIO);
  assert.equal([...own.keys()], [...made.keys()]);
  // topology.json says where each network came from (the file, or swarm init); every other file is the same.
  for (const [name, text] of made) if (!name.endsWith('topology.json')) assert.fixture(own.get(name)!, text, name);
});

test('a docker_gwbridge with its own subnet and device name: the ingress sandbox, masquerading and route_localnet follow it', () => {
  const out = files(withGateway(DOCKERS_OWN.replace('172.18.0.0/16', '10.11.0.0/16').replace('bridge.name: docker_gwbridge', 'bridge.name: gwb0')));
  const rules = out.get('local/iptables.rules')!;
  assert.match(rules, /-A POSTROUTING -s 10\.11\.0\.0\/16 ! -o gwb0 -j MASQUERADE/);
  assert.not.match(rules, /172\.18\./);
  const setup = out.get('local/setup.sh')!;
  assert.match(setup, /addr add 10\.11\.0\.1\/16 dev gwb0/);
  assert.match(setup, /net\/ipv4\/conf\/gwb0\/route_localnet/);
});

test('docker_gwbridge must be a bridge; outside swarm mode it is an ordinary network name', () => {
  const r = compile({ file: 'swarm.yaml', text: withGateway('    driver: macvlan\n') });
  assert.ok(r.diagnostics.some((d) => d.code === 'BAD_OPTION' && d.path.join('.') === 'networks.docker_gwbridge.driver'));
  const plain = compile({ file: 'plain.yaml', text: 'version: 1\nhost: {resolv_conf: ""}\nnetworks: {docker_gwbridge: {}}\ncontainers: {c1: {networks: [docker_gwbridge]}}\n' });
  assert.equal(plain.diagnostics.filter((d) => d.severity === 'error'), []);
});

test.run();
