// The kernel state of a host and of the namespaces netform made for it, as comparable text, read with
// the kernel's own tools: per namespace its links (kind, MTU, MAC, master, state, the VXLAN device's
// id/local/port/flags), addresses, routes, static FDB entries, permanent neighbours and iptables
// rules. Namespace names lose their prefix (`<prefix>web` -> `web`), so that two hosts with different
// prefixes compare. `randomMacs` drops the MACs the kernel picks (veths' other ends, vxlan0, and the
// bridge's own entries for them), where two separate runs cannot agree.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { check, tool } from '../e2e/harness/exec.ts';
import { netnsWithPrefix } from '../e2e/harness/namespaces.ts';

interface IpLink {
  ifname: string;
  mtu: number;
  address?: string;
  flags?: string[];
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; local?: string; port?: number; learning?: boolean; proxy?: boolean; l2miss?: boolean; l3miss?: boolean }; info_slave_data?: { hairpin?: boolean } };
  addr_info?: { local: string; prefixlen: number; scope: string; broadcast?: string }[];
}

const ipJson = <T>(args: readonly string[]): T => JSON.parse(check(tool('ip'), [...args]) || '[]') as T;

/** `veth…` host ends, vxlan0 and vx-… devices: MACs the kernel chose. */
const kernelMac = (name: string) => /^(veth|vxlan0$|vx-)/.test(name);

function links(nsArgs: readonly string[], randomMacs: boolean): string[] {
  const addrs = new Map(ipJson<IpLink[]>([...nsArgs, '-j', 'addr', 'show']).map((a) => [a.ifname, a] as const));
  return ipJson<IpLink[]>([...nsArgs, '-j', '-d', 'link', 'show'])
    .map((l) => {
      const name = l.ifname.replace(/@.*/, '');
      const d = l.linkinfo?.info_data;
      const vx = l.linkinfo?.info_kind === 'vxlan' && d ? `vxlan id ${d.id} local ${d.local ?? '-'} dstport ${d.port} ${['learning', 'proxy', 'l2miss', 'l3miss'].filter((f) => d[f as keyof typeof d]).join(',')}` : '';
      const a = (addrs.get(l.ifname)?.addr_info ?? []).filter((x) => x.scope !== 'link').map((x) => `${x.local}/${x.prefixlen}${x.broadcast ? ` brd ${x.broadcast}` : ''}`);
      const mac = randomMacs && kernelMac(name) ? '*' : (l.address ?? '-');
      return [name, l.linkinfo?.info_kind ?? '-', l.mtu, mac, l.master ?? '-', (l.flags ?? []).includes('UP') ? 'up' : 'down', l.linkinfo?.info_slave_data?.hairpin ? 'hairpin' : '-', vx, ...a].join(' ').trim();
    })
    .sort();
}

const lines = (text: string) => text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean);

function routes(nsArgs: readonly string[]): string[] {
  return [...lines(check(tool('ip'), [...nsArgs, 'route', 'show'])), ...lines(check(tool('ip'), [...nsArgs, '-6', 'route', 'show'])).filter((l) => !l.startsWith('fe80'))].sort();
}

/**
 * Permanent FDB entries: those netform writes (with a dst) and the bridges' own; those learned from
 * traffic come and go with it. Kernel-chosen MACs masked when asked.
 */
function fdb(ns: string, macs: ReadonlySet<string>): string[] {
  return lines(check(tool('bridge'), ['-n', ns, 'fdb', 'show']))
    .filter((l) => / permanent\b/.test(l))
    .map((l) => l.replace(/ link-netnsid \d+/, '').replace(/^(\S+)/, (m) => (macs.has(m) ? '*' : m)))
    .sort();
}

/** iptables-save without comments and counters. */
const rules = (ns: string) => lines(check(tool('ip'), ['netns', 'exec', ns, 'iptables-save'])).filter((l) => !l.startsWith('#')).map((l) => l.replace(/ \[\d+:\d+\]$/, ''));

export type NetnsState = Record<string, string[]>;

/**
 * Every namespace of `prefix` (name without it -> its state) and, under `host`, the host namespace's
 * links, addresses and routes, with the host's /etc/netns files for the prefix (unless `files` is false).
 */
export function netnsState(hostNs: string, prefix: string, opts: { randomMacs?: boolean; files?: boolean } = {}): NetnsState {
  const out: NetnsState = {};
  const strip = (s: string) => s.split(prefix).join('');
  for (const ns of netnsWithPrefix(prefix).sort()) {
    const nsArgs = ['-n', ns];
    const raw = ipJson<IpLink[]>([...nsArgs, '-j', 'link', 'show']);
    const chosen = opts.randomMacs ? raw.filter((l) => kernelMac(l.ifname.replace(/@.*/, ''))).map((l) => l.address ?? '') : [];
    // IPv6 solicited-node multicast entries follow those MACs (33:33:ff + their last three bytes).
    const random = new Set([...chosen, ...chosen.map((m) => `33:33:ff:${m.slice(9)}`)]);
    out[strip(ns)] = [
      ...links(nsArgs, !!opts.randomMacs).map((l) => `link ${l}`),
      ...routes(nsArgs).map((l) => `route ${l}`),
      ...lines(check(tool('ip'), [...nsArgs, 'neigh', 'show', 'nud', 'permanent'])).map((l) => `neigh ${l}`).sort(),
      ...fdb(ns, random).map((l) => `fdb ${l}`),
      ...rules(ns).map((l) => `rules ${l}`),
    ].map(strip);
  }
  const hostArgs = ['-n', hostNs];
  const etc: string[] = [];
  for (const d of opts.files === false ? [] : readdirSync('/etc/netns').filter((n) => n.startsWith(prefix)).sort()) {
    for (const f of readdirSync(path.join('/etc/netns', d)).sort()) etc.push(`${strip(d)}/${f}: ${readFileSync(path.join('/etc/netns', d, f), 'utf8')}`);
  }
  out['(host)'] = [...links(hostArgs, !!opts.randomMacs).map((l) => `link ${l}`), ...routes(hostArgs).map((l) => `route ${l}`), ...etc];
  return out;
}
