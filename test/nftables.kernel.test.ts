// The kernel as the judge of the nftables backend's text, in scratch namespaces (test/support/netns.ts):
//   - each of moby's 66 nftabler goldens, as netform writes it for `nft -f`, loads with this machine's
//     nft and lists back (`nft list table`) as the golden, once `priority -100` on the nat output hook
//     is read as the `dstnat` that newer nft prints (moby's own harness makes the same substitution);
//   - loading the file twice gives what loading it once gives, and nothing outside Docker's tables
//     changes: an iptables ruleset and another nft table loaded before are listed back unchanged;
//   - the docker-overlay table of an encrypted overlay loads and lists back as written.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildFirewall } from '../src/firewall/index.ts';
import type { FirewallInput } from '../src/firewall/input.ts';
import { listTable, replaceTable } from '../src/firewall/nftables/text/index.ts';
import type { NftTable } from '../src/firewall/nftables/types.ts';
import { netnsUnavailable, withNetns, type Netns } from './support/netns.ts';
import { testOrSkip } from './support/skip.ts';
import { NFT_GOLDENS, nftGoldenFiles, nftGoldenInput, nftGoldenParams } from './support/nft-goldens.ts';

const nftTables = (input: FirewallInput): readonly NftTable[] => {
  const rules = buildFirewall(input, 'nftables');
  if (rules.backend !== 'nftables') throw new Error('expected nftables rules');
  return rules.tables;
};

const familyWord = (t: NftTable): string => (t.family === 4 ? 'ip' : 'ip6');

/** What this nft lists for the golden's table, with the output hook's priority as newer nft names it. */
const listed = (ns: Netns, t: NftTable, stateless = false): string =>
  ns
    .check('nft', [...(stateless ? ['-s'] : []), 'list', 'table', familyWord(t), t.name])
    .replace('type nat hook output priority -100;', 'type nat hook output priority dstnat;');

const why = netnsUnavailable(['nft', 'iptables-restore', 'iptables-save']);
testOrSkip(why, 'nftables kernel: every golden, written for nft -f, loads and lists back as moby\'s golden', async () => {
  const files = nftGoldenFiles();
  assert.is(files.length, 66);
  // One table per golden, each renamed golden-<i> so that all load in one transaction and list at once.
  const rename = (text: string, i: number): string => text.replace(/^(table|delete table) (ip6?) docker-bridges\b/gm, `$1 $2 golden-${i}`);
  const tables = files.map((file) => {
    const p = nftGoldenParams(file)[0]!;
    return nftTables(nftGoldenInput(p)).find((t) => t.family === p.family && t.name === 'docker-bridges')!;
  });
  await withNetns((ns) => {
    ns.check('nft', ['-f', '-'], tables.map((t, i) => rename(replaceTable(t), i)).join(''));
    const listing = ns.check('nft', ['list', 'ruleset']).replaceAll('type nat hook output priority -100;', 'type nat hook output priority dstnat;');
    let loaded = 0;
    files.forEach((file, i) => {
      const expected = rename(readFileSync(path.join(NFT_GOLDENS, file), 'utf8'), i);
      assert.ok(listing.includes(expected), `${file}: the kernel lists\n${listing.slice(listing.indexOf(expected.split('\n')[0]!)).split('\n}\n')[0]}`);
      loaded++;
    });
    console.log(`${loaded}/66 nftables goldens load in this kernel and list back as moby's`);
  });
});

testOrSkip(why, 'nftables kernel: loading nftables.rules twice is loading it once; nothing outside its tables changes', async () => {
  const p = nftGoldenParams('hairpin=true,internal=false,icc=false,masq=true,snat=false,gwm=nat,bindlh=true__ip.golden')[0]!;
  const tables = nftTables(nftGoldenInput(p));
  const file = tables.map(replaceTable).join('');
  const foreignNft = 'table inet host-fw {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\ttcp dport 22 accept\n\t}\n}\n';
  const foreignIpt = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:HOST-IN - [0:0]\n-A INPUT -j HOST-IN\n-A HOST-IN -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n';
  await withNetns((ns) => {
    ns.check('iptables-restore', [], foreignIpt);
    ns.check('nft', ['-f', '-'], foreignNft);
    const iptBefore = ns.check('iptables-save', ['-t', 'filter']).replace(/^#.*\n/gm, '');
    const foreignBefore = ns.check('nft', ['list', 'table', 'inet', 'host-fw']);
    ns.check('nft', ['-f', '-'], file);
    const once = tables.map((t) => listed(ns, t, true));
    ns.check('nft', ['-f', '-'], file);
    assert.equal(tables.map((t) => listed(ns, t, true)), once, 'a second load changed the tables');
    for (const t of tables) {
      const body = listTable(t, { counters: false, dialect: 'nft-1.0.6' }).replace('type nat hook output priority -100;', 'type nat hook output priority dstnat;');
      assert.fixture(listed(ns, t, true), body, `${familyWord(t)} ${t.name}`);
    }
    assert.fixture(ns.check('iptables-save', ['-t', 'filter']).replace(/^#.*\n/gm, ''), iptBefore, 'iptables changed');
    assert.fixture(ns.check('nft', ['list', 'table', 'inet', 'host-fw']), foreignBefore, 'another nft table changed');
  });
});

testOrSkip(why, 'nftables kernel: the docker-overlay table of encrypted overlays loads and lists back as written', async () => {
  const input: FirewallInput = {
    daemon: { iptables: false, ip6tables: false, hairpin: false, allowDirectRouting: false, userChain: false, forwardDrop: { 4: false, 6: false } },
    networks: [],
    endpoints: [],
    links: [],
    encryption: { family: 4, dataPathPort: 4789, vnis: [{ vni: 4097 }, { vni: 256 }, ...Array.from({ length: 9 }, (_, i) => ({ vni: 5000 + i * 3 }))] },
  };
  const tables = nftTables(input);
  assert.equal(tables.map((t) => `${familyWord(t)} ${t.name}`), ['ip docker-overlay']);
  await withNetns((ns) => {
    ns.check('nft', ['-f', '-'], tables.map(replaceTable).join(''));
    assert.fixture(ns.check('nft', ['-s', 'list', 'table', 'ip', 'docker-overlay']), listTable(tables[0]!, { counters: false, dialect: 'nft-1.0.6' }));
  });
});

test.run();
