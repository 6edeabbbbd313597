// One rule as the argument list iptables-save prints after `-A CHAIN`: `-s -d -i -o -p`, then each
// match module (`-m NAME` and its options), then `-j TARGET` and its options; `!` precedes the flag
// it negates; addresses are masked prefixes with /32 or /128 on host addresses, and a match on
// 0.0.0.0/0 or ::/0 is left out, as iptables stores none. This is the only place rules become iptables words.
import { inetCidr, isAnyCidr } from '../../../net/index.ts';
import { vniMatchBpf } from '../../bpf.ts';
import type { AddressMatch, IpFamily, InterfaceMatch, MatchModule, RuleTarget } from '../../types.ts';
import type { Rule } from '../types.ts';

/** Protocol names as iptables-save prints them (from /etc/protocols): ICMPv6 is "ipv6-icmp". */
function protocolName(name: string, family: IpFamily): string {
  const n = name.toLowerCase();
  if (family === 6 && (n === 'icmpv6' || n === '58')) return 'ipv6-icmp';
  return n;
}

/** A value with a space (a `-m bpf --bytecode` program) is double-quoted, as iptables-save prints it. */
const word = (v: string): string => (v.indexOf(' ') >= 0 ? `"${v}"` : v);

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** `--mark` as libxt_mark prints it: the mask is left out when it is all ones. */
const markValue = (mark: number, mask: number): string => ((mask >>> 0) === 0xffffffff ? hex(mark) : `${hex(mark)}/${hex(mask)}`);

/** Go's net.JoinHostPort: `[v6]:port` or `v4:port`. */
const joinHostPort = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** A match module as `-m NAME` and its options, in the order its save function prints them. */
export function moduleWords(m: MatchModule): string[] {
  switch (m.kind) {
    case 'tcp':
    case 'udp':
    case 'sctp':
      return ['-m', m.kind, ...(m.sport !== undefined ? ['--sport', String(m.sport)] : []), ...(m.dport !== undefined ? ['--dport', String(m.dport)] : [])];
    case 'conntrack':
      return m.module === 'state' ? ['-m', 'state', '--state', m.states.join(',')] : ['-m', 'conntrack', '--ctstate', m.states.join(',')];
    case 'addrtype':
      return ['-m', 'addrtype', ...(m.srcType ? ['--src-type', m.srcType] : []), ...(m.dstType ? ['--dst-type', m.dstType] : [])];
    case 'mark':
      return ['-m', 'mark', '--mark', markValue(m.mark, m.mask)];
    case 'bpf':
      return ['-m', 'bpf', '--bytecode', word(vniMatchBpf(m.vxlanVni))];
    case 'policy':
      return ['-m', 'policy', '--dir', m.dir, '--pol', m.pol];
    case 'ipvs':
      return ['-m', 'ipvs', '--ipvs'];
  }
}

/** `-j TARGET` and its options, as iptables-save prints them (`--set-mark` saved as `--set-xmark`, `--to-port` as `--to-ports`). */
export function targetWords(t: RuleTarget): string[] {
  switch (t.kind) {
    case 'accept':
      return ['-j', 'ACCEPT'];
    case 'drop':
      return ['-j', 'DROP'];
    case 'return':
      return ['-j', 'RETURN'];
    case 'masquerade':
      return ['-j', 'MASQUERADE'];
    case 'jump':
      return ['-j', t.chain];
    case 'snat':
      return ['-j', 'SNAT', '--to-source', t.toSource];
    case 'dnat':
      return ['-j', 'DNAT', '--to-destination', joinHostPort(t.toAddress, t.toPort)];
    case 'redirect':
      return ['-j', 'REDIRECT', '--to-ports', String(t.toPort)];
    case 'set-mark':
      return ['-j', 'MARK', '--set-xmark', `${hex(t.mark)}/${hex(t.mask)}`];
    case 'checksum-fill':
      return ['-j', 'CHECKSUM', '--checksum-fill'];
  }
}

function address(flag: '-s' | '-d', a: AddressMatch | undefined): string[] {
  if (!a) return [];
  const c = inetCidr(a.cidr);
  if (isAnyCidr(c) && !a.negate) return [];
  return [...(a.negate ? ['!'] : []), flag, c];
}

const iface = (flag: '-i' | '-o', i: InterfaceMatch | undefined): string[] => (i ? [...(i.negate ? ['!'] : []), flag, i.name] : []);

export function ruleArgs(rule: Rule, family: IpFamily): string[] {
  const m = rule.match;
  const out = [...address('-s', m.source), ...address('-d', m.destination), ...iface('-i', m.inInterface), ...iface('-o', m.outInterface)];
  if (m.protocol) out.push(...(m.protocol.negate ? ['!'] : []), '-p', protocolName(m.protocol.name, family));
  for (const mod of m.modules ?? []) out.push(...moduleWords(mod));
  out.push(...targetWords(rule.target));
  return out;
}

/**
 * `-A CHAIN args...`: ruleArgs(rule).join(' ') with the chain in front, built with few intermediate
 * strings (a ruleset of 100,000 containers has over half a million rules).
 */
export function appendLine(rule: Rule, family: IpFamily): string {
  const m = rule.match;
  let s = `-A ${rule.chain}`;
  s += addressText('-s', m.source);
  s += addressText('-d', m.destination);
  if (m.inInterface) s += `${m.inInterface.negate ? ' !' : ''} -i ${m.inInterface.name}`;
  if (m.outInterface) s += `${m.outInterface.negate ? ' !' : ''} -o ${m.outInterface.name}`;
  if (m.protocol) s += `${m.protocol.negate ? ' !' : ''} -p ${protocolName(m.protocol.name, family)}`;
  if (m.modules) for (const mod of m.modules) s += ` ${moduleWords(mod).join(' ')}`;
  return `${s} ${targetWords(rule.target).join(' ')}`;
}

function addressText(flag: '-s' | '-d', a: AddressMatch | undefined): string {
  if (!a) return '';
  const c = inetCidr(a.cidr);
  if (isAnyCidr(c) && !a.negate) return '';
  return `${a.negate ? ' !' : ''} ${flag} ${c}`;
}
