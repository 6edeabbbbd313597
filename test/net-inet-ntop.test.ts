// The iptables printer against glibc: test/fixtures/net/inet-ntop-glibc.json holds what glibc's
// inet_ntop prints for 205 IPv6 addresses (how it was made is in its "source" field), so the table is
// data and no test needs python or a kernel.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addrFrom, addrString, inetAddr, inetCidr, inetNtop, isAnyCidr, mustParseAddr } from '../src/net/index.ts';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/net/inet-ntop-glibc.json', import.meta.url), 'utf8')) as { cases: [string, string][] };

test('inet_ntop prints every IPv6 address of the glibc table as glibc does', () => {
  assert.ok(fixture.cases.length >= 200);
  for (const [hex, want] of fixture.cases) assert.is(inetNtop(addrFrom(6, BigInt(`0x${hex}`))), want, hex);
});

test('the text glibc prints reads back as the same address', () => {
  for (const [hex, text] of fixture.cases) assert.is(mustParseAddr(text).value, BigInt(`0x${hex}`), text);
});

test("Go's String and inet_ntop differ only on ::a.b.c.d with a non-zero seventh group", () => {
  let differ = 0;
  for (const [hex] of fixture.cases) {
    const a = addrFrom(6, BigInt(`0x${hex}`));
    const compatible = a.value >> 32n === 0n && (a.value >> 16n) !== 0n;
    assert.is(addrString(a) !== inetNtop(a), compatible, hex);
    if (compatible) differ++;
  }
  assert.ok(differ >= 5, 'the table has IPv4-compatible rows');
  assert.is(inetNtop(mustParseAddr('::1:2')), '::0.1.0.2');
  assert.is(addrString(mustParseAddr('::1:2')), '::1:2');
  assert.is(inetNtop(mustParseAddr('::ffff:10.0.0.1')), '::ffff:10.0.0.1');
  assert.is(addrString(mustParseAddr('::ffff:10.0.0.1')), '::ffff:10.0.0.1');
});

test('IPv4 is dotted decimal', () => {
  for (const s of ['0.0.0.0', '10.0.0.1', '255.255.255.255', '172.17.0.1']) assert.is(inetNtop(mustParseAddr(s)), s);
});

test('match text as iptables-save prints it: masked, /32 or /128 on a bare address', () => {
  assert.is(inetCidr('10.0.0.5/24'), '10.0.0.0/24');
  assert.is(inetCidr('10.0.0.5'), '10.0.0.5/32');
  assert.is(inetCidr('2001:DB8:0:0::1/64'), '2001:db8::/64');
  assert.is(inetCidr('fd00::1'), 'fd00::1/128');
  assert.is(inetCidr('::1:2'), '::0.1.0.2/128');
  assert.is(inetCidr('0.0.0.0/0'), '0.0.0.0/0');
  assert.is(inetAddr('2001:0db8::0001'), '2001:db8::1');
  assert.ok(isAnyCidr(inetCidr('::/0')));
  assert.not.ok(isAnyCidr(inetCidr('::/1')));
  for (const bad of ['10.0.0.256', '01.2.3.4', 'fe80::1%eth0', '10.0.0.0/33', '[::1]', '10.0.0.0/08']) {
    assert.throws(() => inetCidr(bad), bad);
  }
  assert.throws(() => inetAddr('fe80::1%eth0'));
});

test.run();
