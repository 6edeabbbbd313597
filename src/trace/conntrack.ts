// Connection tracking, one table per namespace, as the kernel keeps it for the packets of one exchange:
// the first packet of a connection is NEW and goes through the nat chains, which bind its translations;
// every later packet, either way, finds the connection (ESTABLISHED), skips the nat chains and is
// translated from the binding: the original direction as bound, the reply direction undone (an SNAT
// comes off the reply's destination before routing, a DNAT off its source after it).
import type { CtState } from '../firewall/types.ts';
import { tupleKey, type Packet } from './packet.ts';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface Connection {
  /** The original direction's tuple, before any translation. */
  readonly orig: { readonly src: string; readonly sport: number; readonly dst: string; readonly dport: number };
  dnat?: Endpoint;
  snat?: Endpoint;
  /** The reply direction has been seen (later packets either way are ESTABLISHED). */
  replied: boolean;
  confirmed: boolean;
}

/** A packet's connection in the namespace it is crossing. */
export interface Tracked {
  readonly conn: Connection;
  readonly dir: 'original' | 'reply';
  readonly state: CtState;
}

export class ConntrackTable {
  private readonly byTuple = new Map<string, { conn: Connection; dir: 'original' | 'reply' }>();

  /** The connection of a packet entering the namespace: found either way, or a new one (unconfirmed). */
  track(p: Packet): Tracked {
    const found = this.byTuple.get(tupleKey(p));
    if (found) {
      if (found.dir === 'reply') found.conn.replied = true;
      return { conn: found.conn, dir: found.dir, state: found.dir === 'reply' || found.conn.replied ? 'ESTABLISHED' : 'NEW' };
    }
    const conn: Connection = { orig: { src: p.src, sport: p.sport, dst: p.dst, dport: p.dport }, replied: false, confirmed: false };
    return { conn, dir: 'original', state: 'NEW' };
  }

  /** Confirms a new connection once its first packet leaves the last hook: both tuples become known. */
  confirm(t: Tracked, p: Packet): void {
    if (t.conn.confirmed) return;
    t.conn.confirmed = true;
    const o = t.conn.orig;
    this.byTuple.set(tupleKey({ proto: p.proto, src: o.src, sport: o.sport, dst: o.dst, dport: o.dport }), { conn: t.conn, dir: 'original' });
    // The reply comes from where the packet went (after DNAT) back to where it seemed to come from (after SNAT).
    const to = t.conn.dnat ?? { address: o.dst, port: o.dport };
    const from = t.conn.snat ?? { address: o.src, port: o.sport };
    this.byTuple.set(tupleKey({ proto: p.proto, src: to.address, sport: to.port, dst: from.address, dport: from.port }), { conn: t.conn, dir: 'reply' });
  }
}
