// moby's iptablesdoc scenarios (integration/network/bridge/iptablesdoc, Docker 29): a whole daemon
// (docker0 with the daemon defaults, DOCKER-USER, then the scenario's networks and containers),
// compared with the `iptables -S` listing of each table in the scenario document.
//
// The scenario's setup is read from the harness's docker commands, and the expected listings from the
// document's `iptables -S` blocks (both in test/fixtures/moby/iptablesdoc/v29/). The docs show FORWARD policy ACCEPT
// (forwarding was already on in the harness), hence forwardDrop false. IPv4 only, as the docs.
import { createTwoFilesPatch } from 'diff';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildFirewall } from './support/firewall.ts';
import type { FirewallEndpoint, FirewallInput, FirewallNetwork, FirewallPortBinding, GatewayMode } from '../src/firewall/input.ts';
import { renderIptablesS } from '../src/firewall/iptables/text/index.ts';
import { iptablesdoc, iptablesdocScenarios } from './support/moby.ts';

const SCENARIOS = [
  'new-daemon',
  'usernet-portmap',
  'usernet-portmap-lo',
  'usernet-portmap-noproxy',
  'usernet-portmap-noicc',
  'usernet-internal',
  'usernet-portmap-routed',
  'usernet-portmap-natunprot',
];

// ----- the scenario's setup commands -----------------------------------------------------------------

interface Setup {
  readonly userlandProxy: boolean;
  readonly commands: readonly string[][];
}

function parseSetup(commandLines: readonly string[]): Setup {
  const lines = commandLines.map((l) => l.replace(/\s+\(.*\)\s*$/, '').trim());
  const userlandProxy = !lines.some((l) => l.startsWith('dockerd') && l.includes('--userland-proxy=false'));
  const commands = lines.filter((l) => /^docker (network create|run) /.test(l)).map((l) => l.split(/\s+/));
  return { userlandProxy, commands };
}

/** True when `part` appears in `whole` in the same order (not necessarily adjacent). */
const inOrder = (part: readonly string[], whole: readonly string[]): boolean => {
  let i = 0;
  for (const line of whole) if (line === part[i]) i++;
  return i === part.length;
};

// ----- setup -> FirewallInput ------------------------------------------------------------------------

const ipv4Add = (base: string, n: number): string => {
  const v = base.split('.').reduce((a, p) => a * 256 + Number(p), 0) + n;
  return [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.');
};

/** `-p [ip:]host:container[/proto]` -> bindings; no host address means 0.0.0.0 and :: (daemon default). */
function publish(spec: string): FirewallPortBinding[] {
  const [ports, protoText] = spec.split('/') as [string, string | undefined];
  const parts = ports.split(':');
  const containerPort = Number(parts.pop());
  const hostPort = Number(parts.pop());
  const hostIP = parts.join(':');
  const proto = (protoText ?? 'tcp') as FirewallPortBinding['proto'];
  const hosts = hostIP ? [hostIP] : ['0.0.0.0', '::'];
  return hosts.map((h) => ({ proto, hostIP: h, hostPort, containerPort }));
}

function scenarioInput(setup: Setup): FirewallInput {
  // The default bridge, as a daemon with default options creates it (daemon_unix.go initBridgeDriver).
  const networks: FirewallNetwork[] = [
    {
      name: 'bridge',
      ifName: 'docker0',
      internal: false,
      icc: true,
      masquerade: true,
      trustedHostInterfaces: [],
      v4: { prefix: '172.17.0.0/16', gatewayMode: 'nat' },
    },
  ];
  const endpoints: FirewallEndpoint[] = [];
  const used = new Map<string, number>();
  for (const argv of setup.commands) {
    if (argv[1] === 'network') {
      const opts = new Map<string, string>();
      let internal = false;
      let subnet = '';
      for (let i = 3; i < argv.length - 1; i++) {
        const a = argv[i]!;
        if (a === '--internal') internal = true;
        else if (a === '-o') {
          const [k, v] = argv[++i]!.split('=') as [string, string];
          opts.set(k, v);
        } else if (a === '--subnet') subnet = argv[++i]!;
        else if (a === '--gateway') i++;
        else throw new Error(`unhandled network create argument ${a}`);
      }
      const name = argv[argv.length - 1]!;
      networks.push({
        name,
        ifName: opts.get('com.docker.network.bridge.name') ?? name,
        internal,
        icc: opts.get('com.docker.network.bridge.enable_icc') !== 'false',
        masquerade: opts.get('com.docker.network.bridge.enable_ip_masquerade') !== 'false',
        trustedHostInterfaces: [],
        v4: {
          prefix: subnet,
          gatewayMode: (opts.get('com.docker.network.bridge.gateway_mode_ipv4') ?? 'nat') as GatewayMode,
        },
      });
    } else {
      let network = 'bridge';
      let name = `c${endpoints.length + 1}`;
      const ports: FirewallPortBinding[] = [];
      for (let i = 2; i < argv.length; i++) {
        const a = argv[i]!;
        if (a === '--network') network = argv[++i]!;
        else if (a === '-p') ports.push(...publish(argv[++i]!));
        else if (a === '--name') name = argv[++i]!;
        else if (a === '--expose') i++;
      }
      const net = networks.find((n) => n.name === network)!;
      // IPAM: the gateway takes .1, containers follow in order.
      const n = (used.get(network) ?? 1) + 1;
      used.set(network, n);
      endpoints.push({ network, container: name, addr4: ipv4Add(net.v4!.prefix.split('/')[0]!, n), ports });
    }
  }
  return {
    daemon: {
      iptables: true,
      ip6tables: true,
      hairpin: !setup.userlandProxy,
      allowDirectRouting: false,
      userChain: true,
      forwardDrop: { 4: false, 6: false },
    },
    networks,
    endpoints,
    links: [],
  };
}

// ----- tests -----------------------------------------------------------------------------------------

let matched = 0;

test('iptablesdoc: the scenario listings are there (swarm-portmap is test/firewall-swarm.test.ts)', () => {
  const present = iptablesdocScenarios('v29').filter((s) => s !== 'swarm-portmap');
  assert.equal(present, [...SCENARIOS].sort());
});

for (const scenario of SCENARIOS) {
  test(`iptablesdoc ${scenario}`, () => {
    const { commands, tables, excerpts } = iptablesdoc('v29', scenario);
    assert.ok(tables.has('filter') && tables.has('nat'), 'the document has filter and nat listings');
    const v4 = buildFirewall(scenarioInput(parseSetup(commands))).v4;
    for (const [table, expectedLines] of tables) {
      const expected = `${expectedLines.join('\n')}\n`;
      const actual = renderIptablesS(v4, table);
      if (actual !== expected) {
        const patch = createTwoFilesPatch(`${scenario} ${table} (moby)`, `${scenario} ${table} (netform)`, expected, actual, '', '', {
          context: 3,
        });
        assert.unreachable(`${scenario}: table ${table} differs\n${patch.slice(0, 4000)}`);
      }
    }
    // Chain excerpts shown in the prose must be part of one of our tables, in the same order.
    const ours = (['raw', 'filter', 'nat'] as const).map((t) => renderIptablesS(v4, t).split('\n'));
    for (const ex of excerpts) {
      assert.ok(ours.some((lines) => inOrder(ex, lines)), `${scenario}: excerpt not found:\n${ex.join('\n')}`);
    }
    matched++;
  });
}

test('iptablesdoc: count', () => {
  console.log(`${matched}/${SCENARIOS.length} iptablesdoc scenarios match`);
  assert.is(matched, SCENARIOS.length);
});

test.run();
