// Small constructors for the pieces of a rule, so the rule builders read like the iptables arguments
// moby passes (`"!", "-i", br` becomes `inIf(br, NOT)`). Addresses are stored in canonical prefix form.
import { inetAddr, inetCidr } from '../net/index.ts';
import type { AddressMatch, InterfaceMatch, MatchModule, RuleTarget } from './types.ts';

export const NOT = true;

// The pieces are shared: the same arguments give the same frozen object. A ruleset of 100,000 containers
// has over half a million rules made of a few thousand distinct pieces (each container's address, each
// bridge, `-p tcp`, `--dport 8080`), and one object per piece instead of one per rule is a large part of
// the compiler's memory and garbage-collection time. Rules are read-only data, and freezing keeps them so.
// Each kind of piece has its own table, keyed by the argument itself (no key string is built per call).

/** Every piece handed out by a Shared table (deeply frozen): others may remember things about it by identity. */
const sharedPieces = new WeakSet<object>();

/** Whether `piece` is one of the shared, deeply frozen pieces made here. */
export const isSharedPiece = (piece: object): boolean => sharedPieces.has(piece);

/** A table of shared pieces; forgets everything now and then in a long-lived process (sharing is only an economy). */
class Shared<K, V extends object> {
  private readonly map = new Map<K, V>();
  constructor(private readonly make: (key: K) => V) {}
  get(key: K): V {
    let v = this.map.get(key);
    if (v === undefined) {
      v = deepFreeze(this.make(key));
      sharedPieces.add(v);
      if (this.map.size >= 1 << 20) this.map.clear();
      this.map.set(key, v);
    }
    return v;
  }
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

const cidrs = new Shared((text: string): AddressMatch => ({ cidr: inetCidr(text) }));
const notCidrs = new Shared((text: string): AddressMatch => ({ cidr: inetCidr(text), negate: true }));
const ifaces = new Shared((name: string): InterfaceMatch => ({ name }));
const notIfaces = new Shared((name: string): InterfaceMatch => ({ name, negate: true }));
const protos = new Shared((name: string): { name: string; negate?: boolean } => ({ name }));
const notProtos = new Shared((name: string): { name: string; negate?: boolean } => ({ name, negate: true }));
/** By protocol, then flag, then port. */
const portMatches = new Map<string, Map<string, Shared<number, MatchModule>>>();
const portModuleLists = new Map<string, Map<string, Shared<number, readonly MatchModule[]>>>();
const modules = new Shared((key: string): MatchModule => {
  const [name, flag, value] = key.split('\0') as [string, string, string];
  return { name, options: [{ flag, values: [value] }] };
});
const targets = new Shared((name: string): RuleTarget => ({ name }));

function byKind<V extends object>(tables: Map<string, Map<string, Shared<number, V>>>, protocol: string, flag: string, make: (port: number) => V): Shared<number, V> {
  let byFlag = tables.get(protocol);
  if (!byFlag) tables.set(protocol, (byFlag = new Map()));
  let t = byFlag.get(flag);
  if (!t) byFlag.set(flag, (t = new Shared(make)));
  return t;
}

/** `-s`/`-d` value: an address gets /32 or /128, a prefix is masked. */
export const cidr = (text: string, negate = false): AddressMatch => (negate ? notCidrs : cidrs).get(text);

export const iface = (name: string, negate = false): InterfaceMatch => (negate ? notIfaces : ifaces).get(name);

export const proto = (name: string, negate = false): { name: string; negate?: boolean } => (negate ? notProtos : protos).get(name);

/** `-p tcp --dport 80` loads the protocol's match module implicitly: `-m tcp --dport 80`. */
export const portMatch = (protocol: string, flag: '--dport' | '--sport', port: number): MatchModule =>
  byKind(portMatches, protocol, flag, (p) => ({ name: protocol, options: [{ flag, values: [String(p)] }] })).get(port);

/** `[portMatch(...)]`, the modules of a per-port rule, shared like its element. */
export const portModules = (protocol: string, flag: '--dport' | '--sport', port: number): readonly MatchModule[] =>
  byKind(portModuleLists, protocol, flag, (p) => [portMatch(protocol, flag, p)]).get(port);

export const addrtype = (flag: '--src-type' | '--dst-type', type: string): MatchModule => modules.get(`addrtype\0${flag}\0${type}`);

export const ctstate = (states: string): MatchModule => modules.get(`conntrack\0--ctstate\0${states}`);

/** `-m mark --mark <value>`; the value must already be in iptables' printed form (see fwMark). */
export const mark = (value: string): MatchModule => modules.get(`mark\0--mark\0${value}`);

/** A target; one without options is shared. */
export const jump = (name: string, ...options: (readonly [string, ...string[]])[]): RuleTarget =>
  options.length ? { name, options } : targets.get(name);

/** Go's net.JoinHostPort: `[v6]:port` or `v4:port`. */
export const joinHostPort = (ip: string, port: number): string => {
  const c = inetAddr(ip);
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
