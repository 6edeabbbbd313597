// moby's 66 nftabler goldens (test/fixtures/moby/nftables/) through the whole pipeline: for each, a YAML
// file with `firewall-backend: nftables` that encodes the stated input (one bridge br-dummy,
// 192.168.0.0/24 and fd49:efd7:54aa::/64, one container 192.168.0.2 / fd49:efd7:54aa::1 publishing 80
// on 8080) is compiled; the backend's table, listed as `nft list table` lists it, must be the golden, and
// nftables.rules must hold the golden in the form nft 1.0.6 loads (counters without values, the
// nat output hook's priority as -100: docs/nftables.md).
//
// One difference between moby's unit test and a daemon is taken out, not papered over (as for the
// iptables goldens, test/firewaller-goldens-yaml.test.ts): in routed gateway mode the unit test hands
// the firewaller host port 8080, but a daemon's routed port mapper zeroes the host port
// (portmappers/routed), so a daemon writes no DNAT, "MASQ TO OWN PORT" or "DROP REMOTE LOOPBACK" there.
// netform does what the daemon does; those goldens are counted apart with that reason.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile.ts';
import { listTable } from '../src/firewall/nftables/text/index.ts';
import { NFT_GOLDENS, nftGoldenFiles } from './support/nft-goldens.ts';

const goldens = nftGoldenFiles();

function params(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of name.split('__')[0]!.split(',')) {
    const [k, v] = kv.split('=');
    out[k!] = v ?? 'true';
  }
  return out;
}

/** The YAML that encodes a golden's input (test/fixtures/moby/README.md), on the nftables backend. */
function goldenYaml(name: string): string {
  const p = params(name);
  const daemon = ['  firewall-backend: nftables', '  bridge: none', `  userland-proxy: ${p['hairpin'] !== 'true'}`];
  if ('cleaned' in p) return `version: 1\ndaemon:\n${daemon.join('\n')}\nhost: {resolv_conf: ""}\n`;
  const internal = p['internal'] === 'true';
  const opts = [
    'com.docker.network.bridge.name: br-dummy',
    `com.docker.network.bridge.enable_icc: "${p['icc']}"`,
    ...(internal ? [] : [`com.docker.network.bridge.enable_ip_masquerade: "${p['masq']}"`]),
    ...(internal ? [] : [`com.docker.network.bridge.gateway_mode_ipv4: ${p['gwm']}`, `com.docker.network.bridge.gateway_mode_ipv6: ${p['gwm']}`]),
    ...(p['snat'] === 'true' ? ['com.docker.network.host_ipv4: 192.168.123.0', 'com.docker.network.host_ipv6: fd34:d0d4:672f::123'] : []),
  ];
  const ports = internal ? [] : p['bindlh'] === 'true' ? ['"127.0.0.1:8080:80"', '"[::1]:8080:80"'] : ['"8080:80"'];
  return `version: 1
daemon:
${daemon.join('\n')}
host: {resolv_conf: ""}
networks:
  dummy:
    internal: ${internal}
    enable_ipv6: true
    ipam:
      config:
        - {subnet: 192.168.0.0/24}
        - {subnet: "fd49:efd7:54aa::/64", gateway: "fd49:efd7:54aa::ffff"}
    driver_opts:
${opts.map((o) => `      ${o}`).join('\n')}
containers:
  c1:
    networks:
      dummy: {ipv4_address: 192.168.0.2, ipv6_address: "fd49:efd7:54aa::1"}
    ports: [${ports.join(', ')}]
`;
}

/** The golden as a daemon gives it in routed mode: the rules made for host port 8080 left out. */
const withoutHostPort = (golden: string): string =>
  golden
    .split('\n')
    .filter((l) => !/dport 8080 .*comment "(DNAT|DROP REMOTE LOOPBACK)"$|comment "MASQ TO OWN PORT"$/.test(l))
    .join('\n');

/** A listing in the form nftables.rules writes it: `nft -s` counters, the priority nft 1.0.6 accepts. */
const asLoaded = (listing: string): string =>
  listing.replace(/\bcounter packets 0 bytes 0 /g, 'counter ').replace('type nat hook output priority dstnat;', 'type nat hook output priority -100;');

let matched = 0;
const routed: string[] = [];
for (const g of goldens) {
  const name = g.slice(0, -'.golden'.length);
  const family = name.endsWith('__ip6') ? 6 : 4;
  test(`nftables golden via YAML: ${name}`, () => {
    const r = compile({ file: `${name}.yaml`, text: goldenYaml(name) });
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`), []);
    assert.ok(r.files?.has('local/nftables.rules'), 'no nftables.rules');
    assert.not.ok(r.files?.has('local/iptables.rules'), 'an iptables.rules beside nftables.rules');
    const fw = r.topology!.firewall;
    assert.is(fw.backend, 'nftables');
    const table = fw.backend === 'nftables' ? fw.tables.find((t) => t.family === family && t.name === 'docker-bridges') : undefined;
    assert.ok(table, `no IPv${family} docker-bridges table`);
    const got = listTable(table, { counters: true, dialect: 'current' });
    const expected = readFileSync(path.join(NFT_GOLDENS, g), 'utf8');
    const head = `${family === 4 ? 'ip' : 'ip6'} docker-bridges`;
    assert.ok(r.files!.get('local/nftables.rules')!.includes(`table ${head}\ndelete table ${head}\n${asLoaded(got)}`), 'nftables.rules does not hold the table');
    if (got === expected) {
      matched++;
      return;
    }
    assert.is(params(name)['gwm'], 'routed', 'only routed-mode goldens may differ');
    assert.fixture(got, withoutHostPort(expected));
    routed.push(name);
  });
}

test('report', () => {
  console.log(`${matched}/${goldens.length} nftables goldens reproduced byte for byte from YAML; ${routed.length} routed-mode goldens differ only by the unit test's host port 8080 (a daemon zeroes it)`);
  assert.is(goldens.length, 66);
  assert.is(matched + routed.length, 66);
});

test.run();
