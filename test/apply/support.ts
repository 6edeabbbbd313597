// What the apply tests share: the fixtures' builds, the foreign firewall state other tools leave on a
// host (a real ufw ruleset, kube-proxy, fail2ban, a user rule in DOCKER-USER), and a judge of "foreign
// part byte-identical" written independently of src/apply: iptables-save without netform's chains and
// without the rules the build puts in built-in chains (as the measured facts' foreign.sh does).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../../src/compile.ts';
import { desiredFromBuild } from '../../src/apply/index.ts';
import type { Desired, Target } from '../../src/apply/index.ts';
import { renderIptablesRestore } from '../../src/firewall/iptables/text/index.ts';
import type { IptablesRules } from '../../src/firewall/backend.ts';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'apply');
export const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

/** The desired state of a fixture version for a target. */
export function desiredOf(version: string, target: Target): Desired {
  const file = path.join(FIXTURES, `${version}.yaml`);
  const r = compile({ file, text: readFileSync(file, 'utf8') }, undefined, { files: false });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${file}: ${errors.map((d) => d.message).join('; ')}`);
  return desiredFromBuild(r, target);
}

export interface Runner {
  /** Runs a command in the host namespace; throws on failure. */
  check(cmd: string, args?: readonly string[], input?: string): string;
}

const USER_RULE = '*filter\n:DOCKER-USER - [0:0]\n-A DOCKER-USER -s 198.51.100.0/24 -j DROP\nCOMMIT\n';

/** Loads every other tool's state into the host namespace, as each tool would. */
export function loadForeign(ns: Runner): void {
  ns.check('iptables-restore', [], fixture('ufw-0.36.2.rules'));
  ns.check('ip6tables-restore', [], fixture('ufw-0.36.2.rules6'));
  ns.check('iptables-restore', ['--noflush', '--counters'], fixture('kube-proxy.rules'));
  kubeProxySync(ns);
  ns.check('iptables-restore', ['--noflush'], fixture('fail2ban.rules'));
  ns.check('iptables-restore', ['--noflush'], USER_RULE);
}

/** One kube-proxy sync of its jump rules: `iptables -C ... || iptables -I ...` (EnsureRule, Prepend). */
export function kubeProxySync(ns: Runner): void {
  const script = fixture('kube-proxy-jumps.txt')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [table, chain, ...rest] = l.split(' ');
      const args = rest.join(' ');
      return `iptables -w -t ${table} -C ${chain} ${args} 2>/dev/null || iptables -w -t ${table} -I ${chain} ${args}`;
    })
    .join('\n');
  ns.check('sh', ['-ec', script]);
}

/** iptables-save / ip6tables-save without '#' lines and with counters zeroed. */
export const saved = (ns: Runner, family: 4 | 6): string =>
  ns
    .check(family === 4 ? 'iptables-save' : 'ip6tables-save')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/^\[\d+:\d+\] /, '').replace(/^(:\S+ \S+) \[\d+:\d+\]$/, '$1 [0:0]'))
    .join('\n');

/** The lines a build puts in built-in chains (`-A FORWARD -j DOCKER-USER`, MASQUERADE, raw drops), per table. */
export function builtinLines(desired: Desired | undefined, family: 4 | 6): Set<string> {
  const out = new Set<string>();
  const rs = desired && (desired.firewall as IptablesRules)[family === 4 ? 'v4' : 'v6'];
  if (!rs) return out;
  let table = '';
  for (const l of renderIptablesRestore(rs).split('\n')) {
    if (l.startsWith('*')) table = l;
    else if (/^-A (PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) /.test(l)) out.add(`${table} ${l}`);
  }
  return out;
}

const ownedChain = (name: string) => /^(DOCKER(-|$)|NETFORM-)/.test(name) && name !== 'DOCKER-USER';

/**
 * The foreign part of a saved ruleset: everything but netform's chains (DOCKER-USER and its rules
 * are the user's), the lines the given builds put in built-in chains, and tables left with nothing but
 * empty built-in chains of policy ACCEPT (an apply may make a table; destroy's full comparison checks
 * that it goes again).
 */
export function foreignPart(text: string, builds: readonly (Desired | undefined)[], family: 4 | 6): string {
  const ours = new Set(builds.flatMap((d) => [...builtinLines(d, family)]));
  // An empty DOCKER-USER is the one dockerd (and netform) makes when it is missing; with rules in it, it is the user's.
  const userRules = /^-A DOCKER-USER /m.test(text);
  const out: string[] = [];
  let block: string[] = [];
  let table = '';
  for (const l of text.split('\n')) {
    if (l.startsWith('*')) {
      table = l;
      block = [l];
      continue;
    }
    if (l === 'COMMIT') {
      if (block.slice(1).some((x) => !/^:\S+ ACCEPT \[0:0\]$/.test(x))) out.push(...block, l);
      block = [];
      continue;
    }
    const chain = /^:(\S+) /.exec(l)?.[1] ?? /^-A (\S+) /.exec(l)?.[1];
    if (chain && ownedChain(chain)) continue;
    if (l.startsWith(':DOCKER-USER ') && !userRules) continue;
    if (l.startsWith('-A ') && ours.has(`${table} ${l}`)) continue;
    if (table) block.push(l);
    else out.push(l);
  }
  return out.join('\n');
}
