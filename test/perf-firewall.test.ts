// The firewall's economies (src/firewall/iptables/pieces.ts, src/net/inet-ntop.ts, src/firewall/iptables/
// ruleset-builder.ts and text/): rule pieces are shared frozen values within one build, addresses are parsed once per text, rule
// keys are built from remembered piece keys, and the restore text is joined a block at a time. None of
// that may change a rule's meaning or the text: these cases compare with the plain ways of doing it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderIptablesRestore } from '../src/firewall/iptables/text/index.ts';
import { ruleArgs } from '../src/firewall/iptables/text/index.ts';
import { compareAddr, familyOf, inetAddr, inetCidr, isLoopback, mustParseAddr, parseAddr } from '../src/net/index.ts';
import { NOT, RulePieces } from '../src/firewall/iptables/pieces.ts';
import { makeRule, RulesetBuilder } from '../src/firewall/iptables/ruleset-builder.ts';
import type { Rule } from '../src/firewall/iptables/types.ts';
import type { RuleMatch } from '../src/firewall/types.ts';

const pieces = new RulePieces();
const { cidr, iface, jump, port: portMatch, portModules, proto, target } = pieces;

test('pieces with the same arguments are one frozen value; different ones are not; another build has its own', () => {
  assert.ok(cidr('10.0.0.2') === cidr('10.0.0.2'));
  assert.ok(cidr('10.0.0.2') !== cidr('10.0.0.2', NOT));
  assert.equal(cidr('10.0.0.2', NOT), { cidr: '10.0.0.2/32', negate: true });
  assert.ok(iface('br0') === iface('br0') && iface('br0') !== iface('br0', NOT));
  assert.ok(proto('tcp') === proto('tcp'));
  assert.ok(portMatch('tcp', 'dport', 80) === portMatch('tcp', 'dport', 80));
  assert.ok(portMatch('tcp', 'dport', 80) !== portMatch('udp', 'dport', 80));
  assert.equal(portMatch('tcp', 'sport', 80), { kind: 'tcp', sport: 80 });
  assert.ok(portModules('tcp', 'sport', 80)[0] === portMatch('tcp', 'sport', 80));
  assert.ok(target('accept') === target('accept'));
  assert.ok(jump('DOCKER') === jump('DOCKER') && jump('DOCKER') !== jump('DOCKER-USER'));
  assert.equal(pieces.ctstate('ESTABLISHED', 'RELATED', 'RELATED'), { kind: 'conntrack', states: ['RELATED', 'ESTABLISHED'] });
  for (const piece of [cidr('10.0.0.3'), iface('br1'), portMatch('tcp', 'dport', 81), portModules('tcp', 'dport', 81), target('drop'), pieces.ctstate('NEW')]) {
    assert.ok(Object.isFrozen(piece));
  }
  assert.ok(new RulePieces().cidr('10.0.0.2') !== cidr('10.0.0.2'));
  assert.throws(() => {
    (cidr('10.0.0.4') as { cidr: string }).cidr = 'x';
  });
});

test('a rule spelt differently is still the same rule to -C (shared and unshared pieces alike)', () => {
  const rs = new RulesetBuilder(4, pieces);
  rs.newChain('filter', 'DOCKER');
  const r = (match: RuleMatch): Rule => makeRule('filter', 'DOCKER', match, target('accept'), undefined);
  assert.ok(rs.append(r({ destination: cidr('10.0.0.2'), protocol: proto('tcp'), modules: portModules('tcp', 'dport', 80) })));
  assert.not.ok(rs.append(r({ destination: cidr('10.0.0.2/32'), protocol: proto('tcp'), modules: [portMatch('tcp', 'dport', 80)] })));
  assert.not.ok(rs.insert(r({ destination: { cidr: '10.0.0.2' }, protocol: { name: 'tcp' }, modules: [{ kind: 'tcp', dport: 80 }] })));
  assert.ok(rs.append(r({ destination: cidr('10.0.0.2'), protocol: proto('tcp'), modules: portModules('tcp', 'dport', 81) })));
  assert.ok(rs.append(r({ destination: cidr('10.0.0.2', NOT), protocol: proto('tcp'), modules: portModules('tcp', 'dport', 80) })));
  // -d 0.0.0.0/0 is no match at all
  assert.ok(rs.append(r({})));
  assert.not.ok(rs.append(r({ destination: cidr('0.0.0.0/0') })));
  const chain = rs.build().tables.find((t) => t.name === 'filter')!.chains.find((c) => c.name === 'DOCKER')!;
  assert.is(chain.rules.length, 4);
});

test('addresses: the hand-written IPv4 reader accepts dotted quads without leading zeros (netip.ParseAddr)', () => {
  const goRule = (t: string): boolean => {
    const parts = t.split('.');
    return parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
  };
  for (const t of ['1.2.3.4', '0.0.0.0', '255.255.255.255', '01.2.3.4', '001.002.003.004', '256.1.1.1', '1.2.3', '1.2.3.4.', '.1.2.3', '1..2.3', '1.2.3.4.5', '1.2.3.a', ' 1.2.3.4', '1.2.3.0004', '', '1.2.3.-4', '10.0.0.0']) {
    assert.is(parseAddr(t)?.family === 4, goRule(t), t);
  }
  assert.is(inetAddr('::ffff:10.0.0.1'), '::ffff:10.0.0.1');
  assert.is(inetCidr('fd00:0:0:1::5/64'), 'fd00:0:0:1::/64');
  assert.is(inetCidr('10.1.2.3/8'), '10.0.0.0/8');
  assert.is(familyOf('fd00::1/64'), 6);
  assert.ok(isLoopback(mustParseAddr('127.0.0.1')) && isLoopback(mustParseAddr('::1')) && !isLoopback(mustParseAddr('10.0.0.1')));
  assert.ok(compareAddr(mustParseAddr('10.0.0.1'), mustParseAddr('::1')) < 0 && compareAddr(mustParseAddr('10.0.0.2'), mustParseAddr('10.0.0.1')) > 0);
  // the same text twice gives the same answer (and a bad one throws every time)
  assert.throws(() => inetCidr('10.0.0.1/33'));
  assert.throws(() => inetCidr('10.0.0.1/33'));
});

test('the restore text joined a block at a time is the plain join, across block boundaries', () => {
  for (const n of [0, 1, 511, 512, 513, 1500]) {
    const rs = new RulesetBuilder(4);
    rs.newChain('filter', 'DOCKER');
    for (let i = 0; i < n; i++) rs.append(makeRule('filter', 'DOCKER', { destination: cidr(`10.0.${i >> 8}.${i & 255}`), protocol: proto('tcp') }, target('accept'), undefined));
    const built = rs.build();
    const lines: string[] = [];
    lines.push('*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', 'COMMIT');
    lines.push('*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':DOCKER - [0:0]');
    for (const r of built.tables[0]!.chains.find((c) => c.name === 'DOCKER')!.rules) lines.push(['-A', 'DOCKER', ...ruleArgs(r, 4)].join(' '));
    lines.push('COMMIT');
    assert.is(renderIptablesRestore(built), `${lines.join('\n')}\n`, `${n} rules`);
  }
  assert.is(renderIptablesRestore({ family: 4, tables: [] }), '');
});

test.run();
