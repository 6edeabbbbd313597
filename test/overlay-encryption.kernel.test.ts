// Encrypted overlays in a kernel, in scratch network namespaces only (nftest-xfrm-<pid>-<hex>): the xfrm
// policies, the states (ESP with rfc4106(gcm(aes))) and the iptables rules (-m bpf, -m policy) are
// loaded and read back, and the teardown removes them. What this kernel lacks (ESP or AES-GCM, the bpf
// or policy matches) is found out once, before the tests are registered, and those tests are skipped
// with the kernel's answer. The plan and its text are checked in test/overlay-encryption.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addEncryptionRules } from '../src/firewall/iptables/encryption-rules.ts';
import { RulesetBuilder } from '../src/firewall/iptables/ruleset-builder.ts';
import { renderIptablesRestore } from '../src/firewall/iptables/text/index.ts';
import type { IpFamily } from '../src/firewall/types.ts';
import { renderXfrmPolicies, renderXfrmStates, renderXfrmTeardown, stateAddLine } from '../src/render/xfrm/index.ts';
import { planXfrm, type UnderlayHost, type XfrmPlan } from '../src/topology/overlay/xfrm.ts';
import { testSecrets } from './support/examples.ts';
import { netnsUnavailable, withNetns, type Netns } from './support/netns.ts';
import { testOrSkip } from './support/skip.ts';

const host = (name: string, address: string): UnderlayHost => ({ name, address });
const A = host('a', '192.0.2.1');
const B = host('b', '192.0.2.2');
const C = host('c', '192.0.2.3');
const plan = (local: UnderlayHost, peers: UnderlayHost[], dataPathPort?: number): XfrmPlan =>
  planXfrm({ local, peers, keys: testSecrets(), ...(dataPathPort ? { dataPathPort } : {}) });
const planFor = (family: IpFamily): XfrmPlan =>
  family === 4 ? plan(A, [B, C]) : plan(host('a', '2001:db8::1'), [host('b', '2001:db8::2'), host('c', '2001:db8::3')], 7789);
/** iptables-save prints the bpf bytecode in quotes. */
const quoteBytecode = (text: string): string => text.replace(/--bytecode ([^"\n]+?) -j /g, '--bytecode "$1" -j ');

const netnsPrefix = `nftest-xfrm-${process.pid}`;
const why = netnsUnavailable(['iptables-restore', 'iptables-save', 'ip6tables-restore', 'ip6tables-save']);

/** The kernel's answers when it lacks ESP (CONFIG_INET_ESP) or the AEAD (CONFIG_CRYPTO_GCM): the line
 * was parsed by `ip` and refused by the kernel. */
const MISSING_KERNEL_SUPPORT = /Requested AEAD algorithm not found|Requested type not found|Protocol not supported/;

const batch = (ns: Netns, text: string, force = false) => ns.run('ip', [...(force ? ['-force'] : []), '-batch', '-'], text);

/** Whether SAs of this kind can be added here (probed once, in its own scratch namespace). */
async function probeStates(): Promise<string | undefined> {
  if (why) return why;
  const line = stateAddLine(plan(A, [B]).states[0]!, 'reveal');
  return withNetns((ns) => {
    const r = batch(ns, `${line}\n`);
    if (r.status === 0) return undefined;
    const err = r.stderr.trim();
    if (MISSING_KERNEL_SUPPORT.test(err)) return `the kernel refuses ESP/rfc4106(gcm(aes)) SAs ("${err}"): no CONFIG_INET_ESP or CONFIG_CRYPTO_GCM, and modules cannot be loaded`;
    throw new Error(`unexpected answer to xfrm state add: ${err}`);
  }, netnsPrefix);
}
const statesUnsupported = await probeStates();

/** The encryption rules of three VNIs, as iptables-restore input. */
const encryptionRules = (family: IpFamily): string => {
  const rs = new RulesetBuilder(family);
  addEncryptionRules(rs, [4096, 4097, 0xffffff], family === 4 ? 4789 : 7789);
  return quoteBytecode(renderIptablesRestore(rs.build()));
};

/** Whether the bpf and policy matches load here (iptables-restore --test, once per family). */
async function probeMatches(family: IpFamily): Promise<string | undefined> {
  if (why) return why;
  const tool = family === 4 ? 'iptables' : 'ip6tables';
  return withNetns((ns) => {
    const check = ns.run(`${tool}-restore`, ['--test'], encryptionRules(family));
    if (check.status === 0) return undefined;
    if (/bpf|policy/i.test(check.stderr) && /load|match|extension/i.test(check.stderr)) return `no bpf/policy match for ${tool}: ${check.stderr.trim()}`;
    return undefined; // another error: the test itself fails with it
  }, netnsPrefix);
}
const matchesMissing = { 4: await probeMatches(4), 6: await probeMatches(6) };

for (const family of [4, 6] as const) {
  testOrSkip(why, `kernel (IPv${family}): the policies load and read back; teardown removes them`, async () => {
    const p = planFor(family);
    await withNetns((ns) => {
      const r = batch(ns, renderXfrmPolicies(p));
      assert.is(r.status, 0, r.stderr);
      const shown = ns.check('ip', ['xfrm', 'policy', 'show']);
      for (const pol of p.policies) {
        assert.ok(shown.includes(`src ${pol.selector.src} dst ${pol.selector.dst} proto udp dport ${pol.selector.dport}`), shown);
        assert.ok(shown.includes(`proto esp spi 0x${pol.tmpl.spi.toString(16).padStart(8, '0')} reqid 13681891 mode transport`), shown);
      }
      assert.is(shown.match(/mark 0xd0c4e3\/0xffffffff/g)?.length, p.policies.length);
      // States may be refused (see below); the teardown must still parse and remove the policies.
      batch(ns, renderXfrmStates(p, 'reveal'), true);
      const down = batch(ns, renderXfrmTeardown(p), true);
      assert.not.match(down.stderr, /argument .* is wrong|Unknown|Usage|Not enough information/, down.stderr);
      assert.is(ns.check('ip', ['xfrm', 'policy', 'show']).trim(), '');
      assert.is(ns.check('ip', ['xfrm', 'state', 'show']).trim(), '');
    }, netnsPrefix);
  });

  testOrSkip(why, `kernel (IPv${family}): the redacted states cannot be applied`, async () => {
    await withNetns((ns) => {
      const r = batch(ns, renderXfrmStates(planFor(family), 'redact'));
      assert.is.not(r.status, 0);
      assert.match(r.stderr, /"0xREDACTED" is wrong/);
    }, netnsPrefix);
  });

  // Where the kernel refuses the SAs (the next test is then skipped), what can still be checked: `ip`
  // parses every line, and only the kernel refuses them, for the algorithm.
  if (statesUnsupported && !why) {
    test(`kernel (IPv${family}): every state line parses and only the missing algorithm is refused`, async () => {
      await withNetns((ns) => {
        for (const line of renderXfrmStates(planFor(family), 'reveal').split('\n').filter(Boolean)) {
          const r = batch(ns, `${line}\n`);
          assert.is.not(r.status, 0, 'the state loaded after all: the probe is wrong');
          assert.match(r.stderr, MISSING_KERNEL_SUPPORT, r.stderr);
        }
      }, netnsPrefix);
    });
  }

  testOrSkip(statesUnsupported, `kernel (IPv${family}): the states load and read back; teardown removes them`, async () => {
    const p = planFor(family);
    await withNetns((ns) => {
      const r = batch(ns, renderXfrmStates(p, 'reveal') + renderXfrmPolicies(p));
      assert.is(r.status, 0, r.stderr);
      const shown = ns.check('ip', ['xfrm', 'state', 'show']);
      for (const s of p.states) {
        assert.ok(shown.includes(`proto esp spi 0x${s.spi.toString(16).padStart(8, '0')} reqid 13681891 mode transport`), shown);
        assert.ok(shown.includes(`0x${s.aead.key.revealHex()} 64`), 'AEAD key and ICV length');
      }
      const down = batch(ns, renderXfrmTeardown(p));
      assert.is(down.status, 0, down.stderr);
      assert.is(ns.check('ip', ['xfrm', 'state', 'show']).trim(), '');
      assert.is(ns.check('ip', ['xfrm', 'policy', 'show']).trim(), '');
    }, netnsPrefix);
  });

  testOrSkip(matchesMissing[family], `kernel (IPv${family}): the iptables rules load (-m bpf, -m policy) and iptables-save prints them back`, async () => {
    const text = encryptionRules(family);
    const tool = family === 4 ? 'iptables' : 'ip6tables';
    await withNetns((ns) => {
      ns.check(`${tool}-restore`, [], text);
      const saved = ['mangle', 'filter'].map((t) => ns.check(`${tool}-save`, ['-t', t])).join('');
      const rules = (s: string) => s.split('\n').filter((l) => l.startsWith('-A '));
      assert.equal(rules(saved), rules(text));
      assert.ok(rules(saved).length === 6);
    }, netnsPrefix);
  });
}

test.run();
