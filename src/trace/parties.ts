// The ends of a query, resolved against the fabric: the namespace the client sends from (and its
// address, when one is given), and the address the request is for.
import { canonicalAddr as canonicalAddress } from '../net/index.ts';
import type { Fabric, Ns } from './fabric.ts';
import { addressOf, familyOfAddress } from './packet.ts';
import type { Party, TraceQuery, TraceWorld } from './types.ts';

/** A query that names nothing in the fleet, or is ambiguous. */
export class TraceError extends Error {}

export interface From {
  readonly ns: Ns;
  readonly address?: string;
  readonly label: string;
  readonly family: 4 | 6;
}

function canonical(text: string): string {
  const a = canonicalAddress(text);
  if (!a) throw new TraceError(`"${text}" is not an IP address`);
  return a;
}

const partyAddress = (p: Party): string | undefined => (p.kind === 'address' ? p.address : p.kind === 'outside' ? p.address : undefined);

/** The family of a query: given, or that of an address in it, else IPv4. */
export function familyOf(q: TraceQuery): 4 | 6 {
  if (q.family) return q.family;
  const a = partyAddress(q.to) ?? partyAddress(q.from);
  return (a && familyOfAddress(canonical(a))) || 4;
}

/** The host a host-bound name means: the one named, the query's, or the only one. */
function hostName(fabric: Fabric, named: string | undefined, q: TraceQuery): string {
  const h = named ?? q.host;
  if (h !== undefined) {
    if (!fabric.hosts.has(h)) throw new TraceError(`no host "${h}" (hosts: ${[...fabric.hosts.keys()].join(', ')})`);
    return h;
  }
  if (fabric.hosts.size !== 1) throw new TraceError(`several hosts: say which (--host ${[...fabric.hosts.keys()].join(' | ')})`);
  return [...fabric.hosts.keys()][0]!;
}

function container(fabric: Fabric, name: string, q: TraceQuery) {
  const all = fabric.containersNamed(name);
  const list = q.host !== undefined ? all.filter((c) => c.host === q.host) : all;
  if (list.length === 0) throw new TraceError(`no container "${name}"${q.host !== undefined ? ` on host ${q.host}` : ''}`);
  if (list.length > 1) throw new TraceError(`"${name}" is on several hosts: say which (--host ${list.map((c) => c.host).join(' | ')})`);
  const ref = list[0]!;
  return { ...ref, ns: fabric.namespaceOf(ref) };
}

export function resolveFrom(fabric: Fabric, q: TraceQuery): From {
  const family = familyOf(q);
  const p = q.from;
  switch (p.kind) {
    case 'container': {
      const c = container(fabric, p.name, q);
      return { ns: c.ns, label: c.ns.place.kind === 'host' ? `${p.name} (host network)` : p.name, family };
    }
    case 'host': {
      const h = hostName(fabric, p.host, q);
      return { ns: fabric.hosts.get(h)!, label: `host ${h}`, family };
    }
    case 'outside': {
      const address = p.address ? canonical(p.address) : undefined;
      if (address && !fabric.outside.isLocal(address) && !(fabric.outside.ownsTheRest && !fabric.inFleet(address))) {
        throw new TraceError(`the outside cannot send from ${address}: it is not one of its addresses`);
      }
      return { ns: fabric.outside, ...(address ? { address } : {}), label: 'outside', family };
    }
    case 'address': {
      const address = canonical(p.address);
      const owners = fabric.owners(address).filter((ns) => q.host === undefined || ('host' in ns.place && ns.place.host === q.host));
      if (owners.length > 1) throw new TraceError(`${address} is an address of several namespaces (${owners.map((o) => o.label).join(', ')})`);
      const ns = owners[0] ?? (fabric.outside.isLocal(address) || fabric.outside.ownsTheRest ? fabric.outside : undefined);
      if (!ns) throw new TraceError(`no namespace has the address ${address}`);
      return { ns, address, label: ns.label, family };
    }
  }
}

export function resolveTo(fabric: Fabric, q: TraceQuery, world: TraceWorld, family: 4 | 6): { address: string; label: string } {
  const p = q.to;
  const fam = (x: string | undefined) => (x ? addressOf(x) : undefined);
  switch (p.kind) {
    case 'container': {
      const c = container(fabric, p.name, q);
      if (c.ns.place.kind === 'host') return resolveTo(fabric, { ...q, to: { kind: 'host', host: c.host } }, world, family);
      const eps = fabric.endpointsIn(c.ns);
      const on = p.network !== undefined ? eps.filter((e) => e.network === p.network) : eps;
      if (p.network !== undefined && on.length === 0) throw new TraceError(`${p.name} is not on network "${p.network}"`);
      const a = on.map((e) => (family === 4 ? e.ipv4 : e.ipv6)).find((x) => x !== undefined);
      if (!a) throw new TraceError(`${p.name} has no IPv${family} address${p.network ? ` on ${p.network}` : ''}`);
      return { address: a, label: p.name };
    }
    case 'host': {
      const h = hostName(fabric, p.host, q);
      const up = world.hosts[h]?.uplink;
      const a = fam(family === 4 ? up?.v4 : up?.v6);
      if (!a) throw new TraceError(`host ${h} has no IPv${family} uplink address`);
      return { address: a, label: `host ${h}` };
    }
    case 'outside': {
      const a = p.address ? canonical(p.address) : fam(family === 4 ? world.outside.v4 : world.outside.v6);
      if (!a) throw new TraceError(`the outside has no IPv${family} address`);
      return { address: a, label: 'outside' };
    }
    case 'address':
      return { address: canonical(p.address), label: canonical(p.address) };
  }
}
