// The 29 goldens of moby's internal/resolvconf unit tests (resolvconf_test.go at the commit named in
// test/fixtures/moby/README.md, which also lists each case's input), each reproduced byte for byte by
// making the same calls the Go test makes, in the same order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type ExtDNSEntry,
  type ResolvConf,
  addOption,
  extDNSEntryString,
  generate,
  option,
  overrideNameServers,
  overrideOptions,
  overrideSearch,
  parseResolvConf,
  setHeader,
  transformForIntNS,
  transformForLegacyNw,
} from '../src/render/resolvconf/index.ts';
import { addrString, mustParseAddr } from '../src/net/index.ts';
import { goldenNames, readGolden } from './support/moby.ts';

const goldenFiles = goldenNames('resolvconf');

// Go's t.Name(): subtest names have spaces replaced by '_'; the reference copy replaced '/' by '__'.
const goldenName = (testName: string, sub?: string): string =>
  `${testName}${sub === undefined ? '' : `__${sub.replace(/ /g, '_')}`}.golden`;

const s2a = (xs: readonly string[] | undefined) => (xs ?? []).map(mustParseAddr);
const a2s = (rc: ResolvConf) => rc.nameServers.map(addrString);

let matched = 0;
const covered = new Set<string>();

function checkGolden(name: string, content: string): void {
  covered.add(name);
  assert.ok(goldenFiles.includes(name), `golden ${name} is missing from test/fixtures/moby/resolvconf`);
  assert.fixture(content, readGolden('resolvconf', name), name);
  matched++;
}

test('the 29 goldens are there', () => {
  assert.is(goldenFiles.length, 29, 'expected 29 goldens in test/fixtures/moby/resolvconf');
});

// TestRCModify
const modifyCases: {
  name: string;
  inputNS: string[];
  inputSearch?: string[];
  inputOptions?: string[];
  noOverrides?: boolean;
  overrideNS?: string[];
  overrideSearch?: string[];
  overrideOptions?: string[];
  addOption?: string;
}[] = [
  { name: 'No content no overrides', inputNS: [] },
  { name: 'No overrides', noOverrides: true, inputNS: ['1.2.3.4'], inputSearch: ['invalid'], inputOptions: ['ndots:0'] },
  { name: 'Empty overrides', inputNS: ['1.2.3.4'], inputSearch: ['invalid'], inputOptions: ['ndots:0'] },
  {
    name: 'Overrides',
    inputNS: ['1.2.3.4'],
    inputSearch: ['invalid'],
    inputOptions: ['ndots:0'],
    overrideNS: ['2.3.4.5', 'fdba:acdd:587c::53'],
    overrideSearch: ['com', 'invalid', 'example'],
    overrideOptions: ['ndots:1', 'edns0', 'trust-ad'],
  },
  {
    name: 'Add option no overrides',
    noOverrides: true,
    inputNS: ['1.2.3.4'],
    inputSearch: ['invalid'],
    inputOptions: ['ndots:0'],
    addOption: 'attempts:3',
  },
];

for (const tc of modifyCases) {
  test(`TestRCModify/${tc.name}`, () => {
    let input = '';
    for (const ns of tc.inputNS) input += `nameserver ${ns}\n`;
    if (tc.inputSearch?.length) input += `search ${tc.inputSearch.join(' ')}\n`;
    if (tc.inputOptions?.length) input += `options ${tc.inputOptions.join(' ')}\n`;
    let rc = parseResolvConf(input, '');
    assert.equal(a2s(rc), tc.inputNS);
    assert.equal(rc.search, tc.inputSearch ?? []);
    assert.equal(rc.options, tc.inputOptions ?? []);

    if (!tc.noOverrides) {
      rc = overrideNameServers(rc, s2a(tc.overrideNS));
      rc = overrideSearch(rc, tc.overrideSearch ?? []);
      rc = overrideOptions(rc, tc.overrideOptions ?? []);
      assert.equal(a2s(rc), tc.overrideNS ?? []);
      assert.equal(rc.search, tc.overrideSearch ?? []);
      assert.equal(rc.options, tc.overrideOptions ?? []);
    }
    if (tc.addOption !== undefined) {
      const before = [...rc.options];
      rc = addOption(rc, tc.addOption);
      assert.equal(rc.options, [...before, tc.addOption]);
    }
    checkGolden(goldenName('TestRCModify', tc.name), generate(rc, true));
  });
}

// TestRCTransformForLegacyNw
const legacyCases: { name: string; input: string; ipv6?: boolean; overrideNS?: string[] }[] = [
  { name: 'Routable IPv4 only', input: 'nameserver 10.0.0.1' },
  { name: 'Routable IPv4 and IPv6, ipv6 enabled', input: 'nameserver 10.0.0.1\nnameserver fdb6:b8fe:b528::1', ipv6: true },
  { name: 'Routable IPv4 and IPv6, ipv6 disabled', input: 'nameserver 10.0.0.1\nnameserver fdb6:b8fe:b528::1', ipv6: false },
  { name: 'IPv4 localhost, ipv6 disabled', input: 'nameserver 127.0.0.53', ipv6: false },
  { name: 'IPv4 localhost, ipv6 enabled', input: 'nameserver 127.0.0.53', ipv6: true },
  { name: 'IPv4 and IPv6 localhost, ipv6 disabled', input: 'nameserver 127.0.0.53\nnameserver ::1', ipv6: false },
  { name: 'IPv4 and IPv6 localhost, ipv6 enabled', input: 'nameserver 127.0.0.53\nnameserver ::1', ipv6: true },
  { name: 'IPv4 localhost, IPv6 routeable, ipv6 enabled', input: 'nameserver 127.0.0.53\nnameserver fd3e:2d1a:1f5a::1', ipv6: true },
  { name: 'IPv4 localhost, IPv6 routeable, ipv6 disabled', input: 'nameserver 127.0.0.53\nnameserver fd3e:2d1a:1f5a::1', ipv6: false },
  { name: 'Override nameservers', input: 'nameserver 127.0.0.53', overrideNS: ['127.0.0.1', '::1'], ipv6: false },
];

for (const tc of legacyCases) {
  test(`TestRCTransformForLegacyNw/${tc.name}`, () => {
    let rc = parseResolvConf(tc.input, '/etc/resolv.conf');
    if (tc.overrideNS !== undefined) rc = overrideNameServers(rc, s2a(tc.overrideNS));
    rc = transformForLegacyNw(rc, tc.ipv6 ?? false);
    checkGolden(goldenName('TestRCTransformForLegacyNw', tc.name), generate(rc, true));
  });
}

// TestRCTransformForIntNS
const mke = (addr: string, hostLoopback: boolean): ExtDNSEntry => ({ addr: mustParseAddr(addr), hostLoopback });
const intNSCases: {
  name: string;
  input: string;
  overrideNS?: string[];
  overrideOptions?: string[];
  reqdOptions?: string[];
  expExtServers: ExtDNSEntry[];
}[] = [
  { name: 'IPv4 only', input: 'nameserver 10.0.0.1', expExtServers: [mke('10.0.0.1', true)] },
  {
    name: 'IPv4 and IPv6, ipv6 enabled',
    input: 'nameserver 10.0.0.1\nnameserver fdb6:b8fe:b528::1',
    expExtServers: [mke('10.0.0.1', true), mke('fdb6:b8fe:b528::1', true)],
  },
  { name: 'IPv4 localhost', input: 'nameserver 127.0.0.53', expExtServers: [mke('127.0.0.53', true)] },
  {
    name: 'IPv4 localhost override',
    input: 'nameserver 10.0.0.1',
    overrideNS: ['127.0.0.53'],
    expExtServers: [mke('127.0.0.53', false)],
  },
  { name: 'IPv6 only', input: 'nameserver fd14:6e0e:f855::1', expExtServers: [mke('fd14:6e0e:f855::1', true)] },
  {
    name: 'IPv4 and IPv6 localhost',
    input: 'nameserver 127.0.0.53\nnameserver ::1',
    expExtServers: [mke('127.0.0.53', true), mke('::1', true)],
  },
  {
    name: 'ndots present and required',
    input: 'nameserver 127.0.0.53\noptions ndots:1',
    reqdOptions: ['ndots:0'],
    expExtServers: [mke('127.0.0.53', true)],
  },
  {
    name: 'ndots missing but required',
    input: 'nameserver 127.0.0.53',
    reqdOptions: ['ndots:0'],
    expExtServers: [mke('127.0.0.53', true)],
  },
  {
    name: 'ndots host, override and required',
    input: 'nameserver 127.0.0.53',
    reqdOptions: ['ndots:0'],
    overrideOptions: ['ndots:2'],
    expExtServers: [mke('127.0.0.53', true)],
  },
  {
    name: 'Extra required options',
    input: 'nameserver 127.0.0.53\noptions trust-ad',
    reqdOptions: ['ndots:0', 'attempts:3', 'edns0', 'trust-ad'],
    expExtServers: [mke('127.0.0.53', true)],
  },
  { name: 'No config', input: '', expExtServers: [] },
];

for (const tc of intNSCases) {
  test(`TestRCTransformForIntNS/${tc.name}`, () => {
    let rc = parseResolvConf(tc.input, '/etc/resolv.conf');
    if (tc.overrideNS?.length) rc = overrideNameServers(rc, s2a(tc.overrideNS));
    if (tc.overrideOptions?.length) rc = overrideOptions(rc, tc.overrideOptions);
    const res = transformForIntNS(rc, mustParseAddr('127.0.0.11'), tc.reqdOptions ?? []);
    checkGolden(goldenName('TestRCTransformForIntNS', tc.name), generate(res.rc, true));
    assert.equal(res.extNameServers.map(extDNSEntryString), tc.expExtServers.map(extDNSEntryString));
  });
}

test('TestRCInvalidNS', () => {
  const rc = parseResolvConf('nameserver 1.2.3.4.5', '');
  checkGolden(goldenName('TestRCInvalidNS'), generate(rc, true));
});

test('TestRCSetHeader', () => {
  const rc = setHeader(parseResolvConf('nameserver 127.0.0.53', '/etc/resolv.conf'), '# This is a comment.');
  checkGolden(goldenName('TestRCSetHeader'), generate(rc, true));
});

test('TestRCUnknownDirectives', () => {
  const input = '\nsomething unexpected\nnameserver 127.0.0.53\noptions ndots:1\nunrecognised thing\n';
  const rc = parseResolvConf(input, '/etc/resolv.conf');
  checkGolden(goldenName('TestRCUnknownDirectives'), generate(rc, true));
});

// The non-golden checks of the same Go file, for the behaviour the goldens rest on.
test('TestRCOption', () => {
  const cases: [string, string, string | undefined][] = [
    ['', 'ndots', undefined],
    ['ndots:0 edns0', 'trust-ad', undefined],
    ['ndots:0 edns0', 'ndots', '0'],
    ['ndots:0 edns0', 'edns0', ''],
    ['ndots:0 edns0 ndots:1', 'ndots', '1'],
  ];
  for (const [options, search, exp] of cases) {
    assert.is(option(parseResolvConf(`options ${options}`, ''), search), exp, `${options} / ${search}`);
  }
});

test('TestRCTransformForIntNSInvalidNdots', () => {
  const cases: { options: string; reqd: string[]; val: string; from: string; opts: string[] }[] = [
    { options: 'options ndots:-1', reqd: [], val: '-1', from: 'host', opts: ['ndots:-1'] },
    { options: 'options ndots:-1 foo:bar ndots ndots:', reqd: ['ndots:2'], val: '2', from: 'internal', opts: ['foo:bar', 'ndots:2'] },
    { options: 'options ndots:1 foo:bar ndots ndots:', reqd: ['ndots:2'], val: '1', from: 'host', opts: ['ndots:1', 'foo:bar'] },
  ];
  for (const tc of cases) {
    const rc = parseResolvConf(`nameserver 8.8.8.8\n${tc.options}`, '/etc/resolv.conf');
    const res = transformForIntNS(rc, mustParseAddr('127.0.0.11'), tc.reqd);
    assert.is(option(res.rc, 'ndots'), tc.val);
    assert.is(res.rc.md.ndotsFrom, tc.from);
    assert.equal(res.rc.options, tc.opts);
  }
});

test('TestRCParseErrors: a line of 64 KiB fails the parse', () => {
  assert.throws(
    () => parseResolvConf(`${'a'.repeat(65537)}\n`, '/etc/resolv.conf'),
    (e: Error) => e.message === 'failed to parse resolv.conf from /etc/resolv.conf: line too long (exceeds 65536)',
  );
});

test('every golden has a case', () => {
  const uncovered = goldenFiles.filter((f) => !covered.has(f));
  assert.equal(uncovered, [], 'goldens without a test case');
});

test('every golden is reproduced', () => {
  console.log(`\n${matched}/${goldenFiles.length} resolv.conf goldens`);
  assert.is(matched, goldenFiles.length);
});

test.run();
