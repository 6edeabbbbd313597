// Names in a matrix, resolved against one example's topology and sandbox: who runs where (a container
// name, `host` or `outside` -> a namespace), and address specs -> addresses:
//   uplink / outside      the host's / the outside's uplink address
//   lo                    127.0.0.1 or ::1
//   gw@NET                the bridge address of network NET
//   NAME@NET              container NAME's address on network NET
//   a literal address
import { canonicalAddress, familyOf, formatNetwork, parsePrefix } from '../../../src/ipam/address.ts';
import type { ContainerNode, Topology } from '../../../src/topology/types.ts';
import type { Matrix } from './matrix.ts';
import type { Sandbox } from './sandbox.ts';

export interface World {
  readonly topology: Topology;
  readonly sandbox: Sandbox;
}

function container(t: Topology, name: string): ContainerNode | undefined {
  return t.containers.find((c) => c.name === name);
}

/** The container whose namespace `name` uses (itself, or the target of container:NAME). */
function owner(t: Topology, name: string): ContainerNode | undefined {
  let c = container(t, name);
  for (let hops = 0; c && c.networking.kind === 'shared' && hops < 10; hops++) c = container(t, c.networking.container);
  return c;
}

/** The namespace `who` runs in; throws for an unknown name. */
export function namespaceOf(w: World, who: string): string {
  if (who === 'host') return w.sandbox.hostNs;
  if (who === 'outside') return w.sandbox.outsideNs;
  const c = owner(w.topology, who);
  if (!c) throw new Error(`"${who}" is not a container of this example (nor host, outside)`);
  return c.networking.kind === 'host' ? w.sandbox.hostNs : `${w.sandbox.containerPrefix}${c.name}`;
}

const strip = (cidr: string): string => cidr.split('/')[0]!;

/** The address an address spec stands for, in one family; throws when there is none. */
export function addressOf(w: World, spec: string, family: 4 | 6): string {
  const s = w.sandbox;
  const fam = family === 4 ? s.v4 : s.v6;
  if (spec === 'uplink') return fam.host;
  if (spec === 'outside') return fam.outside;
  if (spec === 'lo') return family === 4 ? '127.0.0.1' : '::1';
  const literal = canonicalAddress(spec);
  if (literal) {
    if (familyOf(literal) !== family) throw new Error(`${spec} is not an IPv${family} address`);
    return literal;
  }
  const at = /^([^@]+)@(.+)$/.exec(spec);
  if (!at) throw new Error(`"${spec}" is not an address spec (uplink, outside, lo, gw@NET, NAME@NET or an address)`);
  const [, who, net] = at as unknown as [string, string, string];
  if (who === 'gw') {
    const b = w.topology.bridges.find((x) => x.network === net);
    if (!b) throw new Error(`no bridge network "${net}"`);
    const a = b.addresses.map(strip).find((x) => familyOf(x) === family);
    if (!a) throw new Error(`network ${net} has no IPv${family} gateway address`);
    return a;
  }
  const c = owner(w.topology, who);
  const ep = c && w.topology.endpoints.find((e) => e.container === c.name && e.network === net);
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

/** Subnets the example's bridges use (the sandbox's uplink must stay clear of them). */
export const subnetsInUse = (t: Topology): string[] => t.bridges.flatMap((b) => b.addresses);

/** Link names setup.sh creates in the host namespace. */
export const linkNames = (t: Topology): string[] => [...t.bridges.map((b) => b.name), ...t.endpoints.map((e) => e.hostIfname)];

/** Subnets of a network, as CIDRs (for routes from the outside). */
export function subnetsOf(t: Topology, network: string): string[] {
  const b = t.bridges.find((x) => x.network === network);
  if (!b) throw new Error(`no bridge network "${network}"`);
  return b.addresses.map((a) => formatNetwork(parsePrefix(a)!));
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
  for (const net of m.outsideRoutes) attempt(`outside_routes`, () => subnetsOf(w.topology, net));
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
