// What teardown must give back: the host namespace's links, addresses and routes, and its firewall.
// Snapshots drop what changes on its own (counters, DAD's "tentative" flag) and how `ip` names a
// peer's namespace (by name, or by id when another process is creating a namespace meanwhile).
import { check, checkIn, tool } from './exec.ts';

export interface HostState {
  readonly links: string;
  readonly addresses: string;
  readonly routes: string;
}

const lines = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');

export function hostState(ns: string): HostState {
  // `ip -n` enters the namespace itself: one process instead of `ip netns exec` starting a second `ip`.
  const ip = (...args: string[]): string => check(tool('ip'), ['-n', ns, ...args]);
  return {
    links: lines(ip('-o', 'link', 'show').replace(/ link-netns(id)? \S+/g, ' link-netns *')),
    addresses: lines(ip('-o', 'addr', 'show').replace(/ tentative\b/g, '')),
    routes: lines(`${ip('route', 'show')}\n${ip('-6', 'route', 'show')}`),
  };
}

/** Lines only in `before` (-) or only in `after` (+), per aspect; empty when equal. */
export function stateDiff(before: HostState, after: HostState): string[] {
  const out: string[] = [];
  for (const k of ['links', 'addresses', 'routes'] as const) {
    const a = new Set(before[k].split('\n'));
    const b = new Set(after[k].split('\n'));
    for (const l of a) if (!b.has(l)) out.push(`${k} - ${l}`);
    for (const l of b) if (!a.has(l)) out.push(`${k} + ${l}`);
  }
  return out;
}

/**
 * A host firewall that was there before netform's rules: rules in every table netform writes, and
 * in one it does not (mangle), so that restoring the saved copy afterwards has something to restore.
 */
export function baselineRuleset(): string {
  return [
    '*raw',
    ':PREROUTING ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    '-A PREROUTING -p udp -m udp --dport 9 -j CT --notrack',
    'COMMIT',
    '*mangle',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':HOST-MANGLE - [0:0]',
    'COMMIT',
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':HOST-INPUT - [0:0]',
    '-A INPUT -j HOST-INPUT',
    '-A HOST-INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
    'COMMIT',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':HOST-NAT - [0:0]',
    '-A POSTROUTING -j HOST-NAT',
    'COMMIT',
    '',
  ].join('\n');
}

const saveTool = (family: 4 | 6) => (family === 4 ? 'iptables-save' : 'ip6tables-save');
export const restoreTool = (family: 4 | 6) => (family === 4 ? 'iptables-restore' : 'ip6tables-restore');

/** iptables-save / ip6tables-save without comments and with counters zeroed. */
export function savedRules(ns: string, family: 4 | 6): string {
  return checkIn(ns, saveTool(family))
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]$/, '[0:0]'))
    .join('\n');
}
