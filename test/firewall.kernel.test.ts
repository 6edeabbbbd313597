// The kernel as the judge of our text: each of moby's 66 goldens, and netform's rendering of several
// multi-network daemons, is loaded with iptables-restore / ip6tables-restore in a fresh network
// namespace and read back with iptables-save -t raw; -t filter; -t nat (comment lines dropped). The
// read-back must equal what was loaded, byte for byte; `iptables -S -t <table>` must equal
// renderIptablesS. Only scratch namespaces are touched (test/support/netns.ts).
import { createTwoFilesPatch } from 'diff';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildFirewall } from './support/firewall.ts';
import type { FirewallDaemon, FirewallInput, FirewallNetwork } from '../src/firewall/input.ts';
import type { IpFamily } from '../src/firewall/types.ts';
import type { Ruleset } from '../src/firewall/iptables/types.ts';
import { renderIptablesRestore, renderIptablesS } from '../src/firewall/iptables/text/index.ts';
import { goldenNames, readGolden } from './support/moby.ts';
import { netnsUnavailable, withNetns, type Netns } from './support/netns.ts';
import { testOrSkip } from './support/skip.ts';

const TABLES = ['raw', 'filter', 'nat'] as const;

const tool = (family: IpFamily, what: 'restore' | 'save' | ''): string =>
  `${family === 4 ? 'iptables' : 'ip6tables'}${what ? `-${what}` : ''}`;

const stripComments = (text: string): string =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');

/** Loads `text` in a fresh namespace and returns what iptables-save prints back, plus `iptables -S` per table. */
async function roundTrip(family: IpFamily, text: string): Promise<{ saved: string; listing: Map<string, string> }> {
  return withNetns((ns: Netns) => {
    const [, ...out] = ns.checkAll(
      [[tool(family, 'restore')], ...TABLES.map((t) => [tool(family, 'save'), '-t', t]), ...TABLES.map((t) => [tool(family, ''), '-S', '-t', t])],
      text,
    );
    const saved = out.slice(0, TABLES.length).map(stripComments).join('');
    const listing = new Map(TABLES.map((t, i) => [t, out[TABLES.length + i]!] as const));
    return { saved, listing };
  });
}

const diff = (name: string, a: string, b: string): string =>
  createTwoFilesPatch(`${name} (loaded)`, `${name} (read back)`, a, b, '', '', { context: 2 }).slice(0, 4000);

// ----- multi-network daemons rendered by netform ------------------------------------------------------

const daemon = (over: Partial<FirewallDaemon>): FirewallDaemon => ({
  iptables: true,
  ip6tables: true,
  hairpin: false,
  allowDirectRouting: false,
  userChain: true,
  forwardDrop: { 4: true, 6: true },
  ...over,
});

const base = (name: string, ifName: string, over: Partial<FirewallNetwork>): FirewallNetwork => ({
  name,
  ifName,
  internal: false,
  icc: true,
  masquerade: true,
  trustedHostInterfaces: [],
  ...over,
});

function everything(d: FirewallDaemon): FirewallInput {
  return {
    daemon: d,
    networks: [
      base('bridge', 'docker0', { icc: false, v4: { prefix: '172.17.0.0/16', gatewayMode: 'nat' } }),
      base('front', 'br-front', {
        trustedHostInterfaces: ['eth1'],
        v4: { prefix: '192.0.2.0/24', gatewayMode: 'nat' },
        v6: { prefix: 'fd00:1::/64', gatewayMode: 'routed' },
      }),
      base('back', 'br-back', {
        internal: true,
        v4: { prefix: '198.51.100.0/24', gatewayMode: 'nat' },
        v6: { prefix: 'fd00:2::/64', gatewayMode: 'nat' },
      }),
      base('quiet', 'br-quiet', { internal: true, icc: false, v4: { prefix: '198.51.101.0/24', gatewayMode: 'isolated' } }),
      base('open', 'br-open', {
        v4: { prefix: '203.0.113.0/24', gatewayMode: 'nat-unprotected', hostIP: '192.168.1.10' },
        v6: { prefix: 'fd00:3::/64', gatewayMode: 'nat', hostIP: 'fd00:ffff::10' },
      }),
      base('nomasq', 'br-nomasq', { masquerade: false, v4: { prefix: '10.9.0.0/16', gatewayMode: 'nat' } }),
    ],
    endpoints: [
      { network: 'bridge', container: 'web', addr4: '172.17.0.2', ports: [{ proto: 'tcp', hostIP: '0.0.0.0', hostPort: 80, containerPort: 8000 }] },
      { network: 'bridge', container: 'db', addr4: '172.17.0.3', ports: [] },
      {
        network: 'front',
        container: 'api',
        addr4: '192.0.2.2',
        addr6: 'fd00:1::2',
        ports: [
          { proto: 'tcp', hostIP: '0.0.0.0', hostPort: 8080, containerPort: 80 },
          { proto: 'tcp', hostIP: '::', hostPort: 8080, containerPort: 80 },
          { proto: 'udp', hostIP: '127.0.0.1', hostPort: 5353, containerPort: 53 },
          { proto: 'tcp', hostIP: '::1', hostPort: 8443, containerPort: 443 },
        ],
      },
      { network: 'back', container: 'store', addr4: '198.51.100.2', addr6: 'fd00:2::2', ports: [] },
      { network: 'quiet', container: 'vault', addr4: '198.51.101.2', ports: [] },
      {
        network: 'open',
        container: 'pub',
        addr4: '203.0.113.2',
        addr6: 'fd00:3::2',
        ports: [
          { proto: 'tcp', hostIP: '0.0.0.0', hostPort: 9000, containerPort: 9000 },
          { proto: 'tcp', hostIP: '2001:db8::5', hostPort: 9000, containerPort: 9000 },
        ],
      },
      { network: 'nomasq', container: 'x', addr4: '10.9.0.2', ports: [{ proto: 'udp', hostIP: '192.168.1.20', hostPort: 4000, containerPort: 4000 }] },
    ],
    links: [{ network: 'bridge', parentIP: '172.17.0.2', childIP: '172.17.0.3', ports: [{ proto: 'tcp', port: 5432 }] }],
  };
}

const CASES: { readonly name: string; readonly input: FirewallInput }[] = [
  { name: 'six networks, userland proxy on', input: everything(daemon({})) },
  { name: 'six networks, hairpin, fwmark', input: everything(daemon({ hairpin: true, acceptFwMark: { mark: 0x10, mask: 0xf0 } })) },
  { name: 'six networks, allow-direct-routing, no DOCKER-USER', input: everything(daemon({ allowDirectRouting: true, userChain: false })) },
];

// ----- tests -----------------------------------------------------------------------------------------

const reason = netnsUnavailable(['iptables-restore', 'ip6tables-restore', 'iptables-save', 'ip6tables-save', 'iptables', 'ip6tables']);
const goldens = goldenNames('iptables');
let goldensOk = 0;
let casesOk = 0;

test('kernel: the goldens are there', () => {
  assert.is(goldens.length, 66, 'expected 66 goldens in test/fixtures/moby/iptables');
});

for (const file of goldens) {
  testOrSkip(reason, `kernel: golden ${file} loads and reads back identical`, async () => {
    const text = readGolden('iptables', file);
    const { saved } = await roundTrip(file.endsWith('__ip6tables.golden') ? 6 : 4, text);
    if (saved !== text) assert.unreachable(diff(file, text, saved));
    goldensOk++;
  });
}

for (const c of CASES) {
  for (const family of [4, 6] as const) {
    testOrSkip(reason, `kernel: netform ${c.name} (IPv${family}) loads and reads back identical`, async () => {
      const rs: Ruleset = buildFirewall(c.input)[family === 4 ? 'v4' : 'v6'];
      const text = renderIptablesRestore(rs);
      assert.ok(text.split('\n').filter((l) => l.startsWith('-A ')).length > 20, 'a non-trivial ruleset');
      const { saved, listing } = await roundTrip(family, text);
      if (saved !== text) assert.unreachable(diff(`${c.name} v${family}`, text, saved));
      for (const t of TABLES) {
        const ours = renderIptablesS(rs, t);
        if (listing.get(t) !== ours) assert.unreachable(diff(`${c.name} v${family} -S -t ${t}`, ours, listing.get(t) ?? ''));
      }
      casesOk++;
    });
  }
}

testOrSkip(reason, 'kernel: count', () => {
  console.log(`kernel: ${goldensOk}/66 goldens and ${casesOk}/${CASES.length * 2} netform rulesets read back identical`);
  assert.is(goldensOk, 66);
  assert.is(casesOk, CASES.length * 2);
});

test.run();
