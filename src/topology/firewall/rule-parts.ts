// Small constructors for the pieces of a rule, so the rule builders read like the iptables arguments
// moby passes (`"!", "-i", br` becomes `inIf(br, NOT)`). Addresses are stored in canonical prefix form.
import { canonicalCidr, canonicalIp } from './ip.ts';
import type { AddressMatch, InterfaceMatch, MatchModule, RuleTarget } from './types.ts';

export const NOT = true;

/** `-s`/`-d` value: an address gets /32 or /128, a prefix is masked. */
export const cidr = (text: string, negate = false): AddressMatch =>
  negate ? { cidr: canonicalCidr(text), negate } : { cidr: canonicalCidr(text) };

export const iface = (name: string, negate = false): InterfaceMatch => (negate ? { name, negate } : { name });

export const proto = (name: string, negate = false): { name: string; negate?: boolean } =>
  negate ? { name, negate } : { name };

/** `-p tcp --dport 80` loads the protocol's match module implicitly: `-m tcp --dport 80`. */
export const portMatch = (protocol: string, flag: '--dport' | '--sport', port: number): MatchModule => ({
  name: protocol,
  options: [{ flag, values: [String(port)] }],
});

export const addrtype = (flag: '--src-type' | '--dst-type', type: string): MatchModule => ({
  name: 'addrtype',
  options: [{ flag, values: [type] }],
});

export const ctstate = (states: string): MatchModule => ({
  name: 'conntrack',
  options: [{ flag: '--ctstate', values: [states] }],
});

/** `-m mark --mark <value>`; the value must already be in iptables' printed form (see fwMark). */
export const mark = (value: string): MatchModule => ({ name: 'mark', options: [{ flag: '--mark', values: [value] }] });

export const jump = (name: string, ...options: (readonly [string, ...string[]])[]): RuleTarget =>
  options.length ? { name, options } : { name };

/** Go's net.JoinHostPort: `[v6]:port` or `v4:port`. */
export const joinHostPort = (ip: string, port: number): string => {
  const c = canonicalIp(ip);
  return c.includes(':') ? `[${c}]:${port}` : `${c}:${port}`;
};

/**
 * The daemon's `bridge-accept-fwmark` as iptables prints it. moby (network.go iptablesFwMark) parses
 * "mark[/mask]" with Go's ParseUint base 0 (decimal, 0x hex, 0o/0 octal, 0b binary) and passes decimal;
 * the mark match module prints hex, and leaves the mask out when it is 0xffffffff.
 */
export function fwMark(value: string): string {
  const parse = (s: string): number => {
    const t = s.replace(/_/g, '');
    let n: number;
    if (/^0[xX][0-9a-fA-F]+$/.test(t)) n = parseInt(t.slice(2), 16);
    else if (/^0[bB][01]+$/.test(t)) n = parseInt(t.slice(2), 2);
    else if (/^0[oO][0-7]+$/.test(t)) n = parseInt(t.slice(2), 8);
    else if (/^0[0-7]+$/.test(t)) n = parseInt(t.slice(1), 8);
    else if (/^\d+$/.test(t)) n = Number(t);
    else throw new Error(`invalid firewall mark ${JSON.stringify(value)}`);
    if (!Number.isSafeInteger(n) || n > 0xffffffff) throw new Error(`invalid firewall mark ${JSON.stringify(value)}`);
    return n;
  };
  const [markText, maskText] = value.split('/', 2) as [string, string | undefined];
  const m = parse(markText);
  const mask = maskText === undefined ? 0xffffffff : parse(maskText);
  const hex = (n: number): string => `0x${n.toString(16)}`;
  return mask === 0xffffffff ? hex(m) : `${hex(m)}/${hex(mask)}`;
}
