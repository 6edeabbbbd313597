// The nftables applier's planning on its own (no kernel): live listings are made up here as nft prints
// them (counter values, nft 1.0.6's numeric priority or newer nft's names, elements wrapped over lines)
// from the fixtures' builds, and the plan must find an unchanged table unchanged, mark a table changed
// by hand as drift, replace only what differs in one `nft -f` input that names no other table, and roll
// back in the kernel's order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FirewallPlan, LiveFirewall } from '../../src/apply/firewall/applier.ts';
import { nftablesApplier, rollbackInput, type NftablesApplied } from '../../src/apply/firewall/nftables/index.ts';
import { lineDiff } from '../../src/apply/firewall/nftables/plan-tables.ts';
import { parseListing, sameListing, splitRead } from '../../src/apply/firewall/nftables/listing.ts';
import type { NftablesRules } from '../../src/firewall/backend.ts';
import { overlayEncryptionTable } from '../../src/firewall/nftables/overlay-table.ts';
import { listTable, type NftDialect } from '../../src/firewall/nftables/text/index.ts';
import { desiredOf } from './support.ts';

const target = { host: 'local', hostNetns: 'h', prefix: 'p-' };
const rulesOf = (v: string) => desiredOf(v, target).firewall as NftablesRules;
const v1 = rulesOf('nft-v1');
const v2 = rulesOf('nft-v2');
const context = { forwardingWasOn: { 4: false, 6: false } } as const;

const name = (t: NftablesRules['tables'][number]) => `${t.family === 4 ? 'ip' : 'ip6'} ${t.name}`;

/** The read's output for a host that has these tables, as `nft list table` prints them. */
function readOf(rules: NftablesRules | undefined, dialect: NftDialect = 'nft-1.0.6', edit: (listing: string) => string = (l) => l): LiveFirewall {
  const text = (rules?.tables ?? []).map((t) => `@@netform-nft-table ${name(t)}\n${edit(listTable(t, { counters: true, dialect }))}`).join('');
  return { backend: 'nftables', text: { nft: text } };
}

const plan = (desired: NftablesRules | undefined, live: LiveFirewall, last?: unknown): FirewallPlan => nftablesApplier.plan(desired, live, last, context);
const applied = (rules: NftablesRules): NftablesApplied => plan(rules, readOf(undefined)).after as NftablesApplied;

test('an unchanged table is no change, whatever nft prints of counters, priorities and element lines', () => {
  for (const dialect of ['nft-1.0.6', 'current'] as const) {
    const p = plan(v1, readOf(v1, dialect), applied(v1));
    assert.equal(p.changes, [], dialect);
    assert.equal(p.transactions, [], dialect);
  }
  assert.match(listTable(v1.tables[0]!, { counters: true, dialect: 'current' }), /type nat hook output priority dstnat;/, 'newer nft names the priority');
  const busy = readOf(v1, 'nft-1.0.6', (l) => l.replace(/counter packets 0 bytes 0/g, 'counter packets 12 bytes 840'));
  assert.equal(plan(v1, busy, applied(v1)).changes, [], 'counter values decide nothing');
  assert.is(nftablesApplier.fingerprint(busy), nftablesApplier.fingerprint(readOf(v1)), 'nor the fingerprint');
  const oneLine = readOf(v1, 'nft-1.0.6', (l) => l.replace(/,\n\t+ +/g, ', ').replace(/(elements = \{ )("docker0" : [^,]+), ([^}]+) \}/g, '$1$3, $2 }'));
  assert.not.equal(oneLine.text['nft'], readOf(v1).text['nft']);
  assert.equal(plan(v1, oneLine, applied(v1)).changes, [], 'element order and line breaks decide nothing');
  const anon = (order: string) => parseListing(`table ip t {\n\tchain c {\n\t\tiifname != { ${order} } counter packets 1 bytes 2 drop\n\t}\n}\n`);
  assert.ok(sameListing(anon('"br-a", "eth0"'), anon('"eth0", "br-a"')), 'nor the order of a rule\'s anonymous set');
  assert.not.ok(sameListing(anon('"br-a", "eth0"'), anon('"eth0", "br-b"')));
  assert.ok(parseListing('# Warning: table ip docker-bridges is managed by someone\n' + listTable(v1.tables[0]!, { counters: false, dialect: 'current' })), 'a # line is skipped');
});

test('docker-overlay: a set of VNIs listed over several lines is the table the build wants', () => {
  const overlay = overlayEncryptionTable({ family: 4, dataPathPort: 4789, vnis: [4097, 4098, 5000, 6000, 7000, 8000].map((vni) => ({ vni })) } as never)!;
  const rules: NftablesRules = { ...v1, tables: [...v1.tables, overlay] };
  assert.match(listTable(overlay, { counters: true, dialect: 'nft-1.0.6' }), /0x1b58,\n\t+ +0x1f40 \}/, 'the elements wrap');
  const p = plan(rules, readOf(rules), applied(rules));
  assert.equal([p.changes, p.transactions], [[], []]);
  const fewer = plan({ ...rules, tables: [...v1.tables, overlayEncryptionTable({ family: 4, dataPathPort: 4789, vnis: [{ vni: 4097 }] } as never)!] }, readOf(rules), applied(rules));
  assert.equal(fewer.changes.map((c) => [c.label, c.removed.length, c.added]), [['set ip docker-overlay encrypted-vnis', 5, []]]);
});

test('a first apply creates both tables in one nft -f that names no other table', () => {
  const p = plan(v1, readOf(undefined));
  assert.equal(p.transactions.length, 1);
  const t = p.transactions[0]!;
  assert.is(t.tool, 'nft-load');
  assert.equal(t.tables, ['ip docker-bridges', 'ip6 docker-bridges']);
  assert.equal([...t.input.matchAll(/^(?:table|delete table|add \S+) (\S+ \S+)/gm)].map((m) => m[1]), ['ip docker-bridges', 'ip docker-bridges', 'ip docker-bridges', 'ip6 docker-bridges', 'ip6 docker-bridges', 'ip6 docker-bridges']);
  assert.not.match(t.input, /flush/);
  assert.equal(p.changes.filter((c) => c.kind === 'table').map((c) => `${c.action} ${c.label}`), ['create table ip docker-bridges', 'create table ip6 docker-bridges']);
  assert.ok(p.changes.every((c) => !c.drift), 'nothing is drift on a first apply');
});

test('a drifted table is marked as drift and replaced whole; the other table is left alone', () => {
  const last = applied(v1);
  const live = readOf(v1, 'nft-1.0.6', (l) => (l.startsWith('table ip ') ? l.replace('\t\toifname vmap @filter-forward-in-jumps\n', '\t\tip saddr 192.0.2.9 drop\n\t\toifname vmap @filter-forward-in-jumps\n') : l));
  const p = plan(v1, live, last);
  assert.equal(p.changes.map((c) => [c.label, c.action, c.drift, c.removed, c.added]), [['chain ip docker-bridges filter-FORWARD', 'update', true, ['ip saddr 192.0.2.9 drop'], []]]);
  assert.equal(p.transactions.map((t) => t.tables), [['ip docker-bridges']]);
  assert.match(p.transactions[0]!.input, /^table ip docker-bridges\ndelete table ip docker-bridges\ntable ip docker-bridges \{\n/);
  // The same listing without a last apply to compare with is a change, not drift; the plan says whose table it took.
  const first = plan(v1, live, undefined);
  assert.equal(first.changes.map((c) => c.drift), [false]);
  assert.equal(first.notes.map((n) => n.split(' was on the host')[0]), ['ip docker-bridges', 'ip6 docker-bridges']);
  assert.equal(p.notes, []);
});

test('a table deleted by hand is made again, marked as drift', () => {
  const live = readOf({ ...v1, tables: v1.tables.filter((t) => t.family === 4) });
  const p = plan(v1, live, applied(v1));
  const table = p.changes.find((c) => c.kind === 'table')!;
  assert.equal([table.label, table.action, table.drift, table.note], ['table ip6 docker-bridges', 'create', true, 'deleted outside netform']);
  assert.equal(p.transactions.map((t) => t.tables), [['ip6 docker-bridges']]);
});

test('one more container changes only the chains its port and address are in', () => {
  const p = plan(v2, readOf(v1), applied(v1));
  const labels = p.changes.map((c) => `${c.action} ${c.label.replace(/__br-[0-9a-f]{12}$/, '__br-front')}`).sort();
  assert.equal(labels, ['update chain ip docker-bridges filter-forward-in__br-front', 'update chain ip docker-bridges nat-postrouting-in__br-front', 'update chain ip docker-bridges nat-prerouting-and-output', 'update chain ip docker-bridges raw-PREROUTING']);
  const dnat = p.changes.find((c) => c.label.endsWith('nat-prerouting-and-output'))!;
  assert.equal([dnat.removed, dnat.added], [[], ['tcp dport 8081 counter dnat to 10.61.1.4:80 comment "DNAT"']]);
  assert.equal(p.transactions.map((t) => t.tables), [['ip docker-bridges']]);
  assert.ok(sameListing((p.after as NftablesApplied).tables['ip docker-bridges'], parseListing(listTable(v2.tables[0]!, { counters: false, dialect: 'current' }))));
});

test('destroy deletes Docker\'s tables and nothing else', () => {
  const p = plan(undefined, readOf(v1), applied(v1));
  assert.equal(p.transactions.map((t) => t.input), ['table ip docker-bridges\ndelete table ip docker-bridges\ntable ip6 docker-bridges\ndelete table ip6 docker-bridges\n']);
  assert.equal((p.after as NftablesApplied).tables, {});
  assert.equal(p.changes.filter((c) => c.kind === 'table').map((c) => `${c.action} ${c.label}`), ['delete table ip docker-bridges', 'delete table ip6 docker-bridges']);
});

test('the read keeps only netform\'s tables, in the kernel\'s order', () => {
  const text = '@@netform-nft-table ip6 docker-bridges\ntable ip6 docker-bridges {\n}\n@@netform-nft-table ip filter\ntable ip filter {\n}\n@@netform-nft-table ip docker-bridges\n# Warning: x\ntable ip docker-bridges {\n}\n';
  const r = splitRead(text);
  assert.equal([...r.keys()], ['ip6 docker-bridges', 'ip docker-bridges']);
  assert.is(r.get('ip docker-bridges'), 'table ip docker-bridges {\n}\n');
});

test('rollback: nothing when the transaction changed nothing; else the tables as they were, in their order', () => {
  const a = 'table ip docker-bridges {\n\tchain c {\n\t\tcounter packets 3 bytes 9 accept\n\t}\n}\n';
  const a2 = 'table ip docker-bridges {\n\tchain d {\n\t}\n}\n';
  const b = 'table ip6 docker-bridges {\n\tchain c {\n\t\tcounter packets 5 bytes 7 accept\n\t}\n}\n';
  const b2 = b.replace('packets 5 bytes 7', 'packets 6 bytes 8');
  const was = new Map([['ip docker-bridges', a], ['ip6 docker-bridges', b]]);
  assert.is(rollbackInput(was, new Map([['ip docker-bridges', a.replace('3 bytes 9', '4 bytes 10')], ['ip6 docker-bridges', b]]), ['ip docker-bridges']), '', 'refused: nothing to do');
  const now = new Map([['ip6 docker-bridges', b2], ['ip docker-bridges', a2]]);
  assert.is(rollbackInput(was, now, ['ip docker-bridges']), `table ip docker-bridges\ndelete table ip docker-bridges\n${a}table ip6 docker-bridges\ndelete table ip6 docker-bridges\n${b2}`);
  assert.is(rollbackInput(new Map(), new Map([['ip docker-overlay', a2]]), ['ip docker-overlay']), 'table ip docker-overlay\ndelete table ip docker-overlay\n', 'a table that was not there goes');
});

test('after an apply on the iptables backend, the iptables rules are read to be removed', () => {
  const ipt = { backend: 'iptables', owned: { '4': {} }, preexisting: {}, userChainCreated: {}, policyBefore: {} };
  assert.equal(Object.keys(nftablesApplier.readCommands(v1, ipt)).sort(), ['4', 'nft']);
  assert.equal(Object.keys(nftablesApplier.readCommands(v1, applied(v1))), ['nft']);
});

test('rule lines are diffed in order; very long chains as multisets', () => {
  assert.equal(lineDiff(['a', 'b', 'c'], ['a', 'c', 'd']), { removed: ['b'], added: ['d'] });
  assert.equal(lineDiff(['a', 'b'], ['b', 'a']), { removed: ['b'], added: ['b'] }, 'a reorder shows as the line that moved');
  const long = Array.from({ length: 3000 }, (_, i) => `rule ${i}`);
  assert.equal(lineDiff(long, [...long.slice(1), 'rule x']), { removed: ['rule 0'], added: ['rule x'] });
});

test.run();
