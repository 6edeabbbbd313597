// Swarm's firewall pieces (issue 4): the routing mesh on the host (DOCKER-INGRESS), the ingress
// sandbox's fwmark/SNAT rules, a task container's REDIRECT rules and netform's NETFORM-SWARM chain.
//
// 1. moby's swarm-portmap scenario (`docker swarm init; docker service create -p 8080:80 busybox top`),
//    rebuilt as a FirewallInput and compared with the `iptables -S` blocks of filter and nat in the
//    Docker 29 document and in the v28.5.2 one, as test/firewall-iptablesdoc.test.ts does;
// 2. what the dumps do not show (several services, userland proxy off, Docker 27 / 20.10, the sandbox,
//    the task, the swarm ports), checked against rules read from service_linux.go;
// (test/firewall-swarm.kernel.test.ts loads the same rulesets into a kernel.)
import { createTwoFilesPatch } from 'diff';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildFirewall } from './support/firewall.ts';
import { ingressSysctls } from '../src/firewall/iptables/ingress-host.ts';
import { ingressTaskRuleset, loadBalancerSandboxRuleset, loadBalancerSandboxSysctls, numberLoadBalancers } from '../src/firewall/iptables/ingress-sandbox.ts';
import type { Ruleset, TableName } from '../src/firewall/iptables/types.ts';
import { renderIptablesRestore, renderIptablesS } from '../src/firewall/iptables/text/index.ts';
import { iptablesdoc } from './support/moby.ts';
import { daemon, ingressSandbox, swarmPortmap, twoServices } from './support/swarm.ts';

const patch = (name: string, expected: string, actual: string): string =>
  createTwoFilesPatch(`${name} (expected)`, `${name} (netform)`, expected, actual, '', '', { context: 3 }).slice(0, 4000);

const lines = (rs: Ruleset, table: TableName): string[] => renderIptablesS(rs, table).trimEnd().split('\n');

// ----- 1. the dumps -----------------------------------------------------------------------------------

for (const [engine, version] of [
  ['29', 'v29'],
  ['28', 'v28.5.2'],
] as const) {
  const file = `iptablesdoc/${version}/swarm-portmap`;
  test(`swarm-portmap (engine ${engine}): filter and nat equal moby's ${file}`, () => {
    const { tables, excerpts } = iptablesdoc(version, 'swarm-portmap');
    assert.equal([...tables.keys()].sort(), ['filter', 'nat'], 'the document shows filter and nat');
    const v4 = buildFirewall(swarmPortmap(daemon(engine))).v4;
    for (const [table, expectedLines] of tables) {
      const expected = `${expectedLines.join('\n')}\n`;
      const actual = renderIptablesS(v4, table);
      if (actual !== expected) assert.unreachable(`engine ${engine}, table ${table} differs\n${patch(`${file} ${table}`, expected, actual)}`);
    }
    assert.is(excerpts.length, 0);
    // Not in the document (it shows filter and nat only): the bridge driver's direct-access drops for
    // both docker_gwbridge endpoints (endpoint.go filterDirectAccess), from reading the code.
    assert.equal(lines(v4, 'raw').filter((l) => l.startsWith('-A')), [
      '-A PREROUTING -d 172.18.0.2/32 ! -i docker_gwbridge -j DROP',
      '-A PREROUTING -d 172.18.0.3/32 ! -i docker_gwbridge -j DROP',
    ]);
    // IPv4 only: ip6tables gets nothing of the routing mesh.
    assert.not.ok(renderIptablesRestore(buildFirewall(swarmPortmap(daemon(engine))).v6).includes('INGRESS'));
  });
}

test('swarm-portmap: no ingress service, no DOCKER-INGRESS (it is created with the first service)', () => {
  const v4 = buildFirewall(swarmPortmap(daemon('29'), [])).v4;
  assert.not.ok(renderIptablesRestore(v4).includes('INGRESS'));
  assert.not.ok(renderIptablesRestore(v4).includes('--src-type LOCAL'));
});

test('swarm-portmap: route_localnet on docker_gwbridge is reported as a sysctl', () => {
  const input = swarmPortmap(daemon('29'));
  const gw = input.networks[1]!;
  assert.equal(
    ingressSysctls(gw, input.ingress!).map((s) => `${s.key.join('.')}=${s.value}`),
    ['net.ipv4.conf.docker_gwbridge.route_localnet=1'],
  );
  assert.equal(ingressSysctls(gw, { ...input.ingress!, services: [] }), []);
});

// ----- 2. beyond the dumps (from service_linux.go) ------------------------------------------------------

test('several services: every rule is inserted, so the newest port comes first', () => {
  for (const engine of ['29', '28'] as const) {
    const v4 = buildFirewall(swarmPortmap(daemon(engine), twoServices)).v4;
    assert.equal(
      lines(v4, 'filter').filter((l) => l.startsWith('-A DOCKER-INGRESS')),
      [
        '-A DOCKER-INGRESS -p sctp -m sctp --dport 9000 -j ACCEPT',
        '-A DOCKER-INGRESS -p sctp -m sctp --sport 9000 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        '-A DOCKER-INGRESS -p udp -m udp --dport 5353 -j ACCEPT',
        '-A DOCKER-INGRESS -p udp -m udp --sport 5353 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        '-A DOCKER-INGRESS -p tcp -m tcp --dport 8080 -j ACCEPT',
        '-A DOCKER-INGRESS -p tcp -m tcp --sport 8080 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        '-A DOCKER-INGRESS -j RETURN',
      ],
      engine,
    );
    assert.equal(
      lines(v4, 'nat').filter((l) => l.startsWith('-A DOCKER-INGRESS')),
      [
        '-A DOCKER-INGRESS -p sctp -m sctp --dport 9000 -j DNAT --to-destination 172.18.0.2:9000',
        '-A DOCKER-INGRESS -p udp -m udp --dport 5353 -j DNAT --to-destination 172.18.0.2:5353',
        '-A DOCKER-INGRESS -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:8080',
        '-A DOCKER-INGRESS -j RETURN',
      ],
      engine,
    );
    // One jump each, whatever the number of services (29 re-places them, 28 adds them once).
    assert.is(lines(v4, 'nat').filter((l) => l.endsWith('-j DOCKER-INGRESS')).length, 2);
    assert.is(lines(v4, 'filter').filter((l) => l.endsWith('-j DOCKER-INGRESS')).length, 1);
  }
});

test('userland proxy off: the bridge driver already made the LOCAL MASQUERADE for docker_gwbridge', () => {
  const v4 = buildFirewall(swarmPortmap(daemon('29', { hairpin: true }))).v4;
  assert.equal(lines(v4, 'nat').filter((l) => l.startsWith('-A POSTROUTING')), [
    '-A POSTROUTING -o docker_gwbridge -m addrtype --src-type LOCAL -j MASQUERADE',
    '-A POSTROUTING -s 172.18.0.0/16 ! -o docker_gwbridge -j MASQUERADE',
    '-A POSTROUTING -o docker0 -m addrtype --src-type LOCAL -j MASQUERADE',
    '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
  ]);
});

test('bridge-accept-fwmark: the DOCKER-INGRESS jump still heads DOCKER-FORWARD', () => {
  for (const engine of ['29', '28'] as const) {
    const v4 = buildFirewall(swarmPortmap(daemon(engine, { acceptFwMark: { mark: 1, mask: 0xffffffff } }))).v4;
    const fwd = lines(v4, 'filter').filter((l) => l.startsWith('-A DOCKER-FORWARD'));
    assert.equal(fwd.slice(0, 2), ['-A DOCKER-FORWARD -j DOCKER-INGRESS', '-A DOCKER-FORWARD -m mark --mark 0x1 -j ACCEPT'], engine);
  }
});

test('Docker 27 and 20.10: the jump is in FORWARD, below DOCKER-USER; 20.10 matches replies with -m state', () => {
  for (const engine of ['27', '20.10'] as const) {
    const v4 = buildFirewall(swarmPortmap(daemon(engine))).v4;
    const fwd = lines(v4, 'filter').filter((l) => l.startsWith('-A FORWARD'));
    assert.equal(fwd.slice(0, 2), ['-A FORWARD -j DOCKER-USER', '-A FORWARD -j DOCKER-INGRESS'], engine);
    assert.is(lines(v4, 'filter').filter((l) => l === '-A DOCKER-USER -j RETURN').length, 1, engine);
    const reply = engine === '27'
      ? '-A DOCKER-INGRESS -p tcp -m tcp --sport 8080 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'
      : '-A DOCKER-INGRESS -p tcp -m state --state RELATED,ESTABLISHED -m tcp --sport 8080 -j ACCEPT';
    assert.ok(lines(v4, 'filter').includes(reply), `${engine}: ${reply}`);
  }
});

test('iptables: false leaves the routing mesh out; inconsistent ingress input is refused', () => {
  const off = buildFirewall(swarmPortmap(daemon('29', { iptables: false })));
  assert.equal(off.v4.tables, []);
  assert.throws(() => buildFirewall({ ...swarmPortmap(daemon('29')), ingress: { gatewayNetwork: 'docker_gwbridge', sandboxIP: '172.19.0.2', services: [] } }), /not in docker_gwbridge/);
  assert.throws(() => buildFirewall({ ...swarmPortmap(daemon('29')), ingress: { gatewayNetwork: 'nope', sandboxIP: '172.18.0.2', services: [] } }), /unknown network/);
  assert.throws(
    () => buildFirewall(swarmPortmap(daemon('29'), [...twoServices, { name: 'dup', ports: [{ proto: 'tcp', publishedPort: 8080, targetPort: 81 }] }])),
    /published twice/,
  );
});

test('fwmarks: 256 upward, services in file order, ingress first within a service', () => {
  const marks = numberLoadBalancers([
    { name: 'web', networks: ['ingress', 'front'] },
    { name: 'db', networks: ['back'] },
    { name: 'api', networks: ['ingress', 'front', 'back'] },
  ]);
  assert.equal(
    [...marks].map(([s, m]) => [s, [...m]]),
    [
      ['web', [['ingress', 256], ['front', 257]]],
      ['db', [['back', 258]]],
      ['api', [['ingress', 259], ['front', 260], ['back', 261]]],
    ],
  );
});

const SANDBOX_EXPECTED = `*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 8080 -j MARK --set-xmark 0x100/0xffffffff
-A PREROUTING -p udp -m udp --dport 5353 -j MARK --set-xmark 0x100/0xffffffff
-A PREROUTING -p sctp -m sctp --dport 9000 -j MARK --set-xmark 0x103/0xffffffff
-A INPUT -d 10.0.0.5/32 -j MARK --set-xmark 0x100/0xffffffff
-A INPUT -d 10.0.0.9/32 -j MARK --set-xmark 0x103/0xffffffff
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -d 10.0.0.0/24 -m ipvs --ipvs -j SNAT --to-source 10.0.0.2
COMMIT
`;

test('ingress sandbox: fwmark per published port and per VIP, one SNAT for the ingress subnet', () => {
  const text = renderIptablesRestore(loadBalancerSandboxRuleset(ingressSandbox));
  if (text !== SANDBOX_EXPECTED) assert.unreachable(patch('ingress_sbox', SANDBOX_EXPECTED, text));
  assert.equal(
    loadBalancerSandboxSysctls(ingressSandbox).map((s) => `${s.key.join('.')}=${s.value}`),
    ['net.ipv4.vs.conn_reuse_mode=0', 'net.ipv4.vs.expire_nodest_conn=1', 'net.ipv4.vs.expire_quiescent_template=1', 'net.ipv4.vs.conntrack=1'],
  );
  // DSR (overlay option dsr, never ingress): no SNAT, no nat table.
  const dsr = renderIptablesRestore(loadBalancerSandboxRuleset({ ...ingressSandbox, dsr: true }));
  assert.not.ok(dsr.includes('*nat'));
});

const TASK_EXPECTED = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -d 10.0.0.6/32 -p udp -m udp --dport 53 -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT
-A INPUT -d 10.0.0.6/32 -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT
-A INPUT -d 10.0.0.6/32 -p sctp -j DROP
-A INPUT -d 10.0.0.6/32 -p udp -j DROP
-A INPUT -d 10.0.0.6/32 -p tcp -j DROP
-A OUTPUT -s 10.0.0.6/32 -p udp -m udp --sport 53 -m conntrack --ctstate ESTABLISHED -j ACCEPT
-A OUTPUT -s 10.0.0.6/32 -p tcp -m tcp --sport 80 -m conntrack --ctstate ESTABLISHED -j ACCEPT
-A OUTPUT -s 10.0.0.6/32 -p sctp -j DROP
-A OUTPUT -s 10.0.0.6/32 -p udp -j DROP
-A OUTPUT -s 10.0.0.6/32 -p tcp -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 10.0.0.6/32 -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 80
-A PREROUTING -d 10.0.0.6/32 -p udp -m udp --dport 5353 -j REDIRECT --to-ports 53
COMMIT
`;

// The filter table makes the renderer add an empty raw table (Docker 28+ hosts always show it); the
// task's ruleset is compared without it.
const withoutRaw = (text: string): string => text.replace(/^\*raw\n(?:[^\n]*\n)*?COMMIT\n/, '');

test('task container: REDIRECT published -> target port, ACCEPT the target port, DROP the rest', () => {
  const text = withoutRaw(renderIptablesRestore(ingressTaskRuleset({ address: '10.0.0.6/24', ports: twoServices[0]!.ports })));
  if (text !== TASK_EXPECTED) assert.unreachable(patch('task', TASK_EXPECTED, text));
  assert.equal(ingressTaskRuleset({ address: '10.0.0.6', ports: [] }).tables, [], 'no ports, no rules');
});

test('swarm ports: NETFORM-SWARM appended to INPUT, managers add 2377, ESP with an encrypted overlay', () => {
  const base = swarmPortmap(daemon('29'));
  const manager = buildFirewall({ ...base, swarmPorts: { family: 4, manager: true, dataPathPort: 4789, esp: true } });
  assert.equal(lines(manager.v4, 'filter').filter((l) => /NETFORM-SWARM/.test(l)), [
    '-N NETFORM-SWARM',
    '-A INPUT -j NETFORM-SWARM',
    '-A NETFORM-SWARM -p tcp -m tcp --dport 2377 -j ACCEPT',
    '-A NETFORM-SWARM -p tcp -m tcp --dport 7946 -j ACCEPT',
    '-A NETFORM-SWARM -p udp -m udp --dport 7946 -j ACCEPT',
    '-A NETFORM-SWARM -p udp -m udp --dport 4789 -j ACCEPT',
    '-A NETFORM-SWARM -p esp -j ACCEPT',
  ]);
  assert.not.ok(renderIptablesRestore(manager.v6).includes('NETFORM-SWARM'));
  const worker = buildFirewall({ ...base, swarmPorts: { family: 4, manager: false, dataPathPort: 7789, esp: false } });
  assert.equal(lines(worker.v4, 'filter').filter((l) => l.startsWith('-A NETFORM-SWARM')), [
    '-A NETFORM-SWARM -p tcp -m tcp --dport 7946 -j ACCEPT',
    '-A NETFORM-SWARM -p udp -m udp --dport 7946 -j ACCEPT',
    '-A NETFORM-SWARM -p udp -m udp --dport 7789 -j ACCEPT',
  ]);
  // An IPv6 underlay; and the chain is written even when Docker's ip6tables is off.
  const v6 = buildFirewall({ ...base, daemon: daemon('29', { ip6tables: false }), swarmPorts: { family: 6, manager: true, dataPathPort: 4789, esp: true } });
  assert.equal(renderIptablesRestore(v6.v6).split('\n').filter((l) => l.startsWith('-A')).length, 6);
  assert.not.ok(renderIptablesRestore(v6.v6).includes('*raw'));
  // Without swarm ports, nothing changes.
  assert.is(renderIptablesRestore(buildFirewall(base).v4), renderIptablesRestore(buildFirewall({ ...base, swarmPorts: undefined }).v4));
});

test.run();
