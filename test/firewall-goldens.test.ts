// The 66 iptables-save goldens of moby's firewaller unit test (TestIptabler, Docker 29), reproduced
// byte for byte. Each file name holds the test parameters; the inputs are those of iptabler_test.go
// (see test/fixtures/moby/README.md): bridge br-dummy, 192.168.0.0/24 and
// fd49:efd7:54aa::/64, endpoint 192.168.0.2 / fd49:efd7:54aa::1, tcp 80 published on 8080.
import { createTwoFilesPatch } from 'diff';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildFirewall } from './support/firewall.ts';
import type { FirewallInput, GatewayMode } from '../src/firewall/input.ts';
import { renderIptablesRestore } from '../src/firewall/iptables/text/index.ts';
import { goldenNames, readGolden } from './support/moby.ts';

const EXPECTED_FILES = 66;

const files = goldenNames('iptables');

interface Params {
  readonly cleaned: boolean;
  readonly hairpin: boolean;
  readonly internal: boolean;
  readonly icc: boolean;
  readonly masq: boolean;
  readonly snat: boolean;
  readonly gwm: GatewayMode;
  readonly bindlh: boolean;
  readonly family: 4 | 6;
}

/** "hairpin=true,internal=false,...__ip6tables.golden" -> parameters (missing ones get the defaults). */
function parseName(file: string): { params: Params; combos: Params[] } {
  const m = /^(.*)__(iptables|ip6tables)\.golden$/.exec(file);
  if (!m) throw new Error(`unexpected golden file name ${file}`);
  const family = m[2] === 'iptables' ? 4 : 6;
  const kv = new Map<string, string>();
  let cleaned = false;
  for (const part of m[1]!.split(',')) {
    if (part === 'cleaned') cleaned = true;
    else {
      const [k, v] = part.split('=') as [string, string];
      kv.set(k, v);
    }
  }
  const bool = (k: string, def: boolean): boolean => (kv.has(k) ? kv.get(k) === 'true' : def);
  const params: Params = {
    cleaned,
    hairpin: bool('hairpin', false),
    internal: bool('internal', false),
    icc: bool('icc', true),
    masq: bool('masq', true),
    snat: bool('snat', false),
    gwm: (kv.get('gwm') ?? 'nat') as GatewayMode,
    bindlh: bool('bindlh', false),
    family,
  };
  // moby shares one result file between all port/NAT parameters of an internal network (they must
  // have no effect there): check every combination it folds into the file.
  const combos: Params[] = [];
  if (params.internal) {
    for (const masq of [false, true])
      for (const snat of [false, true])
        for (const gwm of ['nat', 'nat-unprotected', 'routed'] as const)
          for (const bindlh of [false, true]) combos.push({ ...params, masq, snat, gwm, bindlh });
  } else combos.push(params);
  return { params, combos };
}

/** iptabler_test.go testIptabler, as a FirewallInput (the firewaller alone: no DOCKER-USER, no docker0). */
function inputFor(p: Params): FirewallInput {
  return {
    daemon: {
      iptables: true,
      ip6tables: true,
      hairpin: p.hairpin,
      allowDirectRouting: false,
      userChain: false,
      forwardDrop: { 4: false, 6: false },
    },
    networks: p.cleaned
      ? []
      : [
          {
            name: 'dummy',
            ifName: 'br-dummy',
            internal: p.internal,
            icc: p.icc,
            masquerade: p.masq,
            trustedHostInterfaces: [],
            v4: { prefix: '192.168.0.0/24', gatewayMode: p.gwm, ...(p.snat ? { hostIP: '192.168.123.0' } : {}) },
            v6: { prefix: 'fd49:efd7:54aa::/64', gatewayMode: p.gwm, ...(p.snat ? { hostIP: 'fd34:d0d4:672f::123' } : {}) },
            origin: ['networks', 'dummy'],
          },
        ],
    endpoints: p.cleaned
      ? []
      : [
          {
            network: 'dummy',
            container: 'c1',
            addr4: '192.168.0.2',
            addr6: 'fd49:efd7:54aa::1',
            ports: [
              { proto: 'tcp', hostIP: p.bindlh ? '127.0.0.1' : '0.0.0.0', hostPort: 8080, containerPort: 80 },
              { proto: 'tcp', hostIP: p.bindlh ? '::1' : '::', hostPort: 8080, containerPort: 80 },
            ],
            origin: ['containers', 'c1'],
          },
        ],
    links: [],
    firewallerOnly: true,
  };
}

function render(p: Params): string {
  const rs = buildFirewall(inputFor(p));
  return renderIptablesRestore(p.family === 4 ? rs.v4 : rs.v6);
}

function showDiff(name: string, expected: string, actual: string): string {
  const patch = createTwoFilesPatch(`${name} (golden)`, `${name} (netform)`, expected, actual, '', '', { context: 2 });
  return patch.length > 4000 ? `${patch.slice(0, 4000)}\n... (diff cut at 4000 characters)` : patch;
}

let matched = 0;

test('goldens: all 66 files are there', () => {
  assert.is(files.length, EXPECTED_FILES, `expected ${EXPECTED_FILES} golden files in test/fixtures/moby/iptables`);
});

for (const file of files) {
  test(`golden ${file}`, () => {
    const expected = readGolden('iptables', file);
    const { combos } = parseName(file);
    let ok = true;
    for (const p of combos) {
      const actual = render(p);
      if (actual !== expected) {
        ok = false;
        assert.unreachable(`${file} differs (params ${JSON.stringify(p)}):\n${showDiff(file, expected, actual)}`);
      }
    }
    if (ok) matched++;
  });
}

test('goldens: count', () => {
  console.log(`${matched}/${EXPECTED_FILES} goldens match`);
  assert.is(matched, EXPECTED_FILES);
});

test('goldens: every rule of a network scenario carries the origin of its network, endpoint or port', () => {
  const p = parseName('hairpin=true,internal=false,icc=false,masq=true,snat=false,gwm=nat,bindlh=true__iptables.golden').params;
  const rs = buildFirewall(inputFor(p)).v4;
  const origins = new Set<string>();
  for (const t of rs.tables) for (const c of t.chains) for (const r of c.rules) origins.add(JSON.stringify(r.origin ?? null));
  // Daemon rules have no origin here (the input gives the daemon none); the others point at the YAML.
  assert.equal([...origins].sort(), ['null', '["containers","c1"]', '["networks","dummy"]'].sort());
});

test.run();
