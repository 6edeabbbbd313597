// The pieces rules are made of, handed out shared: the same arguments give the same frozen object. A
// ruleset of 100,000 containers has over half a million rules made of a few thousand distinct pieces (each
// container's address, each bridge, `-p tcp`, `--dport 8080`), and one object per piece instead of one per
// rule is a large part of the compiler's memory and garbage-collection time. One RulePieces lives for one
// firewall build, so nothing outlives the compile that made it. Builders read like the iptables
// arguments moby passes (`"!", "-i", br` is `iface(br, NOT)`); addresses are stored in canonical prefix form.
import { inetCidr } from '../../net/index.ts';
import type { AddressMatch, AddressType, CtState, InterfaceMatch, MatchModule, PortProtocol, ProtocolMatch, RuleTarget } from '../types.ts';
import { CT_STATES } from '../types.ts';

export const NOT = true;

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** A table of shared pieces by key. */
class Shared<K, V extends object> {
  private readonly map = new Map<K, V>();
  constructor(
    private readonly owner: RulePieces,
    private readonly make: (key: K) => V,
  ) {}
  get(key: K): V {
    let v = this.map.get(key);
    if (v === undefined) {
      v = deepFreeze(this.make(key));
      this.owner.shared.add(v);
      this.map.set(key, v);
    }
    return v;
  }
}

const SIMPLE_TARGETS = ['accept', 'drop', 'return', 'masquerade', 'checksum-fill'] as const;
type SimpleTarget = (typeof SIMPLE_TARGETS)[number];

/** Sorted as the kernel's state bits (CT_STATES), duplicates removed: a set with one spelling. */
const ctSet = (states: readonly CtState[]): CtState[] => CT_STATES.filter((s) => states.includes(s));

export class RulePieces {
  /** Every piece handed out here (deeply frozen), so that keys may be remembered by identity. */
  readonly shared = new WeakSet<object>();
  private readonly keys = new WeakMap<object, string>();

  private readonly cidrs = new Shared(this, (text: string): AddressMatch => ({ cidr: inetCidr(text) }));
  private readonly notCidrs = new Shared(this, (text: string): AddressMatch => ({ cidr: inetCidr(text), negate: true }));
  private readonly ifaces = new Shared(this, (name: string): InterfaceMatch => ({ name }));
  private readonly notIfaces = new Shared(this, (name: string): InterfaceMatch => ({ name, negate: true }));
  private readonly protos = new Shared(this, (name: string): ProtocolMatch => ({ name }));
  private readonly notProtos = new Shared(this, (name: string): ProtocolMatch => ({ name, negate: true }));
  private readonly ports = new Shared(this, (key: string): MatchModule => {
    const [kind, dir, port] = key.split(' ') as [PortProtocol, 'sport' | 'dport', string];
    return dir === 'sport' ? { kind, sport: Number(port) } : { kind, dport: Number(port) };
  });
  private readonly portLists = new Shared(this, (key: string): readonly MatchModule[] => [this.ports.get(key)]);
  private readonly modules = new Shared(this, (key: string): MatchModule => JSON.parse(key) as MatchModule);
  private readonly targets = new Shared(this, (kind: SimpleTarget | `jump ${string}`): RuleTarget =>
    kind.startsWith('jump ') ? { kind: 'jump', chain: kind.slice(5) } : ({ kind } as RuleTarget),
  );

  /** `-s`/`-d` value: an address gets /32 or /128, a prefix is masked. */
  readonly cidr = (text: string, negate = false): AddressMatch => (negate ? this.notCidrs : this.cidrs).get(text);
  readonly iface = (name: string, negate = false): InterfaceMatch => (negate ? this.notIfaces : this.ifaces).get(name);
  readonly proto = (name: string, negate = false): ProtocolMatch => (negate ? this.notProtos : this.protos).get(name);
  /** `-p tcp --dport 80` loads the protocol's match module implicitly: `-m tcp --dport 80`. */
  readonly port = (protocol: PortProtocol, dir: 'sport' | 'dport', port: number): MatchModule => this.ports.get(`${protocol} ${dir} ${port}`);
  /** `[port(...)]`, the modules of a per-port rule, shared like its element. */
  readonly portModules = (protocol: PortProtocol, dir: 'sport' | 'dport', port: number): readonly MatchModule[] =>
    this.portLists.get(`${protocol} ${dir} ${port}`);
  readonly addrtype = (dir: 'src' | 'dst', type: AddressType): MatchModule =>
    this.modules.get(JSON.stringify(dir === 'src' ? { kind: 'addrtype', srcType: type } : { kind: 'addrtype', dstType: type }));
  readonly ctstate = (...states: CtState[]): MatchModule => this.modules.get(JSON.stringify({ kind: 'conntrack', states: ctSet(states) }));
  /** The older `-m state --state`, which Docker 20.10 still writes in places. */
  readonly state = (...states: CtState[]): MatchModule => this.modules.get(JSON.stringify({ kind: 'conntrack', states: ctSet(states), module: 'state' }));
  readonly mark = (mark: number, mask: number): MatchModule => this.modules.get(JSON.stringify({ kind: 'mark', mark, mask }));
  /** ACCEPT, DROP, RETURN, MASQUERADE, CHECKSUM --checksum-fill. */
  readonly target = (kind: SimpleTarget): RuleTarget => this.targets.get(kind);
  /** A jump to a user chain. */
  readonly jump = (chain: string): RuleTarget => this.targets.get(`jump ${chain}`);

  /** `compute(piece)`, remembered for shared pieces: a rule's key then costs a few lookups and one join. */
  keyOf<T extends object>(piece: T, compute: (piece: T) => string): string {
    if (!this.shared.has(piece)) return compute(piece);
    let k = this.keys.get(piece);
    if (k === undefined) {
      k = compute(piece);
      this.keys.set(piece, k);
    }
    return k;
  }
}

/** Go's net.JoinHostPort: `[v6]:port` or `v4:port`. */
export const joinHostPort = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
