// net.ParseIP and net.ParseCIDR as src/net reads them (parseIP, parseCIDR), against the tables of
//   golang/go src/net/ip_test.go at commit 0ee2f723e8ab08e61d5036d4fa4bcdfb0e426bb4
// (Copyright The Go Authors, BSD-style licence): parseIPTests, ipStringTests, parseCIDRTests. One row
// changed since: "0:0:0:0:000000:ffff:127.1.2.3" (a six-digit group) is refused by the netip parser
// that net.ParseIP is written on in the Go Docker 29 is built with (netip_test.go at 740043f5 lists
// "0:0:0:0:00000:ffff:127.1.2.3" as invalid).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addrString, masked, parseAddr, parseCIDR, parseIP, parsePrefix, prefixString, unmap } from '../src/net/index.ts';

test('ParseIP (parseIPTests): mapped IPv4 reads as IPv4, no zones, no leading zeros', () => {
  const rows: [string, string | undefined][] = [
    ['127.0.1.2', '127.0.1.2'], ['127.0.0.1', '127.0.0.1'], ['::ffff:127.1.2.3', '127.1.2.3'], ['::ffff:7f01:0203', '127.1.2.3'],
    ['0:0:0:0:0000:ffff:127.1.2.3', '127.1.2.3'], ['0:0:0:0::ffff:127.1.2.3', '127.1.2.3'],
    ['2001:4860:0:2001::68', '2001:4860:0:2001::68'], ['2001:4860:0000:2001:0000:0000:0000:0068', '2001:4860:0:2001::68'],
    ['-0.0.0.0', undefined], ['0.-1.0.0', undefined], ['0.0.-2.0', undefined], ['0.0.0.-3', undefined], ['127.0.0.256', undefined],
    ['abc', undefined], ['123:', undefined], ['fe80::1%lo0', undefined], ['fe80::1%911', undefined], ['', undefined],
    ['a1:a2:a3:a4::b1:b2:b3:b4', undefined], ['127.001.002.003', undefined], ['::ffff:127.001.002.003', undefined],
    ['123.000.000.000', undefined], ['1.2..4', undefined], ['0123.0.0.1', undefined],
    ['0:0:0:0:000000:ffff:127.1.2.3', undefined],
  ];
  for (const [input, want] of rows) {
    const a = parseIP(input);
    assert.is(a && addrString(a), want, JSON.stringify(input));
    if (a && want?.includes('.')) assert.is(a.family, 4, `${input} is IPv4 (To4 != nil)`);
  }
});

test('net.IP.String (ipStringTests): a mapped address prints as IPv4, the rest as netip does', () => {
  const rows: [string, string][] = [
    ['c0000201', '192.0.2.1'], ['00000000', '0.0.0.0'],
    ['00000000000000000000ffffc0000201', '192.0.2.1'], ['00000000000000000000ffff00000000', '0.0.0.0'],
    ['20010db8000000000000012300120001', '2001:db8::123:12:1'], ['20010db8000000000000000000000001', '2001:db8::1'],
    ['20010db8000000010000000100000001', '2001:db8:0:1:0:1:0:1'], ['20010db8000100000001000000010000', '2001:db8:1:0:1:0:1:0'],
    ['20010000000000000001000000000001', '2001::1:0:0:1'], ['20010db8000000000001000000000000', '2001:db8:0:0:1::'],
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'], ['20010db800000000000a000b000c000d', '2001:db8::a:b:c:d'],
    ['00000000000000000000000000000000', '::'],
  ];
  for (const [hex, want] of rows) {
    const a = { family: hex.length === 8 ? 4 : 6, value: BigInt(`0x${hex}`), zone: '' } as const;
    assert.is(addrString(unmap(a)), want, hex);
  }
});

test('ParseCIDR (parseCIDRTests): the address as given and the network it implies', () => {
  const rows: [string, string, string][] = [
    ['135.104.0.0/32', '135.104.0.0', '135.104.0.0/32'], ['0.0.0.0/24', '0.0.0.0', '0.0.0.0/24'],
    ['135.104.0.0/24', '135.104.0.0', '135.104.0.0/24'], ['135.104.0.1/32', '135.104.0.1', '135.104.0.1/32'],
    ['135.104.0.1/24', '135.104.0.1', '135.104.0.0/24'], ['::1/128', '::1', '::1/128'], ['abcd:2345::/127', 'abcd:2345::', 'abcd:2345::/127'],
    ['abcd:2345::/65', 'abcd:2345::', 'abcd:2345::/65'], ['abcd:2345::/64', 'abcd:2345::', 'abcd:2345::/64'],
    ['abcd:2345::/63', 'abcd:2345::', 'abcd:2345::/63'], ['abcd:2345::/33', 'abcd:2345::', 'abcd:2345::/33'],
    ['abcd:2345::/32', 'abcd:2345::', 'abcd:2345::/32'], ['abcd:2344::/31', 'abcd:2344::', 'abcd:2344::/31'],
    ['abcd:2300::/24', 'abcd:2300::', 'abcd:2300::/24'], ['abcd:2345::/24', 'abcd:2345::', 'abcd:2300::/24'],
    ['2001:DB8::/48', '2001:db8::', '2001:db8::/48'], ['2001:DB8::1/48', '2001:db8::1', '2001:db8::/48'],
  ];
  for (const [input, ip, net] of rows) {
    const p = parseCIDR(input);
    assert.ok(p, input);
    assert.is(addrString({ family: p!.family, value: p!.address, zone: '' }), ip, input);
    assert.is(prefixString(masked(p!)), net, input);
  }
  for (const bad of ['192.168.1.1/255.255.255.0', '192.168.1.1/35', '2001:db8::1/-1', '2001:db8::1/-0', '-0.0.0.0/32', '0.-1.0.0/32', '0.0.-2.0/32', '0.0.0.-3/32', '0.0.0.0/-0', '127.000.000.001/32', '']) {
    assert.is(parseCIDR(bad), undefined, JSON.stringify(bad));
  }
});

// Where the two prefix parsers Docker uses part ways (net/ip.go ParseCIDR: strings.Cut on the first
// '/', dtoi for the length, an *IPNet; netip.ParsePrefix: the last '/', no leading zero, a Prefix).
test('ParseCIDR and ParsePrefix differ on leading zeros and IPv4-mapped prefixes, and refuse zones alike', () => {
  assert.is(prefixString(parseCIDR('10.0.0.1/024')!), '10.0.0.1/24');
  assert.is(parsePrefix('10.0.0.1/024'), undefined);
  assert.is(prefixString(parseCIDR('10.0.0.1/00000000000024')!), '10.0.0.1/24');
  // The IPNet of a mapped address with 96+ bits is the IPv4 network (IPNet.String, Contains).
  assert.equal(parseCIDR('::ffff:10.0.0.1/120'), { family: 4, address: 0x0a000001n, length: 24 });
  assert.is(prefixString(parsePrefix('::ffff:10.0.0.1/120')!), '::ffff:10.0.0.1/120');
  assert.is(parseCIDR('::ffff:10.0.0.1/64')!.family, 6);
  for (const s of ['fe80::1%eth0/64', '10.0.0.0/8/8', '10.0.0.0/', '/8', '10.0.0.0/ 8', '10.0.0.0/33', '::/129']) {
    assert.is(parseCIDR(s), undefined, s);
    assert.is(parsePrefix(s), undefined, s);
  }
  assert.ok(parseAddr('fe80::1%eth0'), 'ParseAddr keeps zones');
  assert.is(parseIP('fe80::1%eth0'), undefined, 'ParseIP refuses them');
});

test.run();
