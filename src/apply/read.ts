// Reading the live host, through a System. The host namespace is read in one go, one shell running
// every program there (ip's links with their addresses, the firewall's save commands, sysctls through
// the shell's own `read`): starting programs is what reading costs. Inside container namespaces netform
// reads only what it is asked to (plan --deep, or the namespaces an apply changes): entering a
// namespace costs a program start each, which for a hundred containers is most of a plan's time.
import { ApplyError } from './errors.ts';
import type { FirewallApplier } from './firewall/applier.ts';
import type { System } from './system.ts';
import type { DefaultRoute, Live, LiveInterior, LiveLink } from './types.ts';

/** A word that needs no quoting in netform's scripts (the names the build checked, /proc/sys paths). */
export function safeWord(w: string): string {
  if (!/^[A-Za-z0-9_.:/@+-]+$/.test(w)) throw new ApplyError(`netform: unsafe name ${JSON.stringify(w)}`);
  return w;
}

const MARK = '@@netform';

/** Splits the output of a script whose sections end with `\n@@netform NAME STATUS\n`. */
function sections(out: string): Map<string, { status: number; text: string }> {
  const map = new Map<string, { status: number; text: string }>();
  const re = new RegExp(`\\n${MARK} (\\S+) (\\d+)\\n`, 'g');
  let start = 0;
  for (let m = re.exec(out); m; m = re.exec(out)) {
    map.set(m[1]!, { status: Number(m[2]), text: out.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  return map;
}

const section = (name: string, cmd: string) => `${cmd}\nprintf '\\n${MARK} %s %s\\n' ${name} $?\n`;

interface IpLink {
  ifname: string;
  mtu: number;
  address?: string;
  flags?: string[];
  master?: string;
  link_netnsid?: number;
  linkinfo?: { info_kind?: string; info_slave_kind?: string; info_slave_data?: { hairpin?: boolean } };
}
interface IpAddr {
  ifname: string;
  mtu?: number;
  address?: string;
  flags?: string[];
  addr_info?: { family: string; local: string; prefixlen: number; scope: string }[];
}

const globalAddresses = (a: IpAddr | undefined): string[] =>
  (a?.addr_info ?? []).filter((x) => x.scope === 'global').map((x) => `${x.local}/${x.prefixlen}`);

/**
 * A host link's addresses: the global ones and the IPv6 link-local ones, since a bridge may be meant to
 * carry fe80::1/64 (BridgeDevice.linkLocalAddress). The kernel's own link-local address is among them;
 * the planner never removes a link-local address it did not ask for.
 */
const hostLinkAddresses = (a: IpAddr): string[] =>
  (a.addr_info ?? []).filter((x) => x.scope === 'global' || (x.family === 'inet6' && x.scope === 'link')).map((x) => `${x.local}/${x.prefixlen}`);

function parseJson<T>(what: string, text: string): T {
  try {
    return JSON.parse(text.trim() || '[]') as T;
  } catch (e) {
    throw new ApplyError(`netform: cannot read the output of ${what}: ${(e as Error).message}`);
  }
}

/** The host's links from `ip -j -d addr show`: each link's details and its addresses in one listing. */
function hostLinks(text: string): Record<string, LiveLink> {
  const out: Record<string, LiveLink> = {};
  for (const l of parseJson<(IpLink & IpAddr)[]>('ip -j -d addr show', text)) {
    const name = l.ifname.replace(/@.*$/, '');
    const slave = l.linkinfo?.info_slave_kind === 'bridge' ? l.linkinfo.info_slave_data : undefined;
    out[name] = {
      name,
      ...(l.linkinfo?.info_kind ? { kind: l.linkinfo.info_kind } : {}),
      mac: l.address ?? '',
      mtu: l.mtu,
      up: (l.flags ?? []).includes('UP'),
      ...(l.master ? { master: l.master } : {}),
      ...(slave && slave.hairpin !== undefined ? { hairpin: slave.hairpin } : {}),
      addresses: hostLinkAddresses(l),
      peerElsewhere: l.link_netnsid !== undefined,
    };
  }
  return out;
}

export interface ReadRequest {
  /** /proc/sys paths to read. */
  readonly sysctls: readonly string[];
  /** Files under /etc/netns to read (full paths). */
  readonly files: readonly string[];
  /** Namespaces whose inside to read. */
  readonly interiors: readonly string[];
  /** Whether the kernel has IPVS (asked when the build has rules that use the ipvs match). */
  readonly ipvs?: boolean;
  readonly firewall: { readonly applier: FirewallApplier; readonly commands: Readonly<Record<string, string>> };
}

/** Reads the live host: links, addresses, sysctls and firewall in the host namespace, files, namespaces. */
export async function readLive(system: System, req: ReadRequest): Promise<Live> {
  let script = section('links', 'ip -j -d addr show');
  for (const [part, cmd] of Object.entries(req.firewall.commands)) script += section(`fw:${safeWord(part)}`, cmd);
  script += 'for p in';
  for (const p of req.sysctls) script += ` ${safeWord(p)}`;
  // dash's `read` reports end of file on /proc files although it read the value: its status is ignored.
  script += `; do if [ -r "/proc/sys/$p" ]; then v=; read -r v < "/proc/sys/$p" || :; printf '%s=%s\\n' "$p" "$v"; fi; done\n`;
  script += `printf '\\n${MARK} sysctls 0\\n'\n`;
  // IPVS, for the routing mesh when the build has one: loaded, built in, or a module modprobe would load.
  if (req.ipvs) script += section('ipvs', `if [ -e /proc/net/ip_vs ] || [ -d /sys/module/ip_vs ] || modprobe -nq ip_vs 2>/dev/null; then echo yes; fi`);
  const [host, interiors] = await Promise.all([
    system.runAll([{ argv: ['sh', '-c', script], options: { where: 'host' } }], 1).then((r) => r[0]!),
    readInteriors(system, req.interiors),
  ]);
  const parts = sections(host.stdout);
  const need = (name: string) => {
    const s = parts.get(name);
    if (!s) throw new ApplyError(`netform: reading the host failed (${host.status}): ${host.stderr.trim()}`);
    if (s.status !== 0) throw new ApplyError(`netform: reading ${name} on the host failed (exit ${s.status}): ${host.stderr.trim()}`);
    return s.text;
  };
  const links = hostLinks(need('links'));
  const fwText: Record<string, string> = {};
  for (const part of Object.keys(req.firewall.commands)) fwText[part] = need(`fw:${part}`);
  const sysctls: Record<string, string> = {};
  for (const line of need('sysctls').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) sysctls[line.slice(0, i)] = line.slice(i + 1);
  }
  const files: Record<string, string> = {};
  for (const f of req.files) {
    const text = system.readFile(f);
    if (text !== undefined) files[f] = text;
  }
  return {
    namespaces: system.listNetns(),
    links,
    sysctls,
    files,
    etcNetnsExists: system.listDir('/etc/netns') !== undefined,
    interiors,
    firewall: { backend: req.firewall.applier.backend, text: fwText },
    ...(req.ipvs ? { ipvs: need('ipvs').trim() === 'yes' } : {}),
  };
}

/** The inside of each namespace: its links with their addresses, and its default routes. */
export async function readInteriors(system: System, namespaces: readonly string[]): Promise<Record<string, LiveInterior>> {
  const out: Record<string, LiveInterior> = {};
  if (!namespaces.length) return out;
  const jobs = namespaces.flatMap((ns) => [
    { argv: ['ip', '-n', safeWord(ns), '-j', 'addr', 'show'], options: { where: 'current' as const } },
    { argv: ['ip', '-n', safeWord(ns), '-j', 'route', 'show', 'default'], options: { where: 'current' as const } },
    { argv: ['ip', '-n', safeWord(ns), '-6', '-j', 'route', 'show', 'default'], options: { where: 'current' as const } },
  ]);
  const results = await system.runAll(jobs, 8);
  namespaces.forEach((ns, k) => {
    const [a, r4, r6] = [results[3 * k]!, results[3 * k + 1]!, results[3 * k + 2]!];
    if (a.status !== 0) return; // no such namespace: absent from the result
    const links: Record<string, LiveInterior['links'][string]> = {};
    for (const l of parseJson<IpAddr[]>(`ip -n ${ns} addr`, a.stdout)) {
      links[l.ifname.replace(/@.*$/, '')] = { mac: l.address ?? '', mtu: l.mtu ?? 0, up: (l.flags ?? []).includes('UP'), addresses: globalAddresses(l) };
    }
    const routes: DefaultRoute[] = [];
    for (const [family, res] of [[4, r4], [6, r6]] as const) {
      if (res.status !== 0) continue;
      for (const r of parseJson<{ dst: string; gateway?: string; dev: string }[]>(`ip -n ${ns} route`, res.stdout)) {
        if (r.dst === 'default') routes.push({ netns: ns, family, ...(r.gateway ? { via: r.gateway } : {}), device: r.dev });
      }
    }
    out[ns] = { links, routes };
  });
  return out;
}
