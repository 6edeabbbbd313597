// The address formats behind the schema, judged as Docker's Go parsers judge them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FORMATS } from '../src/schema/formats.ts';

const isIPv4 = (s: string): boolean => FORMATS['ipv4']!.problem(s) === undefined;
const isIPv6 = (s: string): boolean => FORMATS['ipv6']!.problem(s) === undefined;
import { closest } from '../src/schema/suggest.ts';

test('IPv4: dotted quads without leading zeros', () => {
  const ok = ['0.0.0.0', '10.0.0.1', '255.255.255.255', '192.168.1.5'];
  const bad = ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.04', '1..2.3', '1.2.3.4/24', ' 1.2.3.4', '1.2.3.4%eth0', '::1', 'a.b.c.d'];
  for (const s of ok) assert.ok(isIPv4(s), s);
  for (const s of bad) assert.not.ok(isIPv4(s), s);
});

test('IPv6: groups, :: compression, embedded IPv4, no zone', () => {
  const ok = ['::', '::1', '2001:db8::1', '2001:DB8::', 'fe80::1:2:3:4', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '::ffff:10.0.0.1', '64:ff9b::192.0.2.33', '1:2:3:4:5:6:1.2.3.4'];
  const bad = ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1', 'fe80::1%eth0', '::ffff:10.0.0.256', '1:2:3:4:5:6:7:1.2.3.4', '10.0.0.1', ':1::', '1:::2'];
  for (const s of ok) assert.ok(isIPv6(s), s);
  for (const s of bad) assert.not.ok(isIPv6(s), s);
});

test('CIDR formats: family, length range, host bits allowed', () => {
  const valid = (f: string, s: string) => FORMATS[f]!.problem(s) === undefined;
  assert.ok(valid('ipv4-cidr', '192.168.1.5/24'), 'host bits are allowed (bip)');
  assert.ok(valid('ipv4-cidr', '0.0.0.0/0'));
  assert.ok(valid('ipv4-cidr', '10.0.0.0/32'));
  assert.not.ok(valid('ipv4-cidr', '10.0.0.0/33'));
  assert.not.ok(valid('ipv4-cidr', '10.0.0.0/024'), 'leading zero in the length');
  assert.not.ok(valid('ipv4-cidr', '10.0.0.0/'));
  assert.not.ok(valid('ipv4-cidr', '10.0.0.0'));
  assert.not.ok(valid('ipv4-cidr', '10.0.0.0/8/8'));
  assert.not.ok(valid('ipv4-cidr', '2001:db8::/64'), 'IPv6 where IPv4 is expected');
  assert.ok(valid('ipv6-cidr', '2001:db8::/64'));
  assert.ok(valid('ipv6-cidr', '2001:db8::1/128'));
  assert.not.ok(valid('ipv6-cidr', '2001:db8::/129'));
  assert.not.ok(valid('ipv6-cidr', '10.0.0.0/8'));
  assert.ok(valid('cidr', '10.0.0.0/8'));
  assert.ok(valid('cidr', 'fd00::/8'));
  assert.not.ok(valid('cidr', 'fd00::/200'));
  assert.not.ok(valid('ip', '10.0.0.1/32'), 'an address field does not take a prefix');
});

test('extra_hosts entries, split as the docker CLI splits them', () => {
  const entry = (s: string) => FORMATS['extra-host']!.problem(s) === undefined;
  for (const s of ['somehost:162.242.195.82', 'otherhost=50.31.209.229', 'myhost:host-gateway', 'h:::1', 'h=::1', 'h:[::1]', 'h=[2001:db8::1]']) assert.ok(entry(s), s);
  for (const s of ['somehost', ':1.2.3.4', '=1.2.3.4', 'h:1.2.3', 'h:gateway', 'h:[1.2.3.4', 'h:']) assert.not.ok(entry(s), s);
  const value = (s: string) => FORMATS['extra-host-address']!.problem(s) === undefined;
  for (const s of ['host-gateway', '10.0.0.1', '::1', '[::1]']) assert.ok(value(s), s);
  for (const s of ['Host-Gateway', 'localhost', '[]', '']) assert.not.ok(value(s), s);
});

test('suggestions: close typos and -/_ confusion, nothing for unrelated words', () => {
  assert.is(closest('subnett', ['subnet', 'gateway', 'ip_range']), 'subnet');
  assert.is(closest('enable-ipv6', ['enable_ipv6', 'enable_ipv4']), 'enable_ipv6');
  assert.is(closest('fixed_cidr', ['fixed-cidr', 'fixed-cidr-v6']), 'fixed-cidr');
  assert.is(closest('brige', ['bridge', 'host', 'none']), 'bridge');
  assert.is(closest('overlay', ['bridge', 'host', 'none']), undefined);
  assert.is(closest('ip', ['icc', 'ipv6']), undefined);
});

test.run();
