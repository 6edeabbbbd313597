// The iptables renderer on hand-made rulesets: canonical argument order and forms, chain and table
// order, and the iptables -S form. (The goldens and the kernel test check the same against Docker and
// against iptables-save itself.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderIptablesRestore, renderIptablesS, ruleArgs } from '../src/firewall/iptables/text/index.ts';
import type { Rule, Ruleset } from '../src/firewall/iptables/types.ts';

const rule = (over: Partial<Rule>): Rule => ({ table: 'filter', chain: 'FORWARD', match: {}, target: { kind: 'accept' }, ...over });

test('arguments come out in iptables-save order whatever the field order of the data', () => {
  const r = rule({
    target: { kind: 'dnat', toAddress: '10.0.0.2', toPort: 80 },
    match: {
      modules: [{ kind: 'tcp', dport: 8080 }],
      protocol: { name: 'TCP' },
      outInterface: { name: 'br0' },
      inInterface: { name: 'br1', negate: true },
      destination: { cidr: '192.0.2.7' },
      source: { cidr: '10.1.2.3/24', negate: true },
    },
  });
  assert.is(
    ruleArgs(r, 4).join(' '),
    '! -s 10.1.2.0/24 -d 192.0.2.7/32 ! -i br1 -o br0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.2:80',
  );
});

test('addresses: /128 on IPv6 hosts, compressed lower-case form, any-address matches left out', () => {
  const r = rule({ match: { source: { cidr: '::/0' }, destination: { cidr: 'FD00:0:0:0:0:0:0:1' }, protocol: { name: 'icmpv6' } } });
  assert.is(ruleArgs(r, 6).join(' '), '-d fd00::1/128 -p ipv6-icmp -j ACCEPT');
  assert.is(ruleArgs(rule({ match: { destination: { cidr: '0.0.0.0/0' } } }), 4).join(' '), '-j ACCEPT');
  assert.is(ruleArgs(rule({ match: { destination: { cidr: '2001:db8:0:1:0:0:0:0/64' } } }), 6).join(' '), '-d 2001:db8:0:1::/64 -j ACCEPT');
  assert.is(ruleArgs(rule({ match: { destination: { cidr: '2001:db8:0:1:1:1:1:1' } } }), 6)[1], '2001:db8:0:1:1:1:1:1/128');
});

test('restore: tables raw, filter, nat; built-ins in kernel order with policy; user chains in byte order; rules per chain', () => {
  const rs: Ruleset = {
    family: 4,
    tables: [
      {
        name: 'nat',
        chains: [
          { table: 'nat', name: 'POSTROUTING', policy: 'ACCEPT', rules: [rule({ table: 'nat', chain: 'POSTROUTING', target: { kind: 'masquerade' } })] },
          { table: 'nat', name: 'DOCKER', rules: [] },
        ],
      },
      {
        name: 'filter',
        chains: [
          { table: 'filter', name: 'FORWARD', policy: 'DROP', rules: [rule({ target: { kind: 'jump', chain: 'DOCKER_b' } })] },
          { table: 'filter', name: 'DOCKER_b', rules: [rule({ chain: 'DOCKER_b', target: { kind: 'return' } })] },
          { table: 'filter', name: 'DOCKER-a', rules: [rule({ chain: 'DOCKER-a', target: { kind: 'drop' } })] },
          { table: 'filter', name: 'DOCKER', rules: [] },
        ],
      },
    ],
  };
  assert.is(
    renderIptablesRestore(rs),
    [
      '*raw',
      ':PREROUTING ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      'COMMIT',
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD DROP [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':DOCKER - [0:0]',
      ':DOCKER-a - [0:0]',
      ':DOCKER_b - [0:0]',
      '-A FORWARD -j DOCKER_b',
      '-A DOCKER-a -j DROP',
      '-A DOCKER_b -j RETURN',
      'COMMIT',
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':INPUT ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':POSTROUTING ACCEPT [0:0]',
      ':DOCKER - [0:0]',
      '-A POSTROUTING -j MASQUERADE',
      'COMMIT',
      '',
    ].join('\n'),
  );
  assert.is(
    renderIptablesS(rs, 'filter'),
    [
      '-P INPUT ACCEPT',
      '-P FORWARD DROP',
      '-P OUTPUT ACCEPT',
      '-N DOCKER',
      '-N DOCKER-a',
      '-N DOCKER_b',
      '-A FORWARD -j DOCKER_b',
      '-A DOCKER-a -j DROP',
      '-A DOCKER_b -j RETURN',
      '',
    ].join('\n'),
  );
});

test('restore: a nat-only ruleset has no raw table; an empty ruleset renders to nothing', () => {
  const natOnly: Ruleset = { family: 6, tables: [{ name: 'nat', chains: [] }] };
  assert.is(renderIptablesRestore(natOnly).split('\n')[0], '*nat');
  assert.not.ok(renderIptablesRestore(natOnly).includes('*raw'));
  assert.is(renderIptablesRestore({ family: 4, tables: [] }), '');
  assert.is(renderIptablesS({ family: 4, tables: [] }, 'raw'), '-P PREROUTING ACCEPT\n-P OUTPUT ACCEPT\n');
});

test.run();
