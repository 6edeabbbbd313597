// Names in a matrix, resolved against one example's topologies (one per host) and sandbox: who runs
// where (a container name, `host`, `host:HOST` or `outside` -> a namespace), and address specs ->
// addresses:
//   uplink / outside      the host's / the outside's uplink address (uplink@HOST with several hosts)
//   uplink@HOST           that host's uplink address
//   underlay@HOST         that host's underlay address (hosts.<h>.address)
//   outside@IFNAME        the outside's address on the lan of the hosts' interface IFNAME
//   lo                    127.0.0.1 or ::1
//   gw@NET                the gateway of network NET (a bridge's address, an overlay's br0)
//   NAME@NET              container NAME's address on network NET
//   a literal address
// Container names are unique across hosts (the ingress_sbox namespace Docker makes on every host is
// the exception: it cannot be named).
import { canonicalAddr, familyOf, masked, parsePrefix, prefixString } from '../../../src/net/index.ts';
import type { ContainerNode, Topology } from '../../../src/topology/types.ts';
import type { Matrix } from './matrix.ts';
import { planSandbox, type HostBox, type HostPlan, type Sandbox } from './sandbox.ts';

export interface World {
  /** One topology per host, in the order of the sandbox's hosts. */
  readonly topologies: readonly Topology[];
  readonly sandbox: Sandbox;
}

/** The underlay facts of a host, as the model has them (hosts.<h>.address / interfaces). */
export interface HostFacts {
  readonly name: string;
  readonly address?: string;
  readonly interfaces?: readonly string[];
}

/** Subnets a host's topology uses (the sandbox's uplink must stay clear of them). */
export const subnetsInUse = (t: Topology): string[] => [
  ...t.bridges.flatMap((b) => b.addresses),
  ...(t.overlays ?? []).flatMap((o) => o.bridgeAddresses),
  // macvlan / ipvlan networks have no bridge: their subnets show in their endpoints.
  ...t.endpoints.filter((e) => e.attachment && e.attachment.kind !== 'overlay').flatMap((e) => [
    ...(e.ipv4 ? [`${e.ipv4}/${e.ipv4PrefixLength ?? 32}`] : []),
    ...(e.ipv6 ? [`${e.ipv6}/${e.ipv6PrefixLength ?? 128}`] : []),
  ]),
];

/** Link names setup.sh creates in the host namespace (not those created inside other namespaces). */
export const linkNames = (t: Topology): string[] => [
  ...t.bridges.map((b) => b.name),
  ...t.endpoints.filter((e) => !e.attachment).map((e) => e.hostIfname),
  ...(t.overlays ?? []).map((o) => o.vxlanName),
  ...(t.parentLinks ?? []).map((p) => p.name),
];

/** The world of an example: its topologies and a sandbox planned around them. Creates nothing. */
export function planWorld(prefix: string, topologies: readonly Topology[], facts: readonly HostFacts[], matrix?: Pick<Matrix, 'lans'>): World {
  const hosts = topologies.map((t): HostPlan => {
    const f = facts.find((x) => x.name === t.host);
    return { name: t.host, ...(f?.address ? { address: f.address } : {}), ...(f?.interfaces ? { interfaces: f.interfaces } : {}), linkNames: linkNames(t) };
  });
  const underlay = facts.flatMap((f) => (f.address ? [`${f.address}/32`] : []));
  return { topologies, sandbox: planSandbox(prefix, hosts, [...topologies.flatMap(subnetsInUse), ...underlay], matrix?.lans) };
}

const hostNames = (w: World) => w.sandbox.hosts.map((h) => h.name).join(', ');

/** The sandbox's host of that name; throws for an unknown one. */
export function hostBox(w: World, name: string): HostBox {
  const h = w.sandbox.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no host "${name}" in this example (${hostNames(w)})`);
  return h;
}

/** The only host; with several, `what` must name one. */
function onlyHost(w: World, what: string, form: string): HostBox {
  if (w.sandbox.hosts.length !== 1) throw new Error(`"${what}" is ambiguous with several hosts: write ${form} (${hostNames(w)})`);
  return w.sandbox.hosts[0]!;
}

interface Placed {
  readonly container: ContainerNode;
  readonly topology: Topology;
  readonly host: HostBox;
}

/** A container by name, with its host; throws for an unknown or ambiguous name. */
function placed(w: World, name: string): Placed | undefined {
  const found: Placed[] = [];
  w.topologies.forEach((t, i) => {
    const c = t.containers.find((x) => x.name === name);
    if (c) found.push({ container: c, topology: t, host: w.sandbox.hosts[i]! });
  });
  if (found.length > 1) throw new Error(`"${name}" is on several hosts (${found.map((f) => f.host.name).join(', ')}): it cannot be named in a matrix`);
  return found[0];
}

/** The container whose namespace `name` uses (itself, or the target of container:NAME). */
function owner(w: World, name: string): Placed | undefined {
  let p = placed(w, name);
  for (let hops = 0; p && p.container.networking.kind === 'shared' && hops < 10; hops++) {
    const target = p.container.networking.container;
    const c = p.topology.containers.find((x) => x.name === target);
    p = c ? { ...p, container: c } : undefined;
  }
  return p;
}

/** The namespace `who` runs in; throws for an unknown name. */
export function namespaceOf(w: World, who: string): string {
  if (who === 'host') return onlyHost(w, 'host', 'host:HOST').ns;
  if (who.startsWith('host:')) return hostBox(w, who.slice('host:'.length)).ns;
  if (who === 'outside') return w.sandbox.outsideNs;
  const p = owner(w, who);
  if (!p) throw new Error(`"${who}" is not a container of this example (nor host, outside)`);
  return p.container.networking.kind === 'host' ? p.host.ns : `${p.host.containerPrefix}${p.container.name}`;
}

const strip = (cidr: string): string => cidr.split('/')[0]!;

/** The gateway of NET on every host that has it; one address, or an error when the hosts differ. */
function gatewayOf(w: World, net: string, family: 4 | 6): string {
  const found = new Set<string>();
  let known = false;
  for (const t of w.topologies) {
    const lists = [...t.bridges.filter((b) => b.network === net).map((b) => b.addresses), ...(t.overlays ?? []).filter((o) => o.network === net).map((o) => o.bridgeAddresses)];
    for (const l of lists) {
      known = true;
      const a = l.map(strip).find((x) => familyOf(x) === family);
      if (a) found.add(a);
    }
  }
  if (!known) throw new Error(`no bridge or overlay network "${net}"`);
  if (!found.size) throw new Error(`network ${net} has no IPv${family} gateway address`);
  if (found.size > 1) throw new Error(`network ${net} has a different gateway on each host (${[...found].join(', ')})`);
  return [...found][0]!;
}

/** The address an address spec stands for, in one family; throws when there is none. */
export function addressOf(w: World, spec: string, family: 4 | 6): string {
  const s = w.sandbox;
  const fam = family === 4 ? s.v4 : s.v6;
  const uplinkOf = (h: HostBox) => (family === 4 ? h.uplink.v4 : h.uplink.v6);
  if (spec === 'uplink') return uplinkOf(onlyHost(w, 'uplink', 'uplink@HOST'));
  if (spec === 'outside') return fam.outside;
  if (spec === 'lo') return family === 4 ? '127.0.0.1' : '::1';
  const literal = canonicalAddr(spec);
  if (literal) {
    if (familyOf(literal) !== family) throw new Error(`${spec} is not an IPv${family} address`);
    return literal;
  }
  const at = /^([^@]+)@(.+)$/.exec(spec);
  if (!at) throw new Error(`"${spec}" is not an address spec (uplink, outside, lo, gw@NET, NAME@NET, uplink@HOST, underlay@HOST, outside@IFNAME or an address)`);
  const [, who, net] = at as unknown as [string, string, string];
  if (who === 'uplink') return uplinkOf(hostBox(w, net));
  if (who === 'underlay') {
    const h = hostBox(w, net);
    if (!h.underlay) throw new Error(`host ${net} has no underlay address`);
    if (family !== 4) throw new Error('the underlay is IPv4 only');
    return h.underlay.address;
  }
  if (who === 'outside') {
    const seg = s.lans.find((l) => l.ifname === net);
    if (!seg) throw new Error(`no lan "${net}" in the matrix's lans`);
    const a = strip(seg.outside);
    if (familyOf(a) !== family) throw new Error(`the outside has no IPv${family} address on lan ${net}`);
    return a;
  }
  if (who === 'gw') return gatewayOf(w, net, family);
  const p = owner(w, who);
  const ep = p && p.topology.endpoints.find((e) => e.container === p.container.name && e.network === net);
  if (!ep) throw new Error(`"${who}" has no endpoint on network "${net}"`);
  const a = family === 4 ? ep.ipv4 : ep.ipv6;
  if (!a) throw new Error(`${who} has no IPv${family} address on ${net}`);
  return a;
}

/** An address spec's addresses in both families (at least one must exist). */
export function addressOfEither(w: World, spec: string): string[] {
  const out: string[] = [];
  let first: Error | undefined;
  for (const f of [4, 6] as const) {
    try {
      out.push(addressOf(w, spec, f));
    } catch (e) {
      first ??= e as Error;
    }
  }
  if (!out.length) throw first!;
  return out;
}

/**
 * Subnets of an outside route (`NET`, or `NET@HOST` when several hosts have a network NET), as CIDRs,
 * with the host whose uplink leads there.
 */
export function outsideRoute(w: World, entry: string): { host: HostBox; cidrs: string[] } {
  const [net, hostName] = entry.split('@') as [string, string | undefined];
  const on = w.topologies
    .map((t, i) => ({ t, host: w.sandbox.hosts[i]! }))
    .filter(({ t, host }) => (hostName === undefined || host.name === hostName) && t.bridges.some((b) => b.network === net));
  if (hostName !== undefined) hostBox(w, hostName);
  if (!on.length) throw new Error(`no bridge network "${net}"${hostName ? ` on host ${hostName}` : ''}`);
  if (on.length > 1) throw new Error(`network ${net} is on several hosts: write ${net}@HOST (${on.map((o) => o.host.name).join(', ')})`);
  const { t, host } = on[0]!;
  return { host, cidrs: t.bridges.find((b) => b.network === net)!.addresses.map((a) => prefixString(masked(parsePrefix(a)!))) };
}

/** Problems of a matrix against its example: unknown names, servers nobody declared or nobody reaches. */
export function checkMatrix(m: Matrix, w: World): string[] {
  const problems: string[] = [];
  const attempt = (what: string, fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      problems.push(`${what}: ${(e as Error).message}`);
    }
  };
  for (const who of m.servers.keys()) attempt(`servers.${who}`, () => namespaceOf(w, who));
  for (const net of m.outsideRoutes) attempt(`outside_routes`, () => outsideRoute(w, net));
  const reached = new Set<string>();
  for (const p of m.probes) {
    const where = p.text;
    if (p.kind === 'conn') {
      attempt(where, () => namespaceOf(w, p.from));
      attempt(where, () => addressOf(w, p.to.addr, p.family));
      if (p.source) attempt(`${where}: source`, () => addressOf(w, p.source!, p.family));
      const declared = m.servers.get(p.server.server)?.some((s) => s.proto === p.proto && s.port === p.server.port);
      if (!declared) problems.push(`${where}: no ${p.proto} server "${p.server.server}:${p.server.port}" in servers`);
      // Only a probe that always runs and holds is a positive control.
      if (p.expect !== 'blocked' && !p.needs && !p.knownBug) reached.add(`${p.server.server}/${p.proto}/${p.server.port}`);
    } else if (p.kind === 'getent') {
      attempt(where, () => namespaceOf(w, p.from));
      if (p.resolves !== 'none') attempt(where, () => addressOfEither(w, p.resolves));
    } else {
      attempt(where, () => namespaceOf(w, p.in));
    }
  }
  // A server nothing reaches proves nothing when a probe toward it is blocked.
  for (const [who, list] of m.servers)
    for (const s of list)
      if (!reached.has(`${who}/${s.proto}/${s.port}`)) problems.push(`servers.${who}: ${s.proto}/${s.port} is never the reach: or arrives: of a probe (add a positive control)`);
  return problems;
}
