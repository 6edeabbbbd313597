// The builder's ordering and its less common options. Expected listings are derived by hand from
// moby's code (iptabler/*.go, Docker 29): inserts go to the head of a chain, appends to the tail,
// and a rule that already exists anywhere in its chain is not added again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildFirewall } from './support/firewall.ts';
import { RulesetBuilder, makeRule } from '../src/firewall/iptables/ruleset-builder.ts';
import type { FirewallDaemon, FirewallEndpoint, FirewallInput, FirewallNetwork } from '../src/firewall/input.ts';
import type { Ruleset, TableName } from '../src/firewall/iptables/types.ts';
import { renderIptablesRestore, renderIptablesS } from '../src/firewall/iptables/text/index.ts';

// ----- fixtures --------------------------------------------------------------------------------------

const daemon = (over: Partial<FirewallDaemon> = {}): FirewallDaemon => ({
  iptables: true,
  ip6tables: true,
  hairpin: false,
  allowDirectRouting: false,
  userChain: true,
  forwardDrop: { 4: false, 6: false },
  ...over,
});

const net = (name: string, ifName: string, prefix4: string | undefined, over: Partial<FirewallNetwork> = {}): FirewallNetwork => ({
  name,
  ifName,
  internal: false,
  icc: true,
  masquerade: true,
  trustedHostInterfaces: [],
  ...(prefix4 ? { v4: { prefix: prefix4, gatewayMode: 'nat' as const } } : {}),
  origin: ['networks', name],
  ...over,
});

const docker0 = (over: Partial<FirewallNetwork> = {}): FirewallNetwork => net('bridge', 'docker0', '172.17.0.0/16', over);

const input = (over: Partial<FirewallInput>): FirewallInput => ({
  daemon: daemon(),
  networks: [],
  endpoints: [],
  links: [],
  ...over,
});

/** The `-A` lines of one table, as iptables -S prints them. */
const rules = (rs: Ruleset, table: TableName): string[] =>
  renderIptablesS(rs, table)
    .split('\n')
    .filter((l) => l.startsWith('-A '));

const chain = (rs: Ruleset, table: TableName, name: string): string[] =>
  rules(rs, table).filter((l) => l.startsWith(`-A ${name} `));

// ----- multi-network order ---------------------------------------------------------------------------

test('two user networks after docker0: newest MASQUERADE first, newest port ACCEPT first, DROPs in creation order', () => {
  const eps: FirewallEndpoint[] = [
    { network: 'n1', container: 'c1', addr4: '10.1.0.2', ports: [{ proto: 'tcp', hostIP: '0.0.0.0', hostPort: 8080, containerPort: 80 }] },
    { network: 'n2', container: 'c2', addr4: '10.2.0.2', ports: [{ proto: 'udp', hostIP: '0.0.0.0', hostPort: 5353, containerPort: 53 }] },
  ];
  const { v4 } = buildFirewall(
    input({ networks: [docker0(), net('n1', 'br1', '10.1.0.0/24'), net('n2', 'br2', '10.2.0.0/24')], endpoints: eps }),
  );
  assert.equal(rules(v4, 'filter'), [
    '-A FORWARD -j DOCKER-USER',
    '-A FORWARD -j DOCKER-FORWARD',
    '-A DOCKER -d 10.2.0.2/32 ! -i br2 -o br2 -p udp -m udp --dport 53 -j ACCEPT',
    '-A DOCKER -d 10.1.0.2/32 ! -i br1 -o br1 -p tcp -m tcp --dport 80 -j ACCEPT',
    '-A DOCKER ! -i docker0 -o docker0 -j DROP',
    '-A DOCKER ! -i br1 -o br1 -j DROP',
    '-A DOCKER ! -i br2 -o br2 -j DROP',
    '-A DOCKER-BRIDGE -o docker0 -j DOCKER',
    '-A DOCKER-BRIDGE -o br1 -j DOCKER',
    '-A DOCKER-BRIDGE -o br2 -j DOCKER',
    '-A DOCKER-CT -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A DOCKER-CT -o br1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A DOCKER-CT -o br2 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A DOCKER-FORWARD -j DOCKER-CT',
    '-A DOCKER-FORWARD -j DOCKER-INTERNAL',
    '-A DOCKER-FORWARD -j DOCKER-BRIDGE',
    '-A DOCKER-FORWARD -i docker0 -j ACCEPT',
    '-A DOCKER-FORWARD -i br1 -j ACCEPT',
    '-A DOCKER-FORWARD -i br2 -j ACCEPT',
  ]);
  assert.equal(rules(v4, 'nat'), [
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
    '-A POSTROUTING -s 10.2.0.0/24 ! -o br2 -j MASQUERADE',
    '-A POSTROUTING -s 10.1.0.0/24 ! -o br1 -j MASQUERADE',
    '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
    '-A DOCKER ! -i br1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80',
    '-A DOCKER ! -i br2 -p udp -m udp --dport 5353 -j DNAT --to-destination 10.2.0.2:53',
  ]);
  assert.equal(rules(v4, 'raw'), ['-A PREROUTING -d 10.1.0.2/32 ! -i br1 -j DROP', '-A PREROUTING -d 10.2.0.2/32 ! -i br2 -j DROP']);
  // docker0 and the user networks have no IPv6: the v6 tables only hold the daemon chains.
  assert.equal(rules(buildFirewall(input({ networks: [docker0()] })).v6, 'filter'), [
    '-A FORWARD -j DOCKER-USER',
    '-A FORWARD -j DOCKER-FORWARD',
    '-A DOCKER-FORWARD -j DOCKER-CT',
    '-A DOCKER-FORWARD -j DOCKER-INTERNAL',
    '-A DOCKER-FORWARD -j DOCKER-BRIDGE',
  ]);
});

test('internal networks between external ones: DOCKER-INTERNAL newest first, -o before -i; no NAT, raw or port rules', () => {
  const { v4, v6 } = buildFirewall(
    input({
      networks: [
        net('n1', 'br1', '10.1.0.0/24'),
        net('i1', 'brI', '10.3.0.0/24', { internal: true, v6: { prefix: 'fd00:3::/64', gatewayMode: 'nat' } }),
        net('i2', 'brJ', '10.4.0.0/24', { internal: true, icc: false }),
        net('n2', 'br2', '10.2.0.0/24'),
      ],
      endpoints: [
        {
          network: 'i1',
          container: 'c',
          addr4: '10.3.0.2',
          addr6: 'fd00:3::2',
          ports: [{ proto: 'tcp', hostIP: '0.0.0.0', hostPort: 8080, containerPort: 80 }],
        },
      ],
    }),
  );
  assert.equal(chain(v4, 'filter', 'DOCKER-INTERNAL'), [
    '-A DOCKER-INTERNAL ! -s 10.4.0.0/24 -o brJ -j DROP',
    '-A DOCKER-INTERNAL ! -d 10.4.0.0/24 -i brJ -j DROP',
    '-A DOCKER-INTERNAL ! -s 10.3.0.0/24 -o brI -j DROP',
    '-A DOCKER-INTERNAL ! -d 10.3.0.0/24 -i brI -j DROP',
  ]);
  assert.equal(chain(v4, 'filter', 'DOCKER-FORWARD').slice(3), [
    '-A DOCKER-FORWARD -i br1 -j ACCEPT',
    '-A DOCKER-FORWARD -i brI -o brI -j ACCEPT',
    '-A DOCKER-FORWARD -i brJ -o brJ -j DROP',
    '-A DOCKER-FORWARD -i br2 -j ACCEPT',
  ]);
  assert.equal(chain(v4, 'filter', 'DOCKER'), ['-A DOCKER ! -i br1 -o br1 -j DROP', '-A DOCKER ! -i br2 -o br2 -j DROP']);
  assert.equal(chain(v4, 'nat', 'POSTROUTING'), [
    '-A POSTROUTING -s 10.2.0.0/24 ! -o br2 -j MASQUERADE',
    '-A POSTROUTING -s 10.1.0.0/24 ! -o br1 -j MASQUERADE',
  ]);
  assert.equal(rules(v4, 'raw'), []);
  assert.equal(chain(v4, 'nat', 'DOCKER'), []);
  // IPv6: the same rules with the extra `! -o` / `! -i`.
  assert.equal(chain(v6, 'filter', 'DOCKER-INTERNAL'), [
    '-A DOCKER-INTERNAL ! -s fd00:3::/64 ! -i brI -o brI -j DROP',
    '-A DOCKER-INTERNAL ! -d fd00:3::/64 -i brI ! -o brI -j DROP',
  ]);
});

// ----- ports -----------------------------------------------------------------------------------------

test('hairpin with two ports: bindings in Docker order (container port), per-bridge LOCAL MASQUERADE above the subnet one', () => {
  const ep: FirewallEndpoint = {
    network: 'n1',
    container: 'c1',
    addr4: '10.1.0.2',
    // Given out of order: dockerd sorts them (sortAndNormPBs) before programming.
    ports: [
      { proto: 'tcp', hostIP: '0.0.0.0', hostPort: 8443, containerPort: 443 },
      { proto: 'tcp', hostIP: '0.0.0.0', hostPort: 8080, containerPort: 80 },
    ],
  };
  const build = (firewallerOnly: boolean): Ruleset =>
    buildFirewall(
      input({ daemon: daemon({ hairpin: true }), networks: [net('n1', 'br1', '10.1.0.0/24')], endpoints: [ep], firewallerOnly }),
    ).v4;
  const v4 = build(false);
  assert.equal(rules(v4, 'nat'), [
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER',
    '-A POSTROUTING -o br1 -m addrtype --src-type LOCAL -j MASQUERADE',
    '-A POSTROUTING -s 10.1.0.0/24 ! -o br1 -j MASQUERADE',
    '-A POSTROUTING -s 10.1.0.2/32 -d 10.1.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE',
    '-A POSTROUTING -s 10.1.0.2/32 -d 10.1.0.2/32 -p tcp -m tcp --dport 443 -j MASQUERADE',
    '-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80',
    '-A DOCKER -p tcp -m tcp --dport 8443 -j DNAT --to-destination 10.1.0.2:443',
  ]);
  assert.equal(chain(v4, 'filter', 'DOCKER'), [
    '-A DOCKER -d 10.1.0.2/32 ! -i br1 -o br1 -p tcp -m tcp --dport 443 -j ACCEPT',
    '-A DOCKER -d 10.1.0.2/32 ! -i br1 -o br1 -p tcp -m tcp --dport 80 -j ACCEPT',
    '-A DOCKER ! -i br1 -o br1 -j DROP',
  ]);
  // The firewaller alone takes them as given.
  assert.equal(chain(build(true), 'nat', 'DOCKER'), [
    '-A DOCKER -p tcp -m tcp --dport 8443 -j DNAT --to-destination 10.1.0.2:443',
    '-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80',
  ]);
});

test('port order: exact host ports before ranges and ephemeral ports, then container port, protocol, host port', () => {
  const ep: FirewallEndpoint = {
    network: 'n1',
    container: 'c1',
    addr4: '10.1.0.2',
    ports: [
      { proto: 'tcp', hostIP: '0.0.0.0', hostPort: 32768, containerPort: 22, requestedHostPorts: [0, 0] },
      { proto: 'udp', hostIP: '0.0.0.0', hostPort: 9000, containerPort: 90 },
      { proto: 'tcp', hostIP: '0.0.0.0', hostPort: 9001, containerPort: 90 },
      { proto: 'tcp', hostIP: '127.0.0.1', hostPort: 9000, containerPort: 90 },
    ],
  };
  const { v4 } = buildFirewall(input({ networks: [net('n1', 'br1', '10.1.0.0/24')], endpoints: [ep] }));
  assert.equal(chain(v4, 'nat', 'DOCKER'), [
    '-A DOCKER -d 127.0.0.1/32 ! -i br1 -p tcp -m tcp --dport 9000 -j DNAT --to-destination 10.1.0.2:90',
    '-A DOCKER ! -i br1 -p tcp -m tcp --dport 9001 -j DNAT --to-destination 10.1.0.2:90',
    '-A DOCKER ! -i br1 -p udp -m udp --dport 9000 -j DNAT --to-destination 10.1.0.2:90',
    '-A DOCKER ! -i br1 -p tcp -m tcp --dport 32768 -j DNAT --to-destination 10.1.0.2:22',
  ]);
});

test('check-before-act: one ACCEPT and one hairpin MASQUERADE for a container port published twice', () => {
  const ep: FirewallEndpoint = {
    network: 'n1',
    container: 'c1',
    addr4: '10.1.0.2',
    ports: [
      { proto: 'tcp', hostIP: '0.0.0.0', hostPort: 8080, containerPort: 80 },
      { proto: 'tcp', hostIP: '127.0.0.1', hostPort: 8081, containerPort: 80 },
    ],
  };
  const { v4 } = buildFirewall(
    input({ daemon: daemon({ hairpin: true }), networks: [net('n1', 'br1', '10.1.0.0/24')], endpoints: [ep] }),
  );
  assert.equal(chain(v4, 'filter', 'DOCKER'), [
    '-A DOCKER -d 10.1.0.2/32 ! -i br1 -o br1 -p tcp -m tcp --dport 80 -j ACCEPT',
    '-A DOCKER ! -i br1 -o br1 -j DROP',
  ]);
  assert.equal(chain(v4, 'nat', 'DOCKER'), [
    '-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80',
    '-A DOCKER -d 127.0.0.1/32 -p tcp -m tcp --dport 8081 -j DNAT --to-destination 10.1.0.2:80',
  ]);
  assert.equal(
    chain(v4, 'nat', 'POSTROUTING').filter((l) => l.includes('--dport')),
    ['-A POSTROUTING -s 10.1.0.2/32 -d 10.1.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE'],
  );
  assert.equal(rules(v4, 'raw'), [
    '-A PREROUTING -d 10.1.0.2/32 ! -i br1 -j DROP',
    '-A PREROUTING -d 127.0.0.1/32 ! -i lo -p tcp -m tcp --dport 8081 -j DROP',
  ]);
});

test('routed IPv6 beside NAT IPv4: no v6 DNAT/MASQUERADE/raw drop, ACCEPT kept, ipv6-icmp before the DROP', () => {
  const n = net('n1', 'br1', '10.1.0.0/24', { v6: { prefix: 'fd00:1::/64', gatewayMode: 'routed' } });
  const ep: FirewallEndpoint = {
    network: 'n1',
    container: 'c1',
    addr4: '10.1.0.2',
    addr6: 'fd00:1::2',
    ports: [
      { proto: 'tcp', hostIP: '0.0.0.0', hostPort: 8080, containerPort: 80 },
      { proto: 'tcp', hostIP: '::1', hostPort: 8080, containerPort: 80 },
    ],
  };
  const { v4, v6 } = buildFirewall(input({ networks: [n], endpoints: [ep] }));
  assert.equal(chain(v6, 'filter', 'DOCKER'), [
    '-A DOCKER -d fd00:1::2/128 ! -i br1 -o br1 -p tcp -m tcp --dport 80 -j ACCEPT',
    '-A DOCKER -o br1 -p ipv6-icmp -j ACCEPT',
    '-A DOCKER ! -i br1 -o br1 -j DROP',
  ]);
  assert.equal(chain(v6, 'nat', 'POSTROUTING'), []);
  assert.equal(chain(v6, 'nat', 'DOCKER'), []);
  assert.equal(rules(v6, 'raw'), []);
  // IPv4 is plain NAT.
  assert.equal(chain(v4, 'nat', 'DOCKER'), ['-A DOCKER ! -i br1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80']);
  assert.equal(rules(v4, 'raw'), ['-A PREROUTING -d 10.1.0.2/32 ! -i br1 -j DROP']);
});

test('routed IPv4 with a loopback host address: the routed mapper drops host port and address, so no raw loopback rule', () => {
  const n = net('n1', 'br1', undefined, { v4: { prefix: '10.1.0.0/24', gatewayMode: 'routed' } });
  const ep: FirewallEndpoint = {
    network: 'n1',
    container: 'c1',
    addr4: '10.1.0.2',
    ports: [{ proto: 'tcp', hostIP: '127.0.0.1', hostPort: 8080, containerPort: 80 }],
  };
  const { v4 } = buildFirewall(input({ networks: [n], endpoints: [ep] }));
  assert.equal(rules(v4, 'raw'), []);
  assert.equal(chain(v4, 'nat', 'DOCKER'), []);
  assert.equal(chain(v4, 'filter', 'DOCKER'), [
    '-A DOCKER -d 10.1.0.2/32 ! -i br1 -o br1 -p tcp -m tcp --dport 80 -j ACCEPT',
    '-A DOCKER -o br1 -p icmp -j ACCEPT',
    '-A DOCKER ! -i br1 -o br1 -j DROP',
  ]);
});

test('nat-unprotected: default ACCEPT instead of DROP, no per-port ACCEPT, no raw drop; DNAT kept', () => {
  const n = net('n1', 'br1', undefined, { v4: { prefix: '10.1.0.0/24', gatewayMode: 'nat-unprotected' } });
  const ep: FirewallEndpoint = {
    network: 'n1',
    container: 'c1',
    addr4: '10.1.0.2',
    ports: [{ proto: 'sctp', hostIP: '0.0.0.0', hostPort: 9999, containerPort: 9999 }],
  };
  const { v4 } = buildFirewall(input({ networks: [n], endpoints: [ep] }));
  assert.equal(chain(v4, 'filter', 'DOCKER'), ['-A DOCKER ! -i br1 -o br1 -j ACCEPT']);
  assert.equal(rules(v4, 'raw'), []);
  assert.equal(chain(v4, 'nat', 'DOCKER'), ['-A DOCKER ! -i br1 -p sctp -m sctp --dport 9999 -j DNAT --to-destination 10.1.0.2:9999']);
});

test('IPv6 host binding to an IPv4-only container: docker-proxy only, no rules in either family', () => {
  const ep: FirewallEndpoint = {
    network: 'n1',
    container: 'c1',
    addr4: '10.1.0.2',
    ports: [{ proto: 'tcp', hostIP: '::', hostPort: 8080, containerPort: 80 }],
  };
  for (const hairpin of [false, true]) {
    const { v4, v6 } = buildFirewall(
      input({ daemon: daemon({ hairpin }), networks: [net('n1', 'br1', '10.1.0.0/24')], endpoints: [ep] }),
    );
    assert.equal(chain(v4, 'nat', 'DOCKER'), []);
    assert.equal(chain(v4, 'filter', 'DOCKER'), ['-A DOCKER ! -i br1 -o br1 -j DROP']);
    assert.equal(chain(v6, 'nat', 'DOCKER'), []);
    assert.equal(chain(v6, 'filter', 'DOCKER'), []);
  }
});

test('IPv6 DNAT to a specific host address: bracketed target, ! -s fe80::/10, /128', () => {
  const n = net('n1', 'br1', undefined, { v6: { prefix: 'fd00:1::/64', gatewayMode: 'nat' } });
  const ep: FirewallEndpoint = {
    network: 'n1',
    container: 'c1',
    addr6: 'fd00:1:0:0:0:0:0:2',
    ports: [{ proto: 'udp', hostIP: '2001:DB8::1', hostPort: 53, containerPort: 5353 }],
  };
  const { v6 } = buildFirewall(input({ networks: [n], endpoints: [ep] }));
  assert.equal(chain(v6, 'nat', 'DOCKER'), [
    '-A DOCKER ! -s fe80::/10 -d 2001:db8::1/128 ! -i br1 -p udp -m udp --dport 53 -j DNAT --to-destination [fd00:1::2]:5353',
  ]);
});

// ----- network options -------------------------------------------------------------------------------

test('SNAT with host_ipv4, masquerade off, and bridge-accept-fwmark (once, at the head of DOCKER-FORWARD)', () => {
  const { v4 } = buildFirewall(
    input({
      daemon: daemon({ hairpin: true, acceptFwMark: { mark: 1, mask: 3 } }),
      networks: [
        net('n1', 'br1', undefined, { v4: { prefix: '10.1.0.0/24', gatewayMode: 'nat', hostIP: '192.0.2.10' } }),
        net('n2', 'br2', '10.2.0.0/24', { masquerade: false }),
        net('i1', 'brI', '10.3.0.0/24', { internal: true }),
      ],
    }),
  );
  assert.equal(chain(v4, 'nat', 'POSTROUTING'), [
    '-A POSTROUTING -o br2 -m addrtype --src-type LOCAL -j MASQUERADE',
    '-A POSTROUTING -o br1 -m addrtype --src-type LOCAL -j SNAT --to-source 192.0.2.10',
    '-A POSTROUTING -s 10.1.0.0/24 ! -o br1 -j SNAT --to-source 192.0.2.10',
  ]);
  assert.equal(chain(v4, 'filter', 'DOCKER-FORWARD'), [
    '-A DOCKER-FORWARD -m mark --mark 0x1/0x3 -j ACCEPT',
    '-A DOCKER-FORWARD -j DOCKER-CT',
    '-A DOCKER-FORWARD -j DOCKER-INTERNAL',
    '-A DOCKER-FORWARD -j DOCKER-BRIDGE',
    '-A DOCKER-FORWARD -i br1 -j ACCEPT',
    '-A DOCKER-FORWARD -i br2 -j ACCEPT',
    '-A DOCKER-FORWARD -i brI -o brI -j ACCEPT',
  ]);
});

test('trusted_host_interfaces: raw ACCEPTs before each endpoint DROP; allow-direct-routing removes them all but loopback drops', () => {
  const n = net('n1', 'br1', '10.1.0.0/24', { trustedHostInterfaces: ['eth1', 'vxlan0'] });
  const eps: FirewallEndpoint[] = [
    { network: 'n1', container: 'c1', addr4: '10.1.0.2', ports: [{ proto: 'tcp', hostIP: '127.0.0.1', hostPort: 8080, containerPort: 80 }] },
    { network: 'n1', container: 'c2', addr4: '10.1.0.3', ports: [] },
  ];
  const { v4 } = buildFirewall(input({ networks: [n], endpoints: eps }));
  assert.equal(rules(v4, 'raw'), [
    '-A PREROUTING -d 10.1.0.2/32 -i eth1 -j ACCEPT',
    '-A PREROUTING -d 10.1.0.2/32 -i vxlan0 -j ACCEPT',
    '-A PREROUTING -d 10.1.0.2/32 ! -i br1 -j DROP',
    '-A PREROUTING -d 127.0.0.1/32 ! -i lo -p tcp -m tcp --dport 8080 -j DROP',
    '-A PREROUTING -d 10.1.0.3/32 -i eth1 -j ACCEPT',
    '-A PREROUTING -d 10.1.0.3/32 -i vxlan0 -j ACCEPT',
    '-A PREROUTING -d 10.1.0.3/32 ! -i br1 -j DROP',
  ]);
  const direct = buildFirewall(input({ daemon: daemon({ allowDirectRouting: true }), networks: [n], endpoints: eps })).v4;
  assert.equal(rules(direct, 'raw'), ['-A PREROUTING -d 127.0.0.1/32 ! -i lo -p tcp -m tcp --dport 8080 -j DROP']);
});

test('legacy links on an icc=false default bridge: appended after the DROP, both directions, IPv4 only; none with icc=true', () => {
  const eps: FirewallEndpoint[] = [
    { network: 'bridge', container: 'web', addr4: '172.17.0.2', ports: [] },
    { network: 'bridge', container: 'db', addr4: '172.17.0.3', ports: [] },
  ];
  const links = [
    {
      network: 'bridge',
      parentIP: '172.17.0.2',
      childIP: '172.17.0.3',
      ports: [
        { proto: 'tcp' as const, port: 5432 },
        { proto: 'udp' as const, port: 53 },
      ],
      origin: ['containers', 'web', 'links', 0],
    },
  ];
  const { v4, v6 } = buildFirewall(input({ networks: [docker0({ icc: false })], endpoints: eps, links }));
  assert.equal(chain(v4, 'filter', 'DOCKER'), [
    '-A DOCKER ! -i docker0 -o docker0 -j DROP',
    '-A DOCKER -s 172.17.0.2/32 -d 172.17.0.3/32 -i docker0 -o docker0 -p tcp -m tcp --dport 5432 -j ACCEPT',
    '-A DOCKER -s 172.17.0.3/32 -d 172.17.0.2/32 -i docker0 -o docker0 -p tcp -m tcp --sport 5432 -j ACCEPT',
    '-A DOCKER -s 172.17.0.2/32 -d 172.17.0.3/32 -i docker0 -o docker0 -p udp -m udp --dport 53 -j ACCEPT',
    '-A DOCKER -s 172.17.0.3/32 -d 172.17.0.2/32 -i docker0 -o docker0 -p udp -m udp --sport 53 -j ACCEPT',
  ]);
  assert.equal(chain(v4, 'filter', 'DOCKER-FORWARD').slice(3), [
    '-A DOCKER-FORWARD -i docker0 -o docker0 -j DROP',
    '-A DOCKER-FORWARD -i docker0 ! -o docker0 -j ACCEPT',
  ]);
  const linkRule = v4.tables.find((t) => t.name === 'filter')!.chains.find((c) => c.name === 'DOCKER')!.rules[1]!;
  assert.equal(linkRule.origin, ['containers', 'web', 'links', 0]);
  assert.equal(chain(v6, 'filter', 'DOCKER'), []);
  const icc = buildFirewall(input({ networks: [docker0()], endpoints: eps, links })).v4;
  assert.equal(chain(icc, 'filter', 'DOCKER'), ['-A DOCKER ! -i docker0 -o docker0 -j DROP']);
});

// ----- daemon options --------------------------------------------------------------------------------

test('iptables=false / ip6tables=false: that family has no tables at all, and renders to nothing', () => {
  const nets = [docker0({ v6: { prefix: 'fd00::/64', gatewayMode: 'nat' } })];
  const off4 = buildFirewall(input({ daemon: daemon({ iptables: false }), networks: nets }));
  assert.equal(off4.v4.tables, []);
  assert.is(renderIptablesRestore(off4.v4), '');
  assert.ok(chain(off4.v6, 'nat', 'POSTROUTING').includes('-A POSTROUTING -s fd00::/64 ! -o docker0 -j MASQUERADE'));
  const off6 = buildFirewall(input({ daemon: daemon({ ip6tables: false }), networks: nets }));
  assert.equal(off6.v6.tables, []);
  assert.ok(chain(off6.v4, 'nat', 'POSTROUTING').includes('-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE'));
});

test('FORWARD DROP per family, only where a network of that family set up forwarding', () => {
  const policy = (rs: Ruleset): string | undefined => renderIptablesS(rs, 'filter').split('\n').find((l) => l.startsWith('-P FORWARD'));
  const v4only = buildFirewall(input({ daemon: daemon({ forwardDrop: { 4: true, 6: true } }), networks: [docker0()] }));
  assert.is(policy(v4only.v4), '-P FORWARD DROP');
  assert.is(policy(v4only.v6), '-P FORWARD ACCEPT');
  const dual = buildFirewall(
    input({
      daemon: daemon({ forwardDrop: { 4: false, 6: true } }),
      networks: [docker0({ v6: { prefix: 'fd00::/64', gatewayMode: 'nat' } })],
    }),
  );
  assert.is(policy(dual.v4), '-P FORWARD ACCEPT');
  assert.is(policy(dual.v6), '-P FORWARD DROP');
  assert.match(renderIptablesRestore(dual.v6), /^:FORWARD DROP \[0:0\]$/m);
});

test('DOCKER-USER: jumped to above DOCKER-FORWARD, absent without userChain', () => {
  const on = buildFirewall(input({ networks: [docker0()] })).v4;
  assert.equal(chain(on, 'filter', 'FORWARD'), ['-A FORWARD -j DOCKER-USER', '-A FORWARD -j DOCKER-FORWARD']);
  assert.ok(renderIptablesS(on, 'filter').includes('-N DOCKER-USER\n'));
  const off = buildFirewall(input({ daemon: daemon({ userChain: false }), networks: [docker0()] })).v4;
  assert.equal(chain(off, 'filter', 'FORWARD'), ['-A FORWARD -j DOCKER-FORWARD']);
  assert.not.ok(renderIptablesS(off, 'filter').includes('DOCKER-USER'));
});

test('unknown network names and duplicate networks are programming errors', () => {
  assert.throws(() => buildFirewall(input({ endpoints: [{ network: 'nope', container: 'c', ports: [] }] })), /unknown network "nope"/);
  assert.throws(() => buildFirewall(input({ networks: [docker0(), docker0()] })), /listed twice/);
});

// ----- the rule store --------------------------------------------------------------------------------

test('RulesetBuilder: append/insert skip a rule already in the chain (keeping its place and origin); ensureJump moves to the head', () => {
  const rs = new RulesetBuilder(4);
  rs.newChain('filter', 'X');
  rs.newChain('filter', 'Y');
  const r = (dst: string, origin: string) =>
    makeRule('filter', 'X', { destination: { cidr: dst } }, { kind: 'accept' }, [origin]);
  assert.ok(rs.append(r('10.0.0.1', 'a')));
  assert.ok(rs.append(r('10.0.0.2', 'b')));
  assert.not.ok(rs.append(r('10.0.0.1/32', 'c')), 'same rule, written differently');
  assert.not.ok(rs.insert(r('10.0.0.2', 'd')));
  assert.ok(rs.insert(r('10.0.0.3', 'e')));
  rs.ensureJump('filter', 'FORWARD', 'X');
  rs.ensureJump('filter', 'FORWARD', 'Y');
  rs.ensureJump('filter', 'FORWARD', 'X');
  const built = rs.build();
  const x = built.tables[0]!.chains.find((c) => c.name === 'X')!;
  assert.equal(
    x.rules.map((q) => [q.match.destination?.cidr, (q.origin as readonly string[] | undefined)?.[0]]),
    [
      ['10.0.0.3', 'e'],
      ['10.0.0.1', 'a'],
      ['10.0.0.2', 'b'],
    ],
  );
  assert.equal(chain(built, 'filter', 'FORWARD'), ['-A FORWARD -j X', '-A FORWARD -j Y']);
  assert.throws(() => rs.append(makeRule('filter', 'NOPE', {}, { kind: 'accept' }, undefined)), /does not exist/);
  assert.throws(() => rs.append(makeRule('filter', 'X', {}, { kind: 'jump', chain: 'DOCKER' }, undefined)), /unknown chain DOCKER/);
});

test.run();
