// The string formats the schema names, checked with netform's one address parser (src/net, Go's
// netip.ParseAddr / ParsePrefix): no leading zeros in IPv4 octets or prefix lengths, no IPv6 zone index
// (netform refuses zones everywhere; the Docker paths that read these fields either refuse them or
// have no use for them). ajv-formats' own ipv4/ipv6 are replaced by these so that every address in the
// file is judged by one definition. Each check has a `describe` that says what is wrong, for the
// diagnostic message.

import { type Addr, parseAddr, parsePrefix } from '../net/index.ts';

export const HOST_GATEWAY = 'host-gateway';

type Family = 4 | 6 | 'any';

/** The address, unless it is not one or carries a zone. */
function address(s: string): Addr | undefined {
  const a = parseAddr(s);
  return a && a.zone === '' ? a : undefined;
}

const familyName = (family: Family): string => (family === 4 ? 'IPv4' : family === 6 ? 'IPv6' : 'IP');

/** Why `s` is not a CIDR prefix of `family`, or undefined when it is one. */
export function cidrProblem(s: string, family: Family): string | undefined {
  const p = parsePrefix(s);
  if (p && (family === 'any' || p.family === family)) return undefined;
  const slash = s.indexOf('/');
  if (slash < 0) return 'the "/length" part is missing';
  const addr = s.slice(0, slash);
  const a = address(addr);
  if (!a) return `"${addr}" is not an ${familyName(family)} address`;
  if (family === 4 && a.family === 6) return 'it is an IPv6 prefix; an IPv4 prefix is expected here';
  if (family === 6 && a.family === 4) return 'it is an IPv4 prefix; an IPv6 prefix is expected here';
  return `the prefix length "${s.slice(slash + 1)}" is not a number from 0 to ${a.family === 4 ? 32 : 128}`;
}

/** Why `s` is not an IP address of `family`, or undefined when it is one. */
export function ipProblem(s: string, family: Family): string | undefined {
  const a = address(s);
  if (a && (family === 'any' || a.family === family)) return undefined;
  if (s.includes('/')) return 'an address is expected here, not a prefix';
  if (family === 4) {
    return a ? 'it is an IPv6 address; an IPv4 address is expected here' : 'expected four numbers 0..255 separated by dots, without leading zeros';
  }
  if (family === 6) {
    return a ? 'it is an IPv4 address; an IPv6 address is expected here' : 'expected an IPv6 address such as 2001:db8::1';
  }
  return 'expected an IPv4 or IPv6 address';
}

/** An extra_hosts map value: an address, an address in brackets, or host-gateway. */
function extraHostAddressProblem(v: string): string | undefined {
  if (v === HOST_GATEWAY) return undefined;
  const inner = v.length > 1 && v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
  return address(inner) ? undefined : `"${v}" is neither an IP address nor ${HOST_GATEWAY}`;
}

/**
 * An extra_hosts list entry, split as the docker CLI does: on the first "=" if there is one, else on the first
 * ":" (so "h:::1" is h -> ::1).
 */
function extraHostProblem(v: string): string | undefined {
  const eq = v.indexOf('=');
  const sep = eq >= 0 ? eq : v.indexOf(':');
  if (sep < 0) return 'expected name:address or name=address';
  if (sep === 0) return 'the host name is empty';
  return extraHostAddressProblem(v.slice(sep + 1));
}

export interface FormatDef {
  /** What a valid value is, for "… is not a valid <noun>". */
  readonly noun: string;
  readonly problem: (s: string) => string | undefined;
}

/** Formats netform defines (registered in ajv by validate.ts). */
export const FORMATS: Readonly<Record<string, FormatDef>> = {
  ipv4: { noun: 'IPv4 address', problem: (s) => ipProblem(s, 4) },
  ipv6: { noun: 'IPv6 address', problem: (s) => ipProblem(s, 6) },
  ip: { noun: 'IP address', problem: (s) => ipProblem(s, 'any') },
  'ipv4-cidr': { noun: 'IPv4 CIDR prefix', problem: (s) => cidrProblem(s, 4) },
  'ipv6-cidr': { noun: 'IPv6 CIDR prefix', problem: (s) => cidrProblem(s, 6) },
  cidr: { noun: 'CIDR prefix', problem: (s) => cidrProblem(s, 'any') },
  'extra-host': { noun: 'extra host entry', problem: extraHostProblem },
  'extra-host-address': { noun: 'extra host address', problem: extraHostAddressProblem },
};

/** Nouns for formats that come from ajv-formats. */
export const OTHER_FORMAT_NOUNS: Readonly<Record<string, string>> = {
  hostname: 'hostname (RFC 1123: letters, digits and hyphens, dot-separated labels of at most 63 characters)',
};
