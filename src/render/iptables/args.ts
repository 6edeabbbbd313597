// One rule as the argument list iptables-save prints after `-A CHAIN`: `-s -d -i -o -p`, then each
// match module (`-m NAME` and its options), then `-j TARGET` and its options; `!` precedes the flag
// it negates; addresses are masked prefixes with /32 or /128 on host addresses, and a match on
// 0.0.0.0/0 or ::/0 is left out, as iptables stores none.
import { canonicalCidr, isAnyCidr } from '../../topology/firewall/ip.ts';
import type { AddressMatch, IpFamily, InterfaceMatch, Rule } from '../../topology/firewall/types.ts';

/** Protocol names as iptables-save prints them (from /etc/protocols): ICMPv6 is "ipv6-icmp". */
function protocolName(name: string, family: IpFamily): string {
  const n = name.toLowerCase();
  if (family === 6 && (n === 'icmpv6' || n === '58')) return 'ipv6-icmp';
  return n;
}

const neg = (negate: boolean | undefined): string[] => (negate ? ['!'] : []);

function address(flag: '-s' | '-d', a: AddressMatch | undefined): string[] {
  if (!a) return [];
  const c = canonicalCidr(a.cidr);
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
    for (const opt of mod.options) out.push(...neg(opt.negate), opt.flag, ...opt.values);
  }
  out.push('-j', rule.target.name);
  for (const opt of rule.target.options ?? []) out.push(...opt);
  return out;
}

/** `-A CHAIN args...`. */
export const appendLine = (rule: Rule, family: IpFamily): string => ['-A', rule.chain, ...ruleArgs(rule, family)].join(' ');
