// The 5 goldens of moby's integration test TestEtcHostsDisconnect (integration/networking/
// etchosts_test.go), reproduced from the setup described in test/fixtures/moby/README.md:
//   network test-etchdbr (bridge, 192.168.123.0/24 gw .1, fde6:be58:aedf::/64 gw ::1),
//   network test-etchdipv (ipvlan, 192.168.124.0/24 gw .1, fdd2:c4e3:c4d5::/64 gw ::1),
//   docker run --name c1 --hostname c1.invalid --network test-etchdbr
//     --add-host otherhost.invalid:192.0.2.3 --add-host otherhost.invalid:2001:db8::1234
// The container is the first on each network, so IPAM gives it the first address after the gateway
// (.2 and ::2) every time it (re)connects.
// Each golden is checked two ways: replaying the daemon's file edits step by step (build at start,
// etchosts.Add on each connect, etchosts.Delete on each disconnect), and rendering the file afresh
// from the endpoints still attached, in join order. Both must equal the golden.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type HostsRecord,
  containerHosts,
  endpointHostsRecords,
  extraHostRecords,
  hostnameRecordNames,
  hostsAfterJoin,
  hostsAfterLeave,
} from '../src/render/hosts/index.ts';
import { goldenNames, readGolden } from './support/moby.ts';

const goldenFiles = goldenNames('etchosts');

const names = hostnameRecordNames('c1.invalid');
const extraHosts: HostsRecord[] = [
  ...extraHostRecords('otherhost.invalid', '192.0.2.3'),
  ...extraHostRecords('otherhost.invalid', '2001:db8::1234'),
];
const bridge = endpointHostsRecords(names, { network: 'test-etchdbr', ipv4: '192.168.123.2', ipv6: 'fde6:be58:aedf::2' });
const ipvlan = endpointHostsRecords(names, { network: 'test-etchdipv', ipv4: '192.168.124.2', ipv6: 'fdd2:c4e3:c4d5::2' });

type Step = { golden: string; op: 'connect' | 'disconnect'; ep: HostsRecord[]; attached: HostsRecord[][] };
const steps: Step[] = [
  { golden: 'TestEtcHostsDisconnect1.golden', op: 'connect', ep: ipvlan, attached: [bridge, ipvlan] },
  { golden: 'TestEtcHostsDisconnect2.golden', op: 'disconnect', ep: bridge, attached: [ipvlan] },
  { golden: 'TestEtcHostsDisconnect3.golden', op: 'connect', ep: bridge, attached: [ipvlan, bridge] },
  { golden: 'TestEtcHostsDisconnect4.golden', op: 'disconnect', ep: bridge, attached: [ipvlan] },
  { golden: 'TestEtcHostsDisconnect5.golden', op: 'disconnect', ep: ipvlan, attached: [] },
];

let matched = 0;

test('the 5 goldens are there', () => {
  assert.equal(goldenFiles, steps.map((s) => s.golden), 'expected exactly the 5 TestEtcHostsDisconnect goldens in test/fixtures/moby/etchosts');
});

// docker run: the file is built when the netns is set up (no endpoint yet), then the bridge joins;
// then each step's connect or disconnect edits the file in place.
const replayed: string[] = [];
let live = hostsAfterJoin(containerHosts({ ipv6Enabled: true, extraHosts, own: [], links: [] }), bridge, true);
for (const step of steps) {
  live = step.op === 'connect' ? hostsAfterJoin(live, step.ep, true) : hostsAfterLeave(live, step.ep);
  replayed.push(live);
}

steps.forEach((step, i) => {
  test(`TestEtcHostsDisconnect: ${step.golden}`, () => {
    const expected = readGolden('etchosts', step.golden);
    const fresh = containerHosts({ ipv6Enabled: true, extraHosts, own: step.attached.flat(), links: [] });
    assert.fixture(replayed[i]!, expected, `${step.golden} (replayed edits)`);
    assert.fixture(fresh, expected, `${step.golden} (rendered afresh)`);
    matched++;
  });
});

test('every golden is reproduced', () => {
  console.log(`\n${matched}/${steps.length} hosts goldens`);
  assert.is(matched, steps.length);
});

test.run();
