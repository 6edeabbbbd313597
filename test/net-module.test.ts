// src/net as netform uses it: which strings are addresses, how Docker writes them back, the readings
// Docker's code paths give the same text, the prefix arithmetic IPAM relies on, and the module's place
// at the bottom of the import graph. (Go's own tables are in net-go-netip and net-go-net.)
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  addrString, canonicalAddr, hostPrefix, inetCidr, inetNtop, is4In6, isLoopback, lastOf, masked, mustParseAddr, networkOf, parseAddr, parseCIDR,
  parseIP, parsePrefix, prefixString, sizeOf, unmap, unmapPrefix, within,
} from '../src/net/index.ts';

test('ParseAddr + String round trips (Go 1.26 netip)', () => {
  const cases: [string, string | undefined][] = [
    ['1.2.3.4', '1.2.3.4'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['01.2.3.4', undefined], // leading zero
    ['1.2.3', undefined],
    ['1.2.3.4.5', undefined],
    ['256.1.1.1', undefined],
    ['1.2.3.4%eth0', undefined],
    ['1..2.3', undefined],
    ['', undefined],
    ['localhost', undefined],
    ['%eth0', undefined],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longer run
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::', '::'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::0001', '::1'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::FFFF:102:304', '::ffff:1.2.3.4'],
    ['::1.2.3.4', '::102:304'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['fe80::1%', undefined],
    ['00001::', undefined], // five hex digits
    ['12345::', undefined],
    [':::', undefined],
    ['1::2::3', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1:2:3:4:5:6:7:8::', undefined],
    ['1:2:3:4:5:6:7', undefined],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['1:2:3:4:5:1.2.3.4', undefined], // embedded IPv4 not in the last 32 bits
    ['::ffff:01.2.3.4', undefined],
    ['[::1]', undefined],
  ];
  for (const [input, want] of cases) assert.is(canonicalAddr(input), want, JSON.stringify(input));
});

test('IsLoopback in every spelling', () => {
  for (const s of ['127.0.0.1', '127.0.0.53', '127.255.255.255', '::1', '0:0:0:0:0:0:0:1', '::0:1', '::1%lo', '::ffff:127.0.0.1']) {
    assert.ok(isLoopback(mustParseAddr(s)), s);
  }
  for (const s of ['128.0.0.1', '10.0.0.1', '::', '::2', '::1:0', 'fe80::1', '::127.0.0.1', '::ffff:10.0.0.1']) {
    assert.not.ok(isLoopback(mustParseAddr(s)), s);
  }
});

test('Unmap', () => {
  const a = mustParseAddr('::ffff:192.0.2.3');
  assert.ok(is4In6(a));
  assert.is(addrString(unmap(a)), '192.0.2.3');
  assert.is(addrString(unmap(mustParseAddr('2001:db8::1'))), '2001:db8::1');
  assert.is(parseAddr('::ffff:192.0.2.3')?.family, 6);
});

// The inputs the four IP modules this one replaced disagreed on, each read the way every Docker path
// reads it: the same verdict from every entry point, and one text per printer.
test('one verdict for 01.2.3.4, [::1] and ::ffff:10.0.0.1 from every entry point', () => {
  for (const s of ['01.2.3.4', '[::1]', '1.2.3.04', '[10.0.0.1]']) {
    assert.is(parseAddr(s), undefined, s);
    assert.is(parseIP(s), undefined, s);
    assert.is(parsePrefix(`${s}/8`), undefined, s);
    assert.is(parseCIDR(`${s}/8`), undefined, s);
  }
  const mapped = mustParseAddr('::ffff:10.0.0.1');
  assert.is(addrString(mapped), '::ffff:10.0.0.1', 'netip.Addr.String');
  assert.is(inetNtop(mapped), '::ffff:10.0.0.1', 'inet_ntop');
  assert.is(addrString(parseIP('::ffff:10.0.0.1')!), '10.0.0.1', 'net.IP.String: a mapped net.IP is IPv4');
  assert.is(parseIP('::ffff:10.0.0.1')!.family, 4);
});

test('netiputil.Unmap reads a mapped prefix as IPv4 (the examples of its doc comment)', () => {
  assert.is(prefixString(unmapPrefix(parsePrefix('::ffff:1.2.3.4/24')!)), '1.2.3.4/0');
  assert.is(prefixString(unmapPrefix(parsePrefix('::ffff:1.2.3.4/120')!)), '1.2.3.4/24');
  assert.equal(unmapPrefix(parsePrefix('2001:db8::/64')!), parsePrefix('2001:db8::/64'));
  assert.equal(unmapPrefix(parsePrefix('10.0.0.0/8')!), parsePrefix('10.0.0.0/8'));
});

test('prefix arithmetic: network, last address, size, containment, host prefixes', () => {
  const p = parsePrefix('192.168.1.5/24')!;
  assert.is(prefixString(p), '192.168.1.5/24', 'host bits are kept as written (bip)');
  assert.is(prefixString(masked(p)), '192.168.1.0/24');
  assert.is(addrString({ family: 4, value: networkOf(p), zone: '' }), '192.168.1.0');
  assert.is(addrString({ family: 4, value: lastOf(p), zone: '' }), '192.168.1.255');
  assert.is(sizeOf(p), 256n);
  assert.is(sizeOf(parsePrefix('::/0')!), 1n << 128n);
  assert.is(lastOf(parsePrefix('fd00::/8')!), (0xfdn << 120n) | ((1n << 120n) - 1n));
  assert.ok(within(parsePrefix('192.168.1.128/25')!, p));
  assert.not.ok(within(p, parsePrefix('192.168.1.128/25')!));
  assert.not.ok(within(parsePrefix('::ffff:192.168.1.0/120')!, p), 'a mapped prefix is IPv6');
  assert.is(prefixString(hostPrefix(mustParseAddr('fd00::1'))), 'fd00::1/128');
  assert.is(inetCidr(prefixString(hostPrefix(mustParseAddr('10.1.2.3')))), '10.1.2.3/32');
});

test('src/net imports nothing outside src/net (it sits below every stage)', () => {
  const dir = new URL('../src/net/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 0);
  for (const f of files) {
    const text = readFileSync(new URL(f, dir), 'utf8');
    for (const m of text.matchAll(/from '([^']+)'/g)) assert.ok(m[1]!.startsWith('./') && !m[1]!.includes('/', 2), `${f} imports ${m[1]}`);
  }
});

test.run();
