// The lock file (docs/lock.md) through the library: with a lock, inserting, removing and reordering
// networks and containers changes no allocation of an item that is still there (subnets, gateways,
// addresses, MACs, bridge names, host ports); new items take the lowest free; the lock's text is
// deterministic; a pin the input no longer allows is a LOCK_CONFLICT at its line, never a renumbering.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, type CompileOptions, type CompileResult } from '../src/compile.ts';
import { diagnosticsToJson, formatDiagnostics } from '../src/diagnostics/format.ts';
import { diagnosticSources } from '../src/compile.ts';
import type { Topology } from '../src/topology/types.ts';

const BASE = `version: 1
host:
  name: local
  resolv_conf: "nameserver 10.0.0.1\\n"
networks:
  front:
    driver: bridge
    enable_ipv6: true
  back:
    driver: bridge
  data:
    driver: bridge
    internal: true
containers:
  web:
    image: nginx
    networks: [front, back]
    ports: ["80", "8000-8010:81"]
  api:
    image: api
    networks: [back, data]
    ports: ["9000-9005:9000"]
  db:
    image: postgres
    networks: [data]
  cache:
    image: redis
    networks: [back]
    ports: ["6379"]
  worker:
    image: worker
    networks: [back, front]
`;

/** BASE with a network inserted at the top, a container inserted in the middle, cache removed, and networks and containers reordered. */
const EDITED = `version: 1
host:
  name: local
  resolv_conf: "nameserver 10.0.0.1\\n"
networks:
  zero:
    driver: bridge
    enable_ipv6: true
  back:
    driver: bridge
  data:
    driver: bridge
    internal: true
  front:
    driver: bridge
    enable_ipv6: true
containers:
  worker:
    image: worker
    networks: [back, front]
  web:
    image: nginx
    networks: [front, back]
    ports: ["80", "8000-8010:81"]
  newbie:
    image: newbie
    networks: [zero, back, front]
    ports: ["80", "8000-8010:81"]
  db:
    image: postgres
    networks: [data]
  api:
    image: api
    networks: [back, data]
    ports: ["9000-9005:9000"]
`;

function build(text: string, lock?: string, extra: CompileOptions = {}): CompileResult {
  return compile({ file: 'site.yaml', text }, undefined, { files: false, lock: { file: 'site.lock', ...(lock !== undefined ? { text: lock } : {}) }, ...extra });
}

function errorsOf(r: CompileResult): string {
  return formatDiagnostics(r.diagnostics.filter((d) => d.severity === 'error'), diagnosticSources(r, 'site.yaml'));
}

function ok(r: CompileResult): CompileResult & { topologies: readonly Topology[] } {
  assert.ok(r.topologies && !r.diagnostics.some((d) => d.severity === 'error'), errorsOf(r));
  return r as CompileResult & { topologies: readonly Topology[] };
}

/** Everything netform allocated, item by item: what Docker would have chosen at creation time. */
function allocations(topologies: readonly Topology[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of topologies) {
    for (const b of t.bridges) {
      out.set(`${t.host} bridge ${b.network}`, `${b.name} ${b.mac} ${b.addresses.join(' ')}`);
    }
    for (const e of t.endpoints) {
      out.set(`${t.host} endpoint ${e.container} ${e.network}`, `${e.ipv4 ?? '-'} ${e.ipv6 ?? '-'} ${e.mac} ${e.bridge} ${e.attachment?.kind === 'overlay' ? e.attachment.namespace : ''}`);
    }
    for (const p of t.ports) out.set(`${t.host} port ${p.container} ${p.network} ${p.proto} ${p.hostIP} ${p.containerPort}`, String(p.hostPort));
    for (const o of t.overlays ?? []) out.set(`${t.host} overlay ${o.network}`, `${o.namespace} ${o.vni} ${o.vxlanName} ${o.bridgeMac} ${o.bridgeAddresses.join(' ')}`);
    for (const c of t.containers) for (const vip of c.loadBalancer?.vips ?? []) out.set(`${t.host} vip ${c.name} ${vip}`, vip);
  }
  return out;
}

/** The allocations of items present in both, that differ. */
function moved(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...a].filter(([k, v]) => b.has(k) && b.get(k) !== v).map(([k, v]) => `${k}: ${v} -> ${b.get(k)}`);
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

test('inserting a network at the top and a container in the middle, removing one and reordering the others changes no existing allocation', () => {
  const first = ok(build(BASE));
  const lock = first.lock!.text;
  const edited = ok(build(EDITED, lock));
  const before = allocations(first.topologies);
  const after = allocations(edited.topologies);
  assert.equal(moved(before, after), []);
  // The test can fail: without the lock the same edit renumbers existing items (Docker's creation order).
  const unlocked = ok(compile({ file: 'site.yaml', text: EDITED }, undefined, { files: false }));
  assert.ok(moved(before, allocations(unlocked.topologies)).length > 5);
  // Every line of the old lock is still there, except cache's (freed: its address, its port 6379); the new items added lines.
  const kept = lines(lock).filter((l) => !/\bcache\b|6379/.test(l));
  const now = lines(edited.lock!.text);
  assert.equal(kept.filter((l) => !now.includes(l)), [], 'lines of the old lock that changed');
  assert.ok(lines(lock).some((l) => /\bcache\b/.test(l)) && !now.some((l) => /\bcache\b/.test(l)), 'cache freed its allocations');
  assert.ok(now.some((l) => /^ {6}zero:$/.test(l)) && now.some((l) => /^ {10}newbie:/.test(l)));
});

test('new items take the lowest free allocation around the pinned ones, the freed ones included', () => {
  const lock = ok(build(BASE)).lock!.text;
  const edited = ok(build(EDITED, lock));
  const ep = (c: string, n: string) => edited.topologies[0]!.endpoints.find((e) => e.container === c && e.network === n)!;
  const bridge = (n: string) => edited.topologies[0]!.bridges.find((b) => b.network === n)!;
  // bridge 172.17, front 172.18, back 172.19, data 172.20 are pinned: zero takes 172.21.
  assert.equal(bridge('zero').addresses[0], '172.21.0.1/16');
  // On back: the gateway .1, web .2, api .3, cache .4 (freed), worker .5: newbie takes cache's .4.
  assert.is(ep('newbie', 'back').ipv4, '172.19.0.4');
  assert.is(ep('worker', 'back').ipv4, '172.19.0.5');
  // Ephemeral ports: web holds 32768, cache held 32769 (freed): newbie's 80 takes 32769.
  const port = (c: string, cp: number) => edited.topologies[0]!.ports.find((p) => p.container === c && p.containerPort === cp && p.hostIP === '0.0.0.0')!.hostPort;
  assert.is(port('web', 80), 32768);
  assert.is(port('newbie', 80), 32769);
  // A range: web holds 8000, newbie takes the next free one.
  assert.is(port('web', 81), 8000);
  assert.is(port('newbie', 81), 8001);
});

test('the lock text is deterministic: the same allocations give the same bytes, whatever the order of the input', () => {
  const a = ok(build(BASE)).lock!.text;
  assert.is(ok(build(BASE)).lock!.text, a);
  // A build with its own lock rewrites nothing.
  const again = ok(build(BASE, a));
  assert.is(again.lock!.text, a);
  assert.is(again.lock!.changed, false);
  assert.equal(again.lock!.changes, []);
  // The same file with networks and containers in reverse order, with that lock: the same allocations, the same bytes.
  const reversed = BASE.replace(/networks:\n([\s\S]*?)containers:\n([\s\S]*)$/, (_m, nets: string, ctrs: string) => {
    const blocks = (s: string) => s.split(/\n(?= {2}\S)/).map((b) => b.replace(/\n*$/, ''));
    return `networks:\n${blocks(nets).reverse().join('\n')}\ncontainers:\n${blocks(ctrs).reverse().join('\n')}\n`;
  });
  assert.is.not(reversed, BASE);
  assert.is(ok(build(reversed, a)).lock!.text, a);
  // Names sorted, fields in a fixed order, one line per endpoint.
  assert.match(a, /\n {6}back:\n {8}id: "[0-9a-f]{12}"\n {8}mac: "[0-9a-f:]{17}"\n {8}ipv4: \{subnet: 172\.19\.0\.0\/16, gateway: 172\.19\.0\.1\}\n {8}containers:\n {10}api: \{ipv4: 172\.19\.0\.3, mac: "[0-9a-f:]{17}"\}\n/);
});

test('without a lock the allocation is Docker\'s creation order, and a build with a fresh lock changes nothing of it', () => {
  const plain = ok(compile({ file: 'site.yaml', text: EDITED }, undefined, { files: false }));
  const first = ok(build(EDITED));
  assert.equal(first.topologies, plain.topologies);
  assert.equal(ok(build(EDITED, first.lock!.text)).topologies, plain.topologies);
  assert.is(plain.lock, undefined);
});

/** Where each diagnostic of a code points: `file:line:col`, with its message. */
function at(r: CompileResult, code: string): { where: string; message: string }[] {
  return diagnosticsToJson(r.diagnostics.filter((d) => d.code === code), diagnosticSources(r, 'site.yaml')).map((d) => ({ where: `${d.file}:${d.line}:${d.col}`, message: d.message }));
}

const BASE_LOCK = () => ok(build(BASE)).lock!.text;
/** Line (1-based) of the first line of `text` matching `re`. */
const lineOf = (text: string, re: RegExp) => text.split('\n').findIndex((l) => re.test(l)) + 1;

test('a subnet edited by hand: one LOCK_CONFLICT at the subnet, naming the lock lines of what it pins there', () => {
  const lock = BASE_LOCK();
  const text = BASE.replace('  back:\n    driver: bridge\n', '  back:\n    driver: bridge\n    ipam:\n      config:\n        - subnet: 10.50.0.0/24\n');
  const r = build(text, lock);
  const found = at(r, 'LOCK_CONFLICT');
  assert.is(found.length, 1);
  assert.is(found[0]!.where, `site.yaml:${lineOf(text, /subnet: 10\.50/)}:19`);
  assert.match(found[0]!.message, new RegExp(`gateway 172\\.19\\.0\\.1 \\(site\\.lock:${lineOf(lock, /^ {6}back:/) + 3}:\\d+\\).*container "web" 172\\.19\\.0\\.2 \\(site\\.lock:${lineOf(lock, /^ {10}web: \{ipv4: 172\.19/)}:\\d+\\)`));
  // Every error of a file is reported in one run (the topology is still built for its own checks);
  // nothing is rendered and no lock is worked out.
  assert.is(r.files, undefined);
  assert.is(r.lock, undefined);
});

test('an address the input now gives explicitly to another container, or as the gateway: LOCK_CONFLICT at that address', () => {
  const lock = BASE_LOCK();
  const webLine = lineOf(lock, /^ {10}web: \{ipv4: 172\.19/);
  const extra = `${BASE}  extra:\n    image: x\n    networks:\n      back:\n        ipv4_address: 172.19.0.2\n`;
  const r = build(extra, lock);
  assert.equal(at(r, 'LOCK_CONFLICT').map((d) => d.where), [`site.yaml:${lineOf(extra, /ipv4_address/)}:23`]);
  assert.match(at(r, 'LOCK_CONFLICT')[0]!.message, new RegExp(`site\\.lock:${webLine}:23 gives container "web"`));
  const gw = BASE.replace('  back:\n    driver: bridge\n', '  back:\n    driver: bridge\n    ipam:\n      config:\n        - subnet: 172.19.0.0/16\n          gateway: 172.19.0.2\n');
  assert.equal(at(build(gw, lock), 'LOCK_CONFLICT').map((d) => d.where), [`site.yaml:${lineOf(gw, /gateway: 172/)}:20`]);
});

test('a subnet a new network now gives explicitly: LOCK_CONFLICT at the network whose pinned subnet it overlaps', () => {
  const text = BASE.replace('networks:\n  front:', 'networks:\n  newnet:\n    driver: bridge\n    ipam:\n      config:\n        - subnet: 172.19.128.0/24\n  front:');
  const found = at(build(text, BASE_LOCK()), 'LOCK_CONFLICT');
  assert.equal(found.map((d) => d.where), [`site.yaml:${lineOf(text, /^ {2}back:/)}:3`]);
  assert.match(found[0]!.message, /the subnet 172\.19\.0\.0\/16, which overlaps the subnet 172\.19\.128\.0\/24 of network "newnet"/);
});

test('a host port the input now publishes that the lock gives another container: LOCK_CONFLICT at the port', () => {
  const text = `${BASE}  extra:\n    image: x\n    networks: [back]\n    ports: ["32768:80"]\n`;
  const found = at(build(text, BASE_LOCK()), 'LOCK_CONFLICT');
  assert.equal(found.map((d) => d.where), [`site.yaml:${lineOf(text, /32768:80/)}:13`]);
  assert.match(found[0]!.message, /gives container "web" \(0\.0\.0\.0::80\/tcp\)/);
});

test('a lock edited by hand: an address given twice, a port outside its range, a VNI taken: LOCK_CONFLICT; bad entries: LOCK_INVALID at the lock line', () => {
  const lock = BASE_LOCK();
  const twice = lock.replace(/(api: \{ipv4: )172\.19\.0\.3/, '$1172.19.0.2');
  const found = at(build(BASE, twice), 'LOCK_CONFLICT');
  assert.equal(found.map((d) => d.where), [`site.yaml:${lineOf(BASE, /^ {2}api:/) + 2}:16`]);
  assert.match(found[0]!.message, new RegExp(`site\\.lock:${lineOf(twice, /api: \{ipv4: 172\.19\.0\.2/)}:23 gives container "api" the address 172\\.19\\.0\\.2 on network "back", which is the one site\\.lock:\\d+:23 gives container "web"`));
  const outside = lock.replace('"0.0.0.0:8000-8010:81/tcp": 8000', '"0.0.0.0:8000-8010:81/tcp": 8011');
  assert.is.not(outside, lock);
  assert.equal(at(build(BASE, outside), 'LOCK_CONFLICT').map((d) => d.where), [`site.yaml:${lineOf(BASE, /8000-8010:81/)}:19`]);
  const bad = lock.replace('version: 1', 'version: 1\nextra: 1').replace(/(api: \{ipv4: )172\.19\.0\.3/, '$1172.19.0.300');
  const r = build(BASE, bad);
  assert.equal(at(r, 'LOCK_INVALID').map((d) => d.where), [`site.lock:${lineOf(bad, /^extra/)}:1`, `site.lock:${lineOf(bad, /0\.300/)}:23`]);
  assert.is(r.topologies, undefined);
  assert.equal(at(build(BASE, lock.replace('version: 1', 'version: 2')), 'LOCK_INVALID').map((d) => d.where), [`site.lock:${lineOf(lock, /^version/)}:10`]);
});

test('stale entries: what the lock pins for removed items is reported at its line (validate) and freed by a build', () => {
  const lock = BASE_LOCK();
  const text = BASE.replace(/ {2}cache:\n.*\n.*\n.*\n/, '');
  const r = build(text, lock, { lock: { file: 'site.lock', text: lock, outOfDate: 'warning' } });
  const found = at(r, 'LOCK_OUT_OF_DATE');
  assert.equal(found.map((d) => d.where), [`site.lock:${lineOf(lock, /^ {10}cache:/)}:11`, `site.lock:${lineOf(lock, /^ {6}cache:/)}:7`]);
  assert.ok(r.diagnostics.every((d) => d.severity === 'warning'));
  assert.ok(!r.lock!.text.includes('cache'));
  // New items are reported at their line in the input; as errors when the lock must be up to date.
  const frozen = build(EDITED, lock, { lock: { file: 'site.lock', text: lock, outOfDate: 'error' } });
  const added = at(frozen, 'LOCK_OUT_OF_DATE').map((d) => d.where);
  assert.ok(added.includes(`site.yaml:${lineOf(EDITED, /^ {2}zero:/)}:3`), added.join(' '));
  assert.ok(added.includes(`site.yaml:${lineOf(EDITED, /networks: \[zero, back, front\]/)}:16`), added.join(' '));
  assert.is(frozen.topologies !== undefined && frozen.diagnostics.some((d) => d.severity === 'error'), true);
});

const SWARM = `version: 1
hosts:
  node1: {address: 192.168.56.11, interfaces: [eth0], resolv_conf: "nameserver 192.168.56.1\\n", open_swarm_ports: true}
  node2: {address: 192.168.56.12, interfaces: [eth0], role: worker, resolv_conf: "nameserver 192.168.56.1\\n"}
networks:
  ov-a: {driver: overlay, attachable: true}
  ov-b: {driver: overlay, attachable: true, enable_ipv6: true, ipam: {config: [{subnet: "fd00:b::/64"}]}}
containers:
  alpha: {host: node1, networks: [ov-a]}
  web.1: {host: node2, service: web, networks: [ov-a, ov-b], ports: [{target: 80, mode: ingress}]}
  web.2: {host: node1, service: web, networks: [ov-a, ov-b], ports: [{target: 80, mode: ingress}]}
  beta: {host: node2, networks: [ov-b]}
  api.1: {host: node1, service: api, networks: [ov-b], ports: [{target: 9000, mode: ingress}]}
`;

const SWARM_EDITED = `version: 1
hosts:
  node1: {address: 192.168.56.11, interfaces: [eth0], resolv_conf: "nameserver 192.168.56.1\\n", open_swarm_ports: true}
  node2: {address: 192.168.56.12, interfaces: [eth0], role: worker, resolv_conf: "nameserver 192.168.56.1\\n"}
networks:
  ov-0: {driver: overlay, attachable: true}
  ov-b: {driver: overlay, attachable: true, enable_ipv6: true, ipam: {config: [{subnet: "fd00:b::/64"}]}}
  ov-a: {driver: overlay, attachable: true}
containers:
  api.1: {host: node1, service: api, networks: [ov-b], ports: [{target: 9000, mode: ingress}]}
  alpha: {host: node1, networks: [ov-a]}
  new.1: {host: node2, service: new, networks: [ov-0, ov-a], ports: [{target: 443, mode: ingress}]}
  web.1: {host: node2, service: web, networks: [ov-a, ov-b], ports: [{target: 80, mode: ingress}]}
  web.2: {host: node1, service: web, networks: [ov-a, ov-b], ports: [{target: 80, mode: ingress}]}
`;

test('swarm: overlay subnets, VNIs, ingress sandbox addresses, VIPs, ingress ports and each host\'s local allocations are all kept', () => {
  const first = ok(build(SWARM));
  const lock = first.lock!.text;
  for (const want of [/^swarm:$/m, /^ {6}vni: 4097$/m, /^ {2}ingress_sandboxes:$/m, /^ {4}node2: \{ipv4: 10\.0\.0\.\d+\}$/m, /^ {2}vips:$/m, /^ {6}ov-b: \{ipv4: 10\.0\.2\.\d+, ipv6: "fd00:b::\d+"\}$/m, /^ {6}"80\/tcp": 30000$/m, /^ {2}node1:$/m, /docker_gwbridge/]) {
    assert.match(lock, want);
  }
  const edited = ok(build(SWARM_EDITED, lock));
  const before = allocations(first.topologies);
  const after = allocations(edited.topologies);
  assert.equal(moved(before, after), []);
  assert.ok(moved(before, allocations(ok(compile({ file: 'site.yaml', text: SWARM_EDITED }, undefined, { files: false })).topologies)).length > 3, 'the edit renumbers without the lock');
  const kept = lines(lock).filter((l) => !/\bbeta\b/.test(l));
  const now = lines(edited.lock!.text);
  assert.equal(kept.filter((l) => !now.includes(l)), []);
  // The new overlay takes the lowest free VNI and subnet; the new service the next ingress port.
  assert.match(edited.lock!.text, /^ {4}ov-0:\n {6}id: "[0-9a-f]{12}"\n {6}vni: 4099\n/m);
  assert.match(edited.lock!.text, /^ {4}new:\n {6}"443\/tcp": 30002$/m);
});

test('swarm: a VNI the lock pins that the input now gives another network is a LOCK_CONFLICT at that network', () => {
  const lock = ok(build(SWARM)).lock!.text;
  const text = SWARM.replace('ov-a: {driver: overlay, attachable: true}', 'ov-a: {driver: overlay, attachable: true}\n  ov-c: {driver: overlay, driver_opts: {com.docker.network.driver.overlay.vxlanid_list: "4097"}}');
  const found = at(build(text, lock), 'LOCK_CONFLICT');
  assert.equal(found.map((d) => d.where), [`site.yaml:${lineOf(text, /^ {2}ov-a:/)}:3`]);
  assert.match(found[0]!.message, /the VXLAN id 4097, which network "ov-c" has/);
});

const COMPOSE_FILE = `services:
  web:
    image: nginx
    networks: [front, back]
    ports: ["80"]
  api:
    image: api
    networks: [back]
  db:
    image: postgres
    networks: [back]
networks:
  front: {}
  back: {}
`;

/** COMPOSE_FILE with a service and a network that Compose's plan puts first (by name). */
const COMPOSE_EDITED = COMPOSE_FILE.replace('services:\n', 'services:\n  aaa:\n    image: a\n    networks: [back, abc]\n').replace('networks:\n  front: {}', 'networks:\n  abc: {}\n  front: {}');

const PROJECT = 'version: 1\nhost:\n  resolv_conf: "nameserver 10.0.0.1\\n"\nprojects:\n  shop: compose.yaml\n';

function buildProject(compose: string, lock?: string): CompileResult {
  const read = (ref: string) => (ref === 'compose.yaml' ? { file: 'compose.yaml', text: compose } : { error: 'no such file', missing: true });
  return compile({ file: 'site.yaml', text: PROJECT }, read, { files: false, lock: { file: 'site.lock', ...(lock !== undefined ? { text: lock } : {}) } });
}

test('compose: the lock pins what Compose\'s plan order would renumber (a service or network sorting first)', () => {
  const first = ok(buildProject(COMPOSE_FILE));
  const lock = first.lock!.text;
  assert.match(lock, /^ {6}shop_back:\n/m);
  assert.match(lock, /^ {10}shop-web-1: \{ipv4: 172\.18\.0\.4, mac: /m);
  const edited = ok(buildProject(COMPOSE_EDITED, lock));
  assert.equal(moved(allocations(first.topologies), allocations(edited.topologies)), []);
  const unlocked = ok(compile({ file: 'site.yaml', text: PROJECT }, (ref) => ({ file: ref, text: COMPOSE_EDITED }), { files: false }));
  assert.ok(moved(allocations(first.topologies), allocations(unlocked.topologies)).length > 3);
});

test('compose: a lock edited to what Docker actually chose (two networks created the other way round) is honoured', () => {
  const lock = ok(buildProject(COMPOSE_FILE)).lock!.text;
  // Docker created shop_front first: it got 172.18.0.0/16 and shop_back 172.19.0.0/16.
  const swapped = lock.replace(/172\.18\./g, '172.X.').replace(/172\.19\./g, '172.18.').replace(/172\.X\./g, '172.19.');
  const r = ok(buildProject(COMPOSE_FILE, swapped));
  const ep = (c: string, n: string) => r.topologies[0]!.endpoints.find((e) => e.container === c && e.network === n)!.ipv4;
  assert.is(ep('shop-web-1', 'shop_front'), '172.18.0.2');
  assert.is(ep('shop-api-1', 'shop_back'), '172.19.0.2');
  assert.is(r.lock!.text, swapped);
  // A conflict in what a project brought points at the compose file.
  const clash = swapped.replace(/(shop-db-1: \{ipv4: )172\.19\.0\.3/, '$1172.19.0.2');
  const found = at(buildProject(COMPOSE_FILE, clash), 'LOCK_CONFLICT');
  assert.equal(found.map((d) => d.where), [`compose.yaml:${lineOf(COMPOSE_FILE, /^ {2}db:/) + 2}:16`]);
});

test.run();
