// Compose projects as Docker Compose v2 deploys them, case by case, each expectation from Compose's
// documentation (docs.docker.com/compose: networking, project name, the file reference, merge, profiles)
// or, where the documentation is silent, from docker/compose and compose-go's code as cited in src/compose.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile.ts';
import { loadComposeProject, projectFragment, type ProjectRequest } from '../src/compose/index.ts';
import type { Diagnostic } from '../src/diagnostics/diagnostic.ts';
import { locate } from '../src/diagnostics/format.ts';
import { LineCounter } from 'yaml';

type Files = Record<string, string>;

function reader(files: Files) {
  return (p: string) => (p in files ? { file: p, text: files[p]! } : { error: 'no such file', missing: true });
}

function load(files: Files, req: Partial<ProjectRequest> = {}, missingExternal: 'declare' | 'error' = 'declare') {
  const r = loadComposeProject({ files: ['app/compose.yaml'], directoryName: 'app', ...req }, reader(files));
  if (!r.project) return { diagnostics: r.diagnostics, networks: [], containers: [] as { name: string; value: Record<string, unknown> }[] };
  const f = projectFragment(r.project, { networks: new Set(['bridge', 'host', 'none']), containers: new Set(), missingExternal });
  return { project: r.project, diagnostics: [...r.diagnostics, ...f.diagnostics], networks: f.fragment.networks.map((n) => n.name), containers: f.fragment.containers.map((c) => ({ name: c.name, value: c.value as Record<string, unknown> })) };
}

const errors = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === 'error');
const names = (r: ReturnType<typeof load>) => r.containers.map((c) => c.name);
const container = (r: ReturnType<typeof load>, name: string) => r.containers.find((c) => c.name === name)!.value;

/** line:col of a diagnostic in the given text (compose diagnostics carry explicit ranges). */
function where(d: Diagnostic, text: string): string {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
  const p = locate(d, undefined, lc);
  return `${p.line}:${p.col}`;
}

test('project name: the directory, normalised; name: wins; --project-name wins over both', () => {
  const files = { 'app/compose.yaml': 'services:\n  web: {image: nginx}\n' };
  assert.equal(names(load(files, { directoryName: 'My_App.v2' })), ['my_appv2-web-1']);
  assert.equal(names(load({ 'app/compose.yaml': 'name: Shop\nservices:\n  web: {image: nginx}\n' })), ['shop-web-1']);
  assert.equal(names(load({ 'app/compose.yaml': 'name: shop\nservices:\n  web: {image: nginx}\n' }, { name: 'other' })), ['other-web-1']);
  const bad = load(files, { name: 'Bad Name' });
  assert.equal(errors(bad.diagnostics).map((d) => d.code), ['COMPOSE_PROJECT']);
});

test('project name: COMPOSE_PROJECT_NAME from .env, and ${COMPOSE_PROJECT_NAME} in the file', () => {
  const r = load({ 'app/compose.yaml': 'services:\n  web:\n    image: nginx\n    hostname: ${COMPOSE_PROJECT_NAME}-web\n', 'app/.env': 'COMPOSE_PROJECT_NAME=fromenv\n' });
  assert.equal(names(r), ['fromenv-web-1']);
  assert.is(container(r, 'fromenv-web-1')['hostname'], 'fromenv-web');
});

test('networks: <project>_default only when used; declared ones <project>_<key>; name: as given; unused ones not created', () => {
  const r = load({
    'app/compose.yaml': 'services:\n  a: {image: x}\n  b: {image: x, networks: [front]}\n  c: {image: x, networks: [shared]}\nnetworks:\n  front: {}\n  unused: {}\n  shared: {name: common-net}\n',
  });
  assert.equal(r.networks, ['app_default', 'app_front', 'common-net']);
  const only = load({ 'app/compose.yaml': 'services:\n  b: {image: x, networks: [front]}\nnetworks:\n  front:\n' });
  assert.equal(only.networks, ['app_front']);
});

test('aliases: container name, service name, then the configured ones', () => {
  const r = load({ 'app/compose.yaml': 'services:\n  api:\n    image: x\n    networks:\n      back:\n        aliases: [backend, api-v2]\nnetworks:\n  back:\n' });
  assert.equal(container(r, 'app-api-1')['networks'], { app_back: { aliases: ['app-api-1', 'api', 'backend', 'api-v2'] } });
});

test('replicas: deploy.replicas or scale containers, numbered from 1; 0 makes none', () => {
  const r = load({ 'app/compose.yaml': 'services:\n  w: {image: x, deploy: {replicas: 3}}\n  s: {image: x, scale: 2}\n  z: {image: x, scale: 0}\n' });
  assert.equal(names(r), ['app-s-1', 'app-s-2', 'app-w-1', 'app-w-2', 'app-w-3']);
});

test('container_name: the container is named so, and cannot be combined with more than one replica', () => {
  const ok = load({ 'app/compose.yaml': 'services:\n  web: {image: x, container_name: my-web}\n' });
  assert.equal(names(ok), ['my-web']);
  const text = 'services:\n  web:\n    image: x\n    container_name: my-web\n    deploy: {replicas: 2}\n';
  const bad = load({ 'app/compose.yaml': text });
  const e = errors(bad.diagnostics);
  assert.equal(e.map((d) => d.code), ['COMPOSE_SCHEMA']);
  assert.is(where(e[0]!, text), '4:21');
});

test('network_mode: host, none, service:NAME (its first container), container:NAME', () => {
  const r = load({
    'app/compose.yaml': 'services:\n  h: {image: x, network_mode: host}\n  n: {image: x, network_mode: none}\n  db: {image: x, scale: 2}\n  side: {image: x, network_mode: "service:db"}\n  c: {image: x, network_mode: "container:other"}\n',
  });
  assert.is(container(r, 'app-h-1')['network_mode'], 'host');
  assert.is(container(r, 'app-n-1')['network_mode'], 'none');
  assert.is(container(r, 'app-side-1')['network_mode'], 'container:app-db-1');
  assert.is(container(r, 'app-c-1')['network_mode'], 'container:other');
  assert.is(container(r, 'app-h-1')['networks'], undefined);
  // network_mode: service: implies depends_on: the shared service starts first.
  assert.ok(names(r).indexOf('app-db-1') < names(r).indexOf('app-side-1'));
});

test('the order of a container\'s networks: priority high first, then the key', () => {
  const r = load({ 'app/compose.yaml': 'services:\n  w:\n    image: x\n    networks:\n      zeta: {}\n      alpha: {}\n      mid: {priority: 10}\nnetworks: {zeta: {}, alpha: {}, mid: {}}\n' });
  assert.equal(Object.keys(container(r, 'app-w-1')['networks'] as object), ['app_mid', 'app_alpha', 'app_zeta']);
});

test('start order: dependencies first (depends_on and links), then by name', () => {
  const r = load({ 'app/compose.yaml': 'services:\n  web: {image: x, depends_on: [api]}\n  api: {image: x, depends_on: {db: {condition: service_healthy}}}\n  db: {image: x}\n  cache: {image: x, links: ["zz:store"]}\n  zz: {image: x}\n' });
  assert.equal(names(r), ['app-db-1', 'app-api-1', 'app-web-1', 'app-zz-1', 'app-cache-1']);
});

test('a dependency cycle is an error', () => {
  const r = load({ 'app/compose.yaml': 'services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [a]}\n' });
  assert.match(errors(r.diagnostics)[0]!.message, /dependency cycle detected: a -> b -> a/);
});

test('profiles: a service with profiles is left out unless one is active', () => {
  const files = { 'app/compose.yaml': 'services:\n  web: {image: x}\n  debug: {image: x, profiles: [dev]}\n' };
  assert.equal(names(load(files)), ['app-web-1']);
  assert.equal(names(load(files, { profiles: ['dev'] })), ['app-debug-1', 'app-web-1']);
  assert.equal(names(load({ ...files, 'app/.env': 'COMPOSE_PROFILES=dev\n' })), ['app-debug-1', 'app-web-1']);
});

test('ports in every form: short, ranges, IPv6 host, protocol, long syntax (mode is ignored)', () => {
  const r = load({
    'app/compose.yaml': [
      'services:',
      '  w:',
      '    image: x',
      '    ports:',
      '      - "8080:80"',
      '      - 127.0.0.1:5353:53/udp',
      '      - "[::1]:8443:443"',
      '      - "9000-9001:9000-9001"',
      '      - 3000',
      '      - "8000-8010:81"',
      '      - target: 82',
      '        published: "7000"',
      '        host_ip: 10.0.0.1',
      '        mode: ingress',
      '      - {target: 83, published: 7001, name: web, app_protocol: http}',
    ].join('\n'),
  });
  assert.equal(container(r, 'app-w-1')['ports'], ['8080:80', '127.0.0.1:5353:53/udp', '[::1]:8443:443', '9000:9000', '9001:9001', '3000', '8000-8010:81', '10.0.0.1:7000:82', { target: 83, published: 7001, name: 'web', app_protocol: 'http' }]);
});

test('expose, dns, dns_search, dns_opt, hostname, domainname, extra_hosts in all forms', () => {
  const r = load({
    'app/compose.yaml': 'services:\n  w:\n    image: x\n    hostname: web\n    domainname: example.com\n    expose: ["80", 443]\n    dns: 8.8.8.8\n    dns_search: example.com\n    dns_opt: [ndots:2]\n    extra_hosts: ["a:1.2.3.4", "b=::1", "c=5.6.7.8,9.9.9.9", "gw:host-gateway"]\n  m:\n    image: x\n    extra_hosts: {d: "[::2]", e: [1.1.1.1, 2.2.2.2]}\n',
  });
  const w = container(r, 'app-w-1');
  assert.is(w['hostname'], 'web');
  assert.is(w['domainname'], 'example.com');
  assert.equal(w['expose'], ['80', 443]);
  assert.equal(w['dns'], ['8.8.8.8']);
  assert.is(w['dns_search'], 'example.com');
  assert.equal(w['dns_opt'], ['ndots:2']);
  assert.equal(w['extra_hosts'], ['a=1.2.3.4', 'b=::1', 'c=5.6.7.8', 'c=9.9.9.9', 'gw=host-gateway']);
  assert.equal(container(r, 'app-m-1')['extra_hosts'], ['d=::2', 'e=1.1.1.1', 'e=2.2.2.2']);
});

test('network settings: ipam, driver_opts, internal, enable_ipv6, attachable, labels, per-endpoint addresses', () => {
  const r = load({
    'app/compose.yaml': [
      'services:',
      '  w:',
      '    image: x',
      '    mac_address: "02:42:ac:11:00:09"',
      '    networks:',
      '      n:',
      '        ipv4_address: 10.5.0.9',
      '        ipv6_address: "fd00:5::9"',
      '        gw_priority: 5',
      '        interface_name: data0',
      'networks:',
      '  n:',
      '    driver: bridge',
      '    internal: true',
      '    enable_ipv6: true',
      '    attachable: true',
      '    labels: [team=web]',
      '    driver_opts: {com.docker.network.bridge.name: br-app}',
      '    ipam:',
      '      driver: default',
      '      config:',
      '        - {subnet: 10.5.0.0/24, gateway: 10.5.0.254, ip_range: 10.5.0.0/25, aux_addresses: {r: 10.5.0.200}}',
      '        - {subnet: "fd00:5::/64"}',
    ].join('\n'),
  });
  const net = r.project!.networks.get('n')!;
  assert.is(net.name, 'app_n');
  const w = container(r, 'app-w-1')['networks'] as Record<string, Record<string, unknown>>;
  assert.equal(w['app_n'], { aliases: ['app-w-1', 'w'], ipv4_address: '10.5.0.9', ipv6_address: 'fd00:5::9', gw_priority: 5, interface_name: 'data0', mac_address: '02:42:ac:11:00:09' });
});

test('external networks: not created; declared with defaults and a warning on import, an error in a netform file', () => {
  const files = { 'app/compose.yaml': 'services:\n  w: {image: x, networks: [proxy]}\nnetworks:\n  proxy: {external: true, name: traefik}\n' };
  const imp = load(files);
  assert.equal(imp.networks, ['traefik']);
  assert.equal(imp.diagnostics.map((d) => `${d.severity} ${d.code}`), ['warning COMPOSE_REFERENCE']);
  const strict = load(files, {}, 'error');
  assert.equal(errors(strict.diagnostics).map((d) => d.code), ['COMPOSE_REFERENCE']);
});

test('interpolation: .env, then the shell (environment) winning over it', () => {
  const files = { 'app/compose.yaml': 'services:\n  w:\n    image: x\n    ports: ["${PORT:-80}:80"]\n', 'app/.env': 'PORT=8081\n' };
  assert.equal(container(load(files), 'app-w-1')['ports'], ['8081:80']);
  assert.equal(container(load(files, { environment: { PORT: '9000' } }), 'app-w-1')['ports'], ['9000:80']);
  assert.equal(container(load({ 'app/compose.yaml': files['app/compose.yaml'] }), 'app-w-1')['ports'], ['80:80']);
  const alt = load({ ...files, 'app/other.env': 'PORT=7000\n' }, { envFiles: ['app/other.env'] });
  assert.equal(container(alt, 'app-w-1')['ports'], ['7000:80']);
});

test('several files: merged as docker compose -f a -f b merges them', () => {
  const files = {
    'app/compose.yaml': 'services:\n  w:\n    image: nginx:1\n    ports: ["80:80"]\n    networks: [front]\n    extra_hosts: ["a=1.1.1.1"]\n    dns: [1.1.1.1]\nnetworks:\n  front: {}\n  back: {}\n',
    'app/compose.prod.yaml': 'services:\n  w:\n    image: nginx:2\n    ports: ["443:443", "80:80"]\n    networks:\n      back:\n        aliases: [www]\n    extra_hosts: ["a=1.1.1.1", "b=2.2.2.2"]\n',
  };
  const r = load(files, { files: ['app/compose.yaml', 'app/compose.prod.yaml'] });
  const w = container(r, 'app-w-1');
  assert.is(w['image'], 'nginx:2');
  assert.equal(w['ports'], ['80:80', '443:443']);
  assert.equal(Object.keys(w['networks'] as object), ['app_back', 'app_front']);
  assert.equal((w['networks'] as Record<string, Record<string, unknown>>)['app_back']!['aliases'], ['app-w-1', 'w', 'www']);
  assert.equal(w['extra_hosts'], ['a=1.1.1.1', 'b=2.2.2.2']);
});

test('several files: !reset removes an earlier value, !override replaces it', () => {
  const files = {
    'app/compose.yaml': 'services:\n  w:\n    image: x\n    ports: ["80:80", "81:81"]\n    dns: [1.1.1.1]\n',
    'app/override.yaml': 'services:\n  w:\n    ports: !override ["82:82"]\n    dns: !reset []\n',
  };
  const w = container(load(files, { files: ['app/compose.yaml', 'app/override.yaml'] }), 'app-w-1');
  assert.equal(w['ports'], ['82:82']);
  assert.is(w['dns'], undefined);
});

test('YAML anchors and merge keys, as compose files use them with x- extensions', () => {
  const r = load({ 'app/compose.yaml': 'x-base: &base\n  image: x\n  expose: ["80"]\nservices:\n  a:\n    <<: *base\n  b:\n    <<: *base\n    expose: ["90"]\n' });
  assert.equal(container(r, 'app-a-1')['expose'], ['80']);
  assert.equal(container(r, 'app-b-1')['expose'], ['90']);
});

test('problems are reported at the compose file\'s line and column', () => {
  const text = 'services:\n  web:\n    image: x\n    netwroks: [a]\n    ports: ["80:80:80:x"]\n    networks: [nope]\n';
  const r = load({ 'app/compose.yaml': text });
  const got = errors(r.diagnostics).map((d) => `${d.code}@${where(d, text)}`);
  assert.ok(got.includes('COMPOSE_SCHEMA@4:5'), got.join(', '));
  assert.ok(got.includes('BAD_PORT@5:13'), got.join(', '));
});

test('a reference to an undefined network is an error at the reference', () => {
  const text = 'services:\n  web:\n    image: x\n    networks: [nope]\n';
  const r = load({ 'app/compose.yaml': text });
  const e = errors(r.diagnostics);
  assert.equal(e.map((d) => `${d.code}@${where(d, text)}`), ['COMPOSE_REFERENCE@4:16']);
});

test('projects: in a netform file; a later stage\'s problem is reported in the compose file', () => {
  const files: Files = {
    'shop/compose.yaml': 'services:\n  web:\n    image: nginx\n    ports: ["8080:80"]\n  db:\n    image: pg\n    networks:\n      back: {ipv4_address: 10.9.0.300}\nnetworks:\n  back:\n    ipam: {config: [{subnet: 10.9.0.0/24}]}\n',
  };
  const text = 'version: 1\nprojects:\n  shop: shop/compose.yaml\n';
  const r = compile({ file: 'net.yaml', text }, reader(files));
  const e = errors(r.diagnostics);
  assert.is(e.length, 1);
  assert.is(e[0]!.file, 'shop/compose.yaml');
  assert.is(where(e[0]!, files['shop/compose.yaml']!), '8:28');
  const fixed = compile({ file: 'net.yaml', text }, reader({ 'shop/compose.yaml': files['shop/compose.yaml']!.replace('10.9.0.300', '10.9.0.30') }));
  assert.equal(errors(fixed.diagnostics), []);
  assert.equal(fixed.topologies![0]!.containers.map((c) => c.name).sort(), ['shop-db-1', 'shop-web-1']);
});

test('projects: several projects share a host, in the order written; names must not collide', () => {
  const files: Files = {
    'a/compose.yaml': 'services:\n  web: {image: x}\n',
    'b/compose.yaml': 'services:\n  web: {image: x}\n  api: {image: x, container_name: shared-name}\n',
    'c/compose.yaml': 'services:\n  api: {image: x, container_name: shared-name}\n',
  };
  const ok = compile({ file: 'net.yaml', text: 'version: 1\nprojects:\n  one: a/compose.yaml\n  two: [b/compose.yaml]\n' }, reader(files));
  assert.equal(errors(ok.diagnostics), []);
  assert.equal(ok.model!.networks.map((n) => n.name), ['bridge', 'one_default', 'two_default']);
  const clash = compile({ file: 'net.yaml', text: 'version: 1\nprojects:\n  two: b/compose.yaml\n  three: {files: c/compose.yaml}\n' }, reader(files));
  assert.equal(errors(clash.diagnostics).map((d) => `${d.code} ${d.file}`), ['COMPOSE_CONFLICT c/compose.yaml']);
});

test.run();
