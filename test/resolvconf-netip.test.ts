// The Go netip model: which strings are addresses, and how Docker writes them back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addrString, canonicalAddr, is4In6, isLoopback, mustParseAddr, parseAddr, unmap } from '../src/render/resolvconf/index.ts';

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
  assert.is(parseAddr('::ffff:192.0.2.3')?.is4, false);
});

test.run();
