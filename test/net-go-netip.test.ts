// src/net against Go's own net/netip test tables, ported as data from
//   golang/go src/net/netip/netip_test.go      at commit 740043f516f716fe359ffd3bd76f1a30a9aa5eec
//   golang/go src/net/netip/netip_pkg_test.go  at commit 1a45dd796ccb5226033fbaa51f191c6eea1e26e1
// (Copyright The Go Authors, BSD-style licence). Rows that need a value netform does not model (the
// zero Addr{}, an invalid Prefix built with PrefixFrom) are left out; each table names its Go test.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  addrString, compareAddr, contains, is4In6, isLoopback, isUnspecified, masked, mustParseAddr, nextAddr, overlaps, parseAddr,
  parsePrefix, prefixOf, prefixString, prevAddr, unmap, type Addr, type Prefix,
} from '../src/net/index.ts';

const mustPrefix = (s: string): Prefix => {
  const p = parsePrefix(s);
  if (!p) throw new Error(`test data: not a prefix: ${s}`);
  return p;
};
const show = (a: Addr | undefined): string => (a ? addrString(a) : 'undefined');

// TestParseAddr validIPs: input, family, value (Go's Mk128 hi/lo as one hex number; IPv4 as 32 bits),
// zone, String() ('' = the input itself).
const VALID: readonly [string, 4 | 6, string, string, string][] = [
  ['0.0.0.0', 4, '0', '', ''],
  ['192.168.140.255', 4, 'c0a88cff', '', ''],
  ['::', 6, '0', '', ''],
  ['::1', 6, '1', '', ''],
  ['fd7a:115c:a1e0:ab12:4843:cd96:626b:430b', 6, 'fd7a115ca1e0ab124843cd96626b430b', '', ''],
  ['fd7a:115c::626b:430b', 6, 'fd7a115c0000000000000000626b430b', '', ''],
  ['fd7a:115c:a1e0:ab12:4843:cd96::', 6, 'fd7a115ca1e0ab124843cd9600000000', '', ''],
  ['fd7a:115c:a1e0:ab12:4843:cd96:626b::', 6, 'fd7a115ca1e0ab124843cd96626b0000', '', 'fd7a:115c:a1e0:ab12:4843:cd96:626b:0'],
  ['fd7a:115c:a1e0::4843:cd96:626b:430b', 6, 'fd7a115ca1e000004843cd96626b430b', '', 'fd7a:115c:a1e0:0:4843:cd96:626b:430b'],
  ['::ffff:192.168.140.255', 6, '0000ffffc0a88cff', '', '::ffff:192.168.140.255'],
  ['fd7a:115c:a1e0:ab12:4843:cd96:626b:430b%eth0', 6, 'fd7a115ca1e0ab124843cd96626b430b', 'eth0', ''],
  ['1:2::ffff:192.168.140.255%eth1', 6, '00010002000000000000ffffc0a88cff', 'eth1', '1:2::ffff:c0a8:8cff%eth1'],
  ['::ffff:192.168.140.255%eth1', 6, '0000ffffc0a88cff', 'eth1', '::ffff:192.168.140.255%eth1'],
  ['FD9E:1A04:F01D::1', 6, 'fd9e1a04f01d00000000000000000001', '', 'fd9e:1a04:f01d::1'],
];

// TestParseAddr: the validIPs rows with a wantErr, then invalidIPs; TestParseIPError (netip_pkg_test.go).
const INVALID: readonly string[] = [
  '010.000.015.001', '000001.00000002.00000003.000000004', '::ffff:1.2.03.4', '::ffff:1.2.3.z',
  '', 'bad', '1234', '1.2.3.4%eth0', '.1.2.3', '1.2.3.', '1..2.3', '1.2.3.4.5', '0300.0250.0214.0377', '0xc0.0xa8.0x8c.0xff',
  '192.168.12345', '127.0.1', '192.1234567', '127.1', '192.168.300.1', '192.168.0.1.5.6', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9',
  '1:2:3:4::5:6:7:8', 'fe801::1', 'fe80:tail:scal:e::', 'fe80::1%', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:192.168.140.255',
  'ffff::ffff:ffff:ffff:ffff:ffff:ffff:192.168.140.255', '::ffff:192.168.140.bad', 'fe80::1::1', 'fe80:1?:1', 'fe80:',
  '0:0:0:0:0:ffff:0:00000', '0:0:0:0:00000:ffff:127.1.2.3',
  'localhost', '500.0.0.1', '::gggg%eth0', 'fe80::1cc0:3e8c:119f:c2e1%', '%eth0',
];

test('ParseAddr: valid inputs give Go’s value and zone, and String() gives Go’s text (TestParseAddr)', () => {
  for (const [input, family, hex, zone, str] of VALID) {
    const a = parseAddr(input);
    assert.ok(a, input);
    assert.equal([a!.family, a!.value, a!.zone], [family, BigInt(`0x${hex}`), zone], input);
    assert.is(addrString(a!), str || input, input);
    // ParseAddr(ip.String()) is the identity.
    assert.equal(parseAddr(addrString(a!)), a, `round trip ${input}`);
  }
});

test('ParseAddr: invalid inputs are refused (TestParseAddr, TestParseIPError)', () => {
  for (const input of INVALID) assert.is(parseAddr(input), undefined, JSON.stringify(input));
});

test('IsLoopback and IsUnspecified (TestIPProperties, the two properties netform reads)', () => {
  // [address, loopback, unspecified]; ::ffff:x is AddrFrom16(x.As16()).
  const rows: [string, boolean, boolean][] = [
    ['192.0.2.1', false, false], ['::ffff:192.0.2.1', false, false], ['2001:db8::1', false, false], ['2001:db8::1%eth0', false, false],
    ['4000::1', false, false], ['224.0.0.1', false, false], ['::ffff:224.0.0.1', false, false], ['ff02::1', false, false],
    ['ff02::1%eth0', false, false], ['169.254.0.1', false, false], ['::ffff:169.254.0.1', false, false], ['fe80::1', false, false],
    ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false, false], ['fe80::1%eth0', false, false], ['127.0.0.1', true, false],
    ['::1', true, false], ['ff01::1', false, false], ['ff01::1%eth0', false, false], ['10.0.0.1', false, false],
    ['172.16.0.1', false, false], ['192.168.1.1', false, false], ['fd00::1', false, false], ['::ffff:10.0.0.1', false, false],
    ['::ffff:172.16.0.1', false, false], ['::ffff:192.168.1.1', false, false], ['0.0.0.0', false, true], ['::', false, true],
  ];
  for (const [s, loopback, unspecified] of rows) {
    assert.is(isLoopback(mustParseAddr(s)), loopback, `IsLoopback(${s})`);
    assert.is(isUnspecified(mustParseAddr(s)), unspecified, `IsUnspecified(${s})`);
  }
});

test('Compare and the sort it gives (TestAddrLessCompare)', () => {
  const less: [string, string, boolean][] = [
    ['1.2.3.4', '0102:0304::0', true], ['0102:0304::0', '1.2.3.4', false], ['1.2.3.4', '1.2.3.4', false],
    ['::1', '::2', true], ['::1', '::1%foo', true], ['::1%foo', '::2', true], ['::2', '::3', true],
    ['::', '0.0.0.0', false], ['0.0.0.0', '::', true], ['::1%a', '::1%b', true], ['::1%a', '::1%a', false], ['::1%b', '::1%a', false],
  ];
  for (const [a, b, want] of less) assert.is(compareAddr(mustParseAddr(a), mustParseAddr(b)) < 0, want, `Less(${a}, ${b})`);
  const sorted = ['::1', '::2', '1.2.3.4', '8.8.8.8', '::1%foo'].map(mustParseAddr).sort(compareAddr).map(addrString);
  assert.equal(sorted, ['1.2.3.4', '8.8.8.8', '::1', '::1%foo', '::2']);
});

test('Addr.Prefix masks and drops the zone (TestPrefixMasking)', () => {
  const rows: [string, number, string | undefined][] = [
    ['192.0.2.0', 255, undefined], ['192.0.2.0', 16, '192.0.0.0/16'], ['255.255.255.255', 20, '255.255.240.0/20'],
    ['100.98.156.66', 10, '100.64.0.0/10'],
  ];
  for (const zone of ['', '%eth0']) {
    rows.push([`2001:db8::1${zone}`, 255, undefined], [`2001:db8::1${zone}`, 32, '2001:db8::/32'],
      [`fe80::dead:beef:dead:beef${zone}`, 96, 'fe80::dead:beef:0:0/96'], [`aaaa::${zone}`, 4, 'a000::/4'], [`::${zone}`, 63, '::/63']);
  }
  for (const [ip, bits, want] of rows) {
    const p = prefixOf(mustParseAddr(ip), bits);
    assert.is(p && prefixString(p), want, `${ip}.Prefix(${bits})`);
    if (want) assert.equal(p, mustPrefix(want));
  }
});

test('Is4In6 and Unmap (TestIs4In6)', () => {
  const rows: [string, boolean, string][] = [
    ['::ffff:c000:0280', true, '192.0.2.128'], ['::ffff:192.0.2.128', true, '192.0.2.128'], ['::ffff:192.0.2.128%eth0', true, '192.0.2.128'],
    ['::fffe:c000:0280', false, '::fffe:c000:0280'], ['::ffff:127.1.2.3', true, '127.1.2.3'], ['::ffff:7f01:0203', true, '127.1.2.3'],
    ['0:0:0:0:0000:ffff:127.1.2.3', true, '127.1.2.3'], ['0:0:0:0::ffff:127.1.2.3', true, '127.1.2.3'], ['::1', false, '::1'], ['1.2.3.4', false, '1.2.3.4'],
  ];
  for (const [ip, want, wantUnmap] of rows) {
    assert.is(is4In6(mustParseAddr(ip)), want, `Is4In6(${ip})`);
    assert.equal(unmap(mustParseAddr(ip)), mustParseAddr(wantUnmap), `Unmap(${ip})`);
  }
});

test('Masked (TestPrefixMasked)', () => {
  assert.equal(masked(mustPrefix('192.168.0.255/24')), mustPrefix('192.168.0.0/24'));
  assert.equal(masked(mustPrefix('2100::/3')), mustPrefix('2000::/3'));
});

test('ParsePrefix, Contains and String (TestPrefix, TestPrefixContains)', () => {
  const rows: [string, string, number, string[], string[]][] = [
    ['192.168.0.0/24', '192.168.0.0', 24, ['192.168.0.1', '192.168.0.55'], ['192.168.1.1', '1.1.1.1']],
    ['192.168.1.1/32', '192.168.1.1', 32, ['192.168.1.1'], ['192.168.1.2']],
    ['100.64.0.0/10', '100.64.0.0', 10, ['100.64.0.0', '100.64.0.1', '100.81.251.94', '100.100.100.100', '100.127.255.254', '100.127.255.255'], ['100.63.255.255', '100.128.0.0']],
    ['2001:db8::/96', '2001:db8::', 96, ['2001:db8::aaaa:bbbb', '2001:db8::1'], ['2001:db8::1:aaaa:bbbb', '2001:db9::']],
    ['0.0.0.0/0', '0.0.0.0', 0, ['192.168.0.1', '1.1.1.1'], ['2001:db8::1']],
    ['::/0', '::', 0, ['::1', '2001:db8::1'], ['192.0.2.1']],
    ['2000::/3', '2000::', 3, ['2001:db8::1'], ['fe80::1']],
  ];
  for (const [text, ip, bits, yes, no] of rows) {
    const p = mustPrefix(text);
    assert.equal([p.family, p.address, p.length], [mustParseAddr(ip).family, mustParseAddr(ip).value, bits], text);
    for (const a of yes) assert.ok(contains(p, mustParseAddr(a)), `${text} contains ${a}`);
    for (const a of no) assert.not.ok(contains(p, mustParseAddr(a)), `${text} does not contain ${a}`);
    assert.is(prefixString(p), text);
  }
  // TestPrefixContains (netip_pkg_test.go), the rows built with MustParsePrefix.
  const pkg: [string, string, boolean][] = [
    ['9.8.7.6/0', '9.8.7.6', true], ['9.8.7.6/16', '9.8.7.6', true], ['9.8.7.6/16', '9.8.6.4', true], ['9.8.7.6/16', '9.9.7.6', false],
    ['9.8.7.6/32', '9.8.7.6', true], ['9.8.7.6/32', '9.8.7.7', false], ['::1/0', '::1', true], ['::1/0', '::2', true],
    ['::1/127', '::1', true], ['::1/127', '::2', false], ['::1/128', '::1', true], ['::1/0', '1.2.3.4', false], ['1.2.3.4/0', '::1', false],
    // Contains' doc comment: "If ip has an IPv6 zone, Contains returns false, because Prefixes strip zones."
    ['fe80::/64', 'fe80::1%eth0', false],
  ];
  for (const [p, a, want] of pkg) assert.is(contains(mustPrefix(p), mustParseAddr(a)), want, `${p} contains ${a}`);
});

test('ParsePrefix refuses what Go refuses (TestParsePrefixError)', () => {
  for (const s of ['192.168.0.0', '1.257.1.1/24', '1.1.1.0/q', '1.1.1.0/-1', '1.1.1.0/33', '2001::/129', '1.1.1.0%a/24', '2001:db8::%a/32', '1.1.1.0/+32', '1.1.1.0/-32', '1.1.1.0/032', '1.1.1.0/0032']) {
    assert.is(parsePrefix(s), undefined, s);
  }
});

test('Prefix.String (TestPrefixMarshalTextString, TestPrefixMarshalUnmarshal)', () => {
  const rows: [string, string][] = [
    ['1.2.3.4/24', '1.2.3.4/24'],
    ['fd7a:115c:a1e0:ab12:4843:cd96:626b:430b/118', 'fd7a:115c:a1e0:ab12:4843:cd96:626b:430b/118'],
    ['::ffff:c000:0280/96', '::ffff:192.0.2.128/96'],
    ['::ffff:192.168.140.255/8', '::ffff:192.168.140.255/8'],
    ['1.2.3.4/32', '1.2.3.4/32'], ['0.0.0.0/0', '0.0.0.0/0'], ['::/0', '::/0'], ['::1/128', '::1/128'], ['2001:db8::/32', '2001:db8::/32'],
  ];
  for (const [input, want] of rows) assert.is(prefixString(mustPrefix(input)), want, input);
});

test('Overlaps (TestPrefixOverlaps)', () => {
  const rows: [string, string, boolean][] = [
    ['::0/3', '0.0.0.0/3', false], ['1.2.0.0/16', '1.2.0.0/16', true], ['1.2.0.0/16', '1.2.3.0/24', true], ['1.2.3.0/24', '1.2.0.0/16', true],
    ['1.2.0.0/16', '1.2.3.0/32', true], ['1.2.3.0/32', '1.2.0.0/16', true], ['1.2.3.0/32', '0.0.0.0/0', true], ['0.0.0.0/0', '1.2.3.0/32', true],
    ['1.2.3.0/32', '5.5.5.5/0', true], ['5::1/128', '5::0/8', true], ['5::0/8', '5::1/128', true], ['1::1/128', '2::2/128', false],
    ['0100::0/8', '::1/128', false],
    // PrefixFrom(AddrFrom16(1.2.0.0.As16()), 16): an IPv4-mapped prefix does not overlap IPv4.
    ['::ffff:1.2.0.0/16', '1.2.3.0/24', false],
  ];
  for (const [a, b, want] of rows) {
    assert.is(overlaps(mustPrefix(a), mustPrefix(b)), want, `${a} overlaps ${b}`);
    assert.is(overlaps(mustPrefix(b), mustPrefix(a)), want, `${b} overlaps ${a}`);
  }
});

test('Next and Prev (nextPrevTests, TestIPNextPrev)', () => {
  const rows: [string, string | undefined, string | undefined][] = [
    ['10.0.0.1', '10.0.0.2', '10.0.0.0'], ['10.0.0.255', '10.0.1.0', '10.0.0.254'], ['127.0.0.1', '127.0.0.2', '127.0.0.0'],
    ['254.255.255.255', '255.0.0.0', '254.255.255.254'], ['255.255.255.255', undefined, '255.255.255.254'], ['0.0.0.0', '0.0.0.1', undefined],
    ['::', '::1', undefined], ['::%x', '::1%x', undefined], ['::1', '::2', '::'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', undefined, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe'],
  ];
  for (const [ip, next, prev] of rows) {
    const a = mustParseAddr(ip);
    assert.is(show(nextAddr(a)), next ?? 'undefined', `Next(${ip})`);
    assert.is(show(prevAddr(a)), prev ?? 'undefined', `Prev(${ip})`);
    if (next) assert.equal(prevAddr(nextAddr(a)!), a);
  }
});

test.run();
