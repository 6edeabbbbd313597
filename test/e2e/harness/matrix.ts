// The expectations file of one example (test/e2e/matrices/<name>.e2e.yaml), parsed into probes. The format is
// described in test/e2e/README.md. Every problem is collected and reported at once, with the probe's
// position in the list, so a typo in a matrix reads like a compiler error rather than a failed probe.
import YAML from 'yaml';

export type Proto = 'tcp' | 'udp' | 'http';
export type Verdict = 'reach' | 'arrives' | 'blocked';
export type NeedFeature = 'br_netfilter';

/** A listening server: who answers (its key in `servers`) on which port. */
export interface ServerRef {
  readonly server: string;
  readonly port: number;
}

interface Common {
  /** The probe as written (its first key and value), for reports. */
  readonly text: string;
  readonly needs?: NeedFeature;
  readonly knownBug?: string;
}

export interface ConnProbe extends Common {
  readonly kind: 'conn';
  readonly proto: Proto;
  readonly family: 4 | 6;
  readonly from: string;
  /** Address spec (see README) and port. */
  readonly to: { readonly addr: string; readonly port: number };
  /**
   * reach: this server answers; arrives: the request reaches this server, whether or not its answer
   * makes it back; blocked: the request never reaches this (listening) server.
   */
  readonly expect: Verdict;
  readonly server: ServerRef;
  /** Address spec of the source address the server must see (reach, arrives). */
  readonly source?: string;
}

export interface GetentProbe extends Common {
  readonly kind: 'getent';
  readonly from: string;
  readonly name: string;
  /** Address spec the name must resolve to, or 'none'. */
  readonly resolves: string;
}

export interface HostsProbe extends Common {
  readonly kind: 'hosts';
  readonly in: string;
  readonly has: readonly string[];
  readonly lacks: readonly string[];
}

export interface LinksProbe extends Common {
  readonly kind: 'links';
  readonly in: string;
  readonly has: readonly string[];
  readonly only?: readonly string[];
}

export type Probe = ConnProbe | GetentProbe | HostsProbe | LinksProbe;

export interface ServerSpec {
  readonly proto: Proto;
  readonly port: number;
}

/**
 * A segment between the outside and an interface the example says its hosts already have (a host's
 * `interfaces`, e.g. a macvlan parent): the outside's address on it, and optionally the hosts'.
 */
export interface LanSpec {
  /** The outside's address with prefix length (192.168.77.1/24). */
  readonly outside: string;
  /** Addresses of the hosts' ends, by host name; `*` when written as one address (one host). */
  readonly hosts: ReadonlyMap<string, string>;
}

export interface Matrix {
  /** Servers by who runs them: a container name, `host`, `host:HOST` or `outside`. */
  readonly servers: ReadonlyMap<string, readonly ServerSpec[]>;
  /** Networks the outside routes to through a host's uplink (`NET`, or `NET@HOST` with several hosts). */
  readonly outsideRoutes: readonly string[];
  /** Host interfaces joined to the outside, by interface name. */
  readonly lans: ReadonlyMap<string, LanSpec>;
  readonly probes: readonly Probe[];
}

const CONN = /^(tcp|udp|http)(6?)$/;
const ARROW = /^\s*(\S+)\s*->\s*(\S+)\s*$/;
const KEYS: Record<string, readonly string[]> = {
  conn: ['reach', 'arrives', 'blocked', 'source'],
  getent: ['resolves'],
  hosts: ['has', 'lacks'],
  links: ['has', 'only'],
};

function port(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** `addr:port`, with IPv6 literals in brackets. */
export function splitHostPort(text: string): { addr: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text);
  const p = m ? port(m[2]!) : undefined;
  return m && p ? { addr: m[1]!.replace(/^\[|\]$/g, ''), port: p } : undefined;
}

/** `SERVER:PORT`, where SERVER is a key of `servers` (which may hold a colon: host:node1:22). */
function splitServerRef(text: string): ServerRef | undefined {
  const m = /^(.+):(\d+)$/.exec(text);
  const p = m ? port(m[2]!) : undefined;
  return m && p ? { server: m[1]!, port: p } : undefined;
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function parseMatrix(text: string, file: string): Matrix {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = YAML.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') throw new Error(`${file}: expected a mapping with servers and probes`);
  const top = doc as Record<string, unknown>;
  for (const k of Object.keys(top)) if (!['servers', 'outside_routes', 'lans', 'probes'].includes(k)) problems.push(`unknown key "${k}"`);

  const servers = new Map<string, ServerSpec[]>();
  for (const [who, list] of Object.entries((top['servers'] ?? {}) as Record<string, unknown>)) {
    if (!isStringList(list)) {
      problems.push(`servers.${who}: expected a list such as [tcp/80, udp/53]`);
      continue;
    }
    servers.set(
      who,
      list.flatMap((s) => {
        const m = /^(tcp|udp|http)\/(\d+)$/.exec(s);
        const p = m ? port(m[2]!) : undefined;
        if (!m || !p) {
          problems.push(`servers.${who}: "${s}" is not proto/port (tcp, udp or http)`);
          return [];
        }
        return [{ proto: m[1] as Proto, port: p }];
      }),
    );
  }

  const outsideRoutes = top['outside_routes'] ?? [];
  if (!isStringList(outsideRoutes)) problems.push('outside_routes: expected a list of network names');

  const lans = new Map<string, LanSpec>();
  for (const [ifname, raw] of Object.entries((top['lans'] ?? {}) as Record<string, unknown>)) {
    const where = `lans.${ifname}`;
    const spec = (raw ?? {}) as Record<string, unknown>;
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(`${where}: expected {outside: ADDRESS/LEN, host: ADDRESS/LEN or {HOST: ADDRESS/LEN}}`);
      continue;
    }
    for (const k of Object.keys(spec)) if (!['outside', 'host'].includes(k)) problems.push(`${where}: unknown key "${k}"`);
    const cidr = (v: unknown) => typeof v === 'string' && /^[0-9a-fA-F.:]+\/\d{1,3}$/.test(v);
    if (!cidr(spec['outside'])) problems.push(`${where}.outside: expected the outside's address with its prefix length (192.168.77.1/24)`);
    const host = spec['host'];
    const hosts = new Map<string, string>();
    if (typeof host === 'string') hosts.set('*', host);
    else if (host && typeof host === 'object' && !Array.isArray(host)) for (const [h, a] of Object.entries(host)) hosts.set(h, a as string);
    else if (host !== undefined) problems.push(`${where}.host: expected ADDRESS/LEN or {HOST: ADDRESS/LEN}`);
    for (const [h, a] of hosts) if (!cidr(a)) problems.push(`${where}.host${h === '*' ? '' : `.${h}`}: expected an address with its prefix length`);
    lans.set(ifname, { outside: String(spec['outside']), hosts });
  }

  const probes: Probe[] = [];
  const rawProbes = top['probes'];
  if (!Array.isArray(rawProbes) || rawProbes.length === 0) problems.push('probes: expected a non-empty list');
  (Array.isArray(rawProbes) ? rawProbes : []).forEach((raw: unknown, i: number) => {
    const where = `probes[${i}]`;
    if (!raw || typeof raw !== 'object') return void problems.push(`${where}: expected a mapping`);
    const entries = Object.entries(raw as Record<string, unknown>);
    const [kindKey, head] = entries[0] ?? [];
    const rest = Object.fromEntries(entries.slice(1));
    const textOf = `${kindKey}: ${String(head)}`;
    const fail = (msg: string) => problems.push(`${where} (${textOf}): ${msg}`);
    const common: { text: string; needs?: NeedFeature; knownBug?: string } = { text: textOf };
    if (rest['needs'] !== undefined) {
      if (rest['needs'] !== 'br_netfilter') fail(`needs: only br_netfilter is known`);
      else common.needs = 'br_netfilter';
    }
    if (rest['known_bug'] !== undefined) {
      if (typeof rest['known_bug'] !== 'string' || !rest['known_bug']) fail('known_bug: expected the reason as text');
      else common.knownBug = rest['known_bug'];
    }
    const conn = kindKey ? CONN.exec(kindKey) : null;
    const family = conn ? 'conn' : (kindKey ?? '');
    const allowed = KEYS[family];
    if (!allowed) return void fail(`unknown probe kind "${kindKey}" (tcp, udp, http, tcp6, udp6, http6, getent, hosts, links)`);
    for (const k of Object.keys(rest)) if (![...allowed, 'needs', 'known_bug'].includes(k)) fail(`unknown key "${k}"`);
    if (typeof head !== 'string') return void fail('expected text after the kind');

    if (conn) {
      const m = ARROW.exec(head);
      const to = m ? splitHostPort(m[2]!) : undefined;
      if (!m || !to) return void fail('expected "FROM -> ADDRESS:PORT"');
      const verdicts = (['reach', 'arrives', 'blocked'] as const).filter((k) => rest[k] !== undefined);
      if (verdicts.length !== 1) return void fail('expected exactly one of reach:, arrives: or blocked: SERVER:PORT');
      const expect = verdicts[0]!;
      const ref = splitServerRef(String(rest[expect]));
      if (!ref) return void fail(`${expect}: expected SERVER:PORT, a server of the servers list`);
      if (rest['source'] !== undefined && (expect === 'blocked' || typeof rest['source'] !== 'string')) fail('source: only with reach or arrives, as an address spec');
      probes.push({
        kind: 'conn',
        proto: conn[1] as Proto,
        family: conn[2] ? 6 : 4,
        from: m[1]!,
        to,
        expect,
        server: ref,
        ...(typeof rest['source'] === 'string' ? { source: rest['source'] } : {}),
        ...common,
      });
    } else if (family === 'getent') {
      const m = ARROW.exec(head);
      if (!m) return void fail('expected "FROM -> NAME"');
      if (typeof rest['resolves'] !== 'string') return void fail('resolves: expected an address spec or none');
      probes.push({ kind: 'getent', from: m[1]!, name: m[2]!, resolves: rest['resolves'], ...common });
    } else if (family === 'hosts') {
      const has = rest['has'] ?? [];
      const lacks = rest['lacks'] ?? [];
      if (!isStringList(has) || !isStringList(lacks)) return void fail('has / lacks: expected lists of names');
      probes.push({ kind: 'hosts', in: head, has, lacks, ...common });
    } else {
      const has = rest['has'] ?? [];
      const only = rest['only'];
      if (!isStringList(has) || (only !== undefined && !isStringList(only))) return void fail('has / only: expected lists of link names');
      probes.push({ kind: 'links', in: head, has, ...(only ? { only } : {}), ...common });
    }
  });
  if (problems.length) throw new Error(`${file}:\n  ${problems.join('\n  ')}`);
  return { servers, outsideRoutes: outsideRoutes as string[], lans, probes };
}
