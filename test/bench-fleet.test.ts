// The fleet benchmark's generator and its folder check (bench/generate-fleet.ts, bench/fleet-compare.ts):
// a host's output in a bigger fleet differs from a smaller one only by the ingress peers, and the check
// finds any other difference.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { comparePeerGrowth } from '../bench/fleet-compare.ts';
import { fleetHostName, fleetYaml } from '../bench/generate-fleet.ts';
import { compile } from '../src/compile.ts';

/** Every host's folder of a fleet of `hosts` hosts, built in memory. */
function build(hosts: number): Map<string, Map<string, string>> {
  const result = compile({ file: 'fleet.yaml', text: fleetYaml({ hosts, containersPerHost: 3 }) });
  assert.equal(result.diagnostics.filter((d) => d.severity === 'error'), []);
  const folders = new Map<string, Map<string, string>>();
  for (const [rel, text] of result.files!) {
    const [host, ...rest] = rel.split('/');
    let f = folders.get(host!);
    if (!f) folders.set(host!, (f = new Map()));
    f.set(rest.join('/'), text);
  }
  return folders;
}

const small = build(10);
const big = build(23);
const smallHosts = new Set(Array.from({ length: 10 }, (_, h) => fleetHostName(h)));

test('a host of a full overlay group gains only the ingress peers of the added hosts', () => {
  for (const host of ['h0', 'h9']) {
    const g = comparePeerGrowth(small.get(host)!, big.get(host)!, smallHosts);
    assert.equal(g.unexplained, [], host);
    assert.is(g.extraPeers, 13);
    assert.ok(g.bytes.big > g.bytes.small);
    // Three lines of setup.sh and one peer record per added host: a few hundred bytes, not its containers.
    assert.ok((g.bytes.big - g.bytes.small) / 13 < 600, `${(g.bytes.big - g.bytes.small) / 13} B per added host`);
  }
});

test('any other difference is reported, file by file', () => {
  const h0 = new Map(big.get('h0')!);
  const hostsFile = [...h0.keys()].find((k) => k.endsWith('/hosts'))!;
  h0.set(hostsFile, `${h0.get(hostsFile)}10.9.9.9\tintruder\n`);
  h0.set('setup.sh', h0.get('setup.sh')!.replace('\n', '\n# added\n'));
  assert.equal(comparePeerGrowth(small.get('h0')!, h0, smallHosts).unexplained, [hostsFile, 'setup.sh'].sort());
  // A peer of h0's own overlay (ov-0) is what h0 holds, not an ingress peer: losing one is a difference.
  const topology = JSON.parse(big.get('h0')!.get('topology.json')!) as { overlays: { network: string; peers: unknown[] }[] };
  topology.overlays.find((o) => o.network === 'ov-0')!.peers.pop();
  const lost = new Map(big.get('h0')!).set('topology.json', JSON.stringify(topology, null, 2));
  assert.equal(comparePeerGrowth(small.get('h0')!, lost, smallHosts).unexplained, ['topology.json']);
});

test('a smaller fleet is a prefix of a bigger one', () => {
  const lines = (text: string) => text.split('\n');
  const s = lines(fleetYaml({ hosts: 10 }));
  const b = lines(fleetYaml({ hosts: 23 }));
  for (const l of s) assert.ok(b.includes(l), l);
});

test.run();
