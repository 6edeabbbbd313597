// One rule as the argument list iptables-save prints after `-A CHAIN`: `-s -d -i -o -p`, then each
// match module (`-m NAME` and its options), then `-j TARGET` and its options; `!` precedes the flag
// it negates; addresses are masked prefixes with /32 or /128 on host addresses, and a match on
// 0.0.0.0/0 or ::/0 is left out, as iptables stores none.
import { inetCidr, isAnyCidr } from '../../net/index.ts';
import type { AddressMatch, IpFamily, InterfaceMatch, Rule } from '../../firewall/types.ts';

/** Protocol names as iptables-save prints them (from /etc/protocols): ICMPv6 is "ipv6-icmp". */
function protocolName(name: string, family: IpFamily): string {
  const n = name.toLowerCase();
  if (family === 6 && (n === 'icmpv6' || n === '58')) return 'ipv6-icmp';
  return n;
}

const neg = (negate: boolean | undefined): string[] => (negate ? ['!'] : []);

/** A value with a space (a `-m bpf --bytecode` program) is double-quoted, as iptables-save prints it. */
const word = (v: string): string => (v.indexOf(' ') >= 0 ? `"${v}"` : v);

function address(flag: '-s' | '-d', a: AddressMatch | undefined): string[] {
  if (!a) return [];
  const c = inetCidr(a.cidr);
  if (isAnyCidr(c) && !a.negate) return [];
  return [...neg(a.negate), flag, c];
}

const iface = (flag: '-i' | '-o', i: InterfaceMatch | undefined): string[] => (i ? [...neg(i.negate), flag, i.name] : []);

export function ruleArgs(rule: Rule, family: IpFamily): string[] {
  const m = rule.match;
  const out = [
    ...address('-s', m.source),
    ...address('-d', m.destination),
    ...iface('-i', m.inInterface),
    ...iface('-o', m.outInterface),
  ];
  if (m.protocol) out.push(...neg(m.protocol.negate), '-p', protocolName(m.protocol.name, family));
  for (const mod of m.modules ?? []) {
    out.push('-m', mod.name);
    for (const opt of mod.options) out.push(...neg(opt.negate), opt.flag, ...opt.values.map(word));
  }
  out.push('-j', rule.target.name);
  for (const opt of rule.target.options ?? []) out.push(...opt.map(word));
  return out;
}

/**
 * `-A CHAIN args...`: ruleArgs(rule).join(' ') with the chain in front, built as one string without the
 * intermediate arrays (a ruleset of 100,000 containers has over half a million rules).
 */
export function appendLine(rule: Rule, family: IpFamily): string {
  const m = rule.match;
  let s = `-A ${rule.chain}`;
  s += addressText('-s', m.source);
  s += addressText('-d', m.destination);
  if (m.inInterface) s += `${m.inInterface.negate ? ' !' : ''} -i ${m.inInterface.name}`;
  if (m.outInterface) s += `${m.outInterface.negate ? ' !' : ''} -o ${m.outInterface.name}`;
  if (m.protocol) s += `${m.protocol.negate ? ' !' : ''} -p ${protocolName(m.protocol.name, family)}`;
  if (m.modules) {
    for (const mod of m.modules) {
      s += ` -m ${mod.name}`;
      for (const opt of mod.options) {
        s += `${opt.negate ? ' !' : ''} ${opt.flag}`;
        for (const v of opt.values) s += ` ${word(v)}`;
      }
    }
  }
  s += ` -j ${rule.target.name}`;
  if (rule.target.options) for (const opt of rule.target.options) for (const v of opt) s += ` ${word(v)}`;
  return s;
}

function addressText(flag: '-s' | '-d', a: AddressMatch | undefined): string {
  if (!a) return '';
  const c = inetCidr(a.cidr);
  if (isAnyCidr(c) && !a.negate) return '';
  return `${a.negate ? ' !' : ''} ${flag} ${c}`;
}
