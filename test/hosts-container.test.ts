// containerHosts and its record builders. Expected texts follow moby's tests where there is one
// (integration/networking/etchosts_test.go TestEtcHostsIpv6) and otherwise the Docker 29 code paths
// named in src/render/hosts/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  HostsError,
  containerHosts,
  endpointHostsRecords,
  extraHostRecords,
  hostNetworkHosts,
  hostnameRecordNames,
  hostsAfterJoin,
  hostsAfterLeave,
  linkHostsRecords,
} from '../src/render/hosts/index.ts';

const V6_DEFAULTS = '::1\tlocalhost ip6-localhost ip6-loopback\nfe00::\tip6-localnet\nff00::\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

test('hostnameRecordNames: the "c1.invalid c1" rule', () => {
  assert.equal(hostnameRecordNames('c1.invalid'), ['c1.invalid', 'c1']);
  assert.equal(hostnameRecordNames('web'), ['web']);
  assert.equal(hostnameRecordNames('web', 'example.com'), ['web.example.com', 'web']);
  assert.equal(hostnameRecordNames('a.b', 'c'), ['a.b.c', 'a']);
  assert.equal(hostnameRecordNames('3f4c2a9b1d0e', ''), ['3f4c2a9b1d0e']);
});

test('TestEtcHostsIpv6 (etchosts_test.go): default bridge, IPv6 enabled and disabled', () => {
  const names = hostnameRecordNames('3f4c2a9b1d0e');
  const own = endpointHostsRecords(names, { network: 'bridge', ipv4: '172.17.0.2', ipv6: 'fdc8:ffe2:d8d7:1234::2' });
  assert.is(
    containerHosts({ ipv6Enabled: true, extraHosts: [], own, links: [] }),
    `127.0.0.1\tlocalhost\n${V6_DEFAULTS}172.17.0.2\t3f4c2a9b1d0e\nfdc8:ffe2:d8d7:1234::2\t3f4c2a9b1d0e\n`,
  );
  // sysctl net.ipv6.conf.all.disable_ipv6=1: the endpoint's IPv6 address is released, and nothing IPv6 is written.
  const ownNoV6 = endpointHostsRecords(names, { network: 'bridge', ipv4: '172.17.0.3' });
  assert.is(containerHosts({ ipv6Enabled: false, extraHosts: [], own: ownNoV6, links: [] }), '127.0.0.1\tlocalhost\n172.17.0.3\t3f4c2a9b1d0e\n');
});

test('IPv6 disabled: IPv6 extra hosts, links, own and peer records are all dropped', () => {
  const text = containerHosts({
    ipv6Enabled: false,
    extraHosts: [...extraHostRecords('a.invalid', '192.0.2.1'), ...extraHostRecords('a.invalid', '2001:db8::1')],
    own: endpointHostsRecords(['c1'], { ipv4: '10.0.0.2', ipv6: 'fd00::2' }),
    links: linkHostsRecords({ alias: 'db', childHostname: 'dbhost', childName: 'db', ipv4: '172.17.0.5', ipv6: 'fd00:17::5' }),
    peers: [{ ip: 'fd00::3', names: ['c2'] }],
  });
  assert.is(text, '127.0.0.1\tlocalhost\n192.0.2.1\ta.invalid\n172.17.0.5\tdb dbhost\n10.0.0.2\tc1\n');
});

test('links: after --add-host, before own records; name added when it differs from the alias', () => {
  const links = [
    ...linkHostsRecords({ alias: 'db', childHostname: 'a1b2c3d4e5f6', childName: 'postgres', ipv4: '172.17.0.3', ipv6: 'fd00:17::3' }),
    ...linkHostsRecords({ alias: 'cache', childHostname: 'cache', childName: 'cache', ipv4: '172.17.0.4' }),
  ];
  const text = containerHosts({
    ipv6Enabled: true,
    extraHosts: extraHostRecords('otherhost', '192.0.2.3'),
    own: endpointHostsRecords(hostnameRecordNames('web'), { network: 'bridge', ipv4: '172.17.0.2' }),
    links,
  });
  assert.is(
    text,
    `127.0.0.1\tlocalhost\n${V6_DEFAULTS}192.0.2.3\totherhost\n` +
      '172.17.0.3\tdb a1b2c3d4e5f6 postgres\nfd00:17::3\tdb a1b2c3d4e5f6 postgres\n172.17.0.4\tcache cache\n' +
      '172.17.0.2\tweb\n',
  );
});

test('host-gateway expands to every host-gateway address, unmapped', () => {
  assert.equal(extraHostRecords('host.docker.internal', 'host-gateway', ['172.17.0.1', '::ffff:10.1.1.1', 'fd00::1']), [
    { ip: '172.17.0.1', names: ['host.docker.internal'] },
    { ip: '10.1.1.1', names: ['host.docker.internal'] },
    { ip: 'fd00::1', names: ['host.docker.internal'] },
  ]);
  assert.throws(() => extraHostRecords('h', 'host-gateway', []), (e: unknown) => e instanceof HostsError && e.code === 'NO_HOST_GATEWAY');
  assert.throws(() => extraHostRecords('h', 'not-an-ip'), (e: unknown) => e instanceof HostsError && e.code === 'BAD_ADDRESS');
  assert.equal(extraHostRecords('h', '2001:DB8:0:0::1'), [{ ip: '2001:db8::1', names: ['h'] }]);
});

test('domainname and multiple endpoints in join order', () => {
  const names = hostnameRecordNames('app', 'corp.example');
  const own = [
    ...endpointHostsRecords(names, { network: 'front', ipv4: '172.18.0.2', ipv6: 'fd00:18::2' }),
    ...endpointHostsRecords(names, { network: 'back', ipv4: '172.19.0.2' }),
    ...endpointHostsRecords(names, { network: 'docker_gwbridge', ipv4: '172.20.0.2' }),
    ...endpointHostsRecords(names, { network: 'ingress', ingress: true, ipv4: '10.0.0.2' }),
  ];
  assert.is(
    containerHosts({ ipv6Enabled: true, extraHosts: [], own, links: [] }),
    `127.0.0.1\tlocalhost\n${V6_DEFAULTS}` +
      '172.18.0.2\tapp.corp.example app\nfd00:18::2\tapp.corp.example app\n172.19.0.2\tapp.corp.example app\n',
  );
});

test('Docker <= 27 spelling of the IPv6 defaults', () => {
  const text = containerHosts({ ipv6Enabled: true, extraHosts: [], own: [], links: [], legacyIPv6Spelling: true });
  assert.is(text, '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n');
});

test('netform hosts mode: peers after everything Docker writes', () => {
  const text = containerHosts({
    ipv6Enabled: true,
    extraHosts: [],
    own: endpointHostsRecords(['c1'], { ipv4: '172.18.0.2' }),
    links: [],
    peers: [
      { ip: '172.18.0.3', names: ['c2', 'c2.front'] },
      { ip: 'fd00:18:0:0::3', names: ['c2'] },
    ],
  });
  assert.is(
    text,
    `127.0.0.1\tlocalhost\n${V6_DEFAULTS}172.18.0.2\tc1\n# netform: name_resolution=hosts (peers on shared networks)\n172.18.0.3\tc2 c2.front\nfd00:18::3\tc2\n`,
  );
  assert.not.ok(containerHosts({ ipv6Enabled: true, extraHosts: [], own: [], links: [], peers: [] }).includes('#'));
});

test('--network host: the host file copied unless --add-host', () => {
  const hostFile = '127.0.0.1 localhost\n127.0.1.1 myhost\n\n# The following lines are desirable for IPv6 capable hosts\n::1 ip6-localhost ip6-loopback\n';
  assert.is(hostNetworkHosts(hostFile, []), hostFile);
  assert.is(hostNetworkHosts(hostFile, extraHostRecords('myhost', '192.0.2.9')), `127.0.0.1\tlocalhost\n${V6_DEFAULTS}192.0.2.9\tmyhost\n`);
  assert.is(hostNetworkHosts(hostFile, extraHostRecords('myhost', '2001:db8::9'), false), '127.0.0.1\tlocalhost\n');
});

test('leaving a network deletes exactly its lines (etchosts.Delete)', () => {
  const own = endpointHostsRecords(['c1'], { ipv4: '10.0.0.2', ipv6: 'fd00::2' });
  let text = containerHosts({ ipv6Enabled: true, extraHosts: extraHostRecords('c1', '10.0.0.2'), own: [], links: [] });
  text = hostsAfterJoin(text, own, true);
  // The --add-host line has the same address and name: Docker deletes it too.
  assert.is(hostsAfterLeave(text, own), `127.0.0.1\tlocalhost\n${V6_DEFAULTS}`);
  // User edits survive: a changed name, a comment, and an address in another spelling still matches.
  const edited = `# mine\n10.0.0.2\tc1 extra\n\n fd00:0::2\tc1\r\n${text}`;
  assert.is(hostsAfterLeave(edited, own), `# mine\n10.0.0.2\tc1 extra\n127.0.0.1\tlocalhost\n${V6_DEFAULTS}`);
  // Joining with IPv6 disabled appends only the IPv4 record.
  assert.is(hostsAfterJoin('127.0.0.1\tlocalhost\n', own, false), '127.0.0.1\tlocalhost\n10.0.0.2\tc1\n');
});

test.run();
