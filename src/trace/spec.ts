// The ends of a query as people write them, on the command line (`--from`, `--to`) and in `expect:`:
//   host | host:NAME          a host's own namespace (its uplink address as a destination)
//   outside | outside:ADDR    a client beyond the uplink (at ADDR)
//   NAME | NAME@NETWORK       a container (its address on NETWORK as a destination)
//   ADDRESS                   an address (IPv6 in brackets when a port follows)
// and a destination with its port: SPEC:PORT[/tcp|udp|sctp].
import { canonicalAddr as canonicalAddress } from '../net/index.ts';
import type { PortProtocol } from '../firewall/types.ts';
import type { Party } from './types.ts';

const unbracket = (s: string): string => (s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s);

/** A party, or a problem with the text. */
export function parseParty(text: string): Party | { readonly error: string } {
  const t = text.trim();
  if (t === '') return { error: 'empty: expected host, outside, a container name or an address' };
  if (t === 'host') return { kind: 'host' };
  if (t.startsWith('host:')) return t.length > 5 ? { kind: 'host', host: t.slice(5) } : { error: 'host: needs a host name' };
  if (t === 'outside') return { kind: 'outside' };
  if (t.startsWith('outside:')) {
    const a = canonicalAddress(unbracket(t.slice(8)));
    return a ? { kind: 'outside', address: a } : { error: `outside:${t.slice(8)}: not an IP address` };
  }
  const address = canonicalAddress(unbracket(t));
  if (address) return { kind: 'address', address };
  if (t.startsWith('[')) return { error: `${t}: not an IP address` };
  const at = t.indexOf('@');
  const name = at < 0 ? t : t.slice(0, at);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) return { error: `"${name}" is not a container name, host, outside or an address` };
  return at < 0 ? { kind: 'container', name } : { kind: 'container', name, network: t.slice(at + 1) };
}

export interface Target {
  readonly party: Party;
  readonly port: number;
  readonly proto: PortProtocol;
}

/** `SPEC:PORT[/PROTO]` (the protocol defaults to tcp). */
export function parseTarget(text: string): Target | { readonly error: string } {
  const m = /^(.*):(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(text.trim());
  if (!m) return { error: `"${text}": expected DESTINATION:PORT[/tcp|udp|sctp]` };
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return { error: `"${text}": port ${port} is out of range (1-65535)` };
  const spec = m[1]!;
  if (!spec.startsWith('[') && spec.includes(':') && !/^(host|outside):/.test(spec)) return { error: `"${text}": write an IPv6 address in brackets ([fd00::2]:80)` };
  const party = parseParty(spec);
  if ('error' in party) return party;
  return { party, port, proto: (m[3] as PortProtocol | undefined) ?? 'tcp' };
}
