// The layout of a lock file: which keys each level holds and what each value must be. The reader checks a
// file against it; the writer orders fields as listed here and sorts names. A level marked `flow` is
// written on one line ({ipv4: 172.18.0.2, mac: "…"}), so that one allocation changing is one line of diff.
import { parseAddr, parsePrefix, isMasked, prefixString, valueString } from '../net/index.ts';
import type { LockValue } from './types.ts';

export type Leaf = 'version' | 'ipv4' | 'ipv6' | 'prefix4' | 'prefix6' | 'mac' | 'id' | 'port' | 'vni';

export type Shape =
  | { readonly kind: 'leaf'; readonly leaf: Leaf }
  | { readonly kind: 'record'; readonly fields: Readonly<Record<string, Shape>>; readonly flow?: boolean }
  | { readonly kind: 'map'; readonly of: Shape; readonly what: string };

const leaf = (l: Leaf): Shape => ({ kind: 'leaf', leaf: l });
const record = (fields: Record<string, Shape>, flow = false): Shape => ({ kind: 'record', fields, flow });
const map = (of: Shape, what: string): Shape => ({ kind: 'map', of, what });

const addresses = record({ ipv4: leaf('ipv4'), ipv6: leaf('ipv6') }, true);
const endpoint = record({ ipv4: leaf('ipv4'), ipv6: leaf('ipv6'), mac: leaf('mac') }, true);
const family = (f: 4 | 6) => record({ subnet: leaf(f === 4 ? 'prefix4' : 'prefix6'), gateway: leaf(f === 4 ? 'ipv4' : 'ipv6') }, true);
const ports = map(map(leaf('port'), 'binding'), 'container or service');

export const LOCK_SHAPE: Shape = record({
  version: leaf('version'),
  hosts: map(
    record({
      networks: map(record({ id: leaf('id'), mac: leaf('mac'), ipv4: family(4), ipv6: family(6), containers: map(endpoint, 'container') }), 'network'),
      ports,
    }),
    'host',
  ),
  swarm: record({
    networks: map(record({ id: leaf('id'), vni: leaf('vni'), ipv4: family(4), ipv6: family(6), containers: map(endpoint, 'container') }), 'network'),
    ingress_sandboxes: map(addresses, 'host'),
    vips: map(map(addresses, 'network'), 'service'),
    ports,
  }),
});

export const LOCK_VERSION = 1;

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const ID = /^[0-9a-f]{12}$/;

/** A value of a leaf in canonical form, or what is wrong with it. */
export function checkLeaf(l: Leaf, v: unknown): { value: LockValue } | { problem: string } {
  const int = (lo: number, hi: number, what: string) =>
    typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? { value: v } : { problem: `${what} must be an integer from ${lo} to ${hi}` };
  if (l === 'version') return v === LOCK_VERSION ? { value: v } : { problem: `this netform reads lock files of version ${LOCK_VERSION}` };
  if (l === 'port') return int(1, 65535, 'a host port');
  if (l === 'vni') return int(1, 0xffffff, 'a VXLAN id');
  if (typeof v !== 'string') return { problem: 'must be a string' };
  switch (l) {
    case 'ipv4':
    case 'ipv6': {
      const f = l === 'ipv4' ? 4 : 6;
      const a = parseAddr(v);
      return a && a.family === f && a.zone === '' ? { value: valueString(f, a.value) } : { problem: `"${v}" is not an IPv${f} address` };
    }
    case 'prefix4':
    case 'prefix6': {
      const f = l === 'prefix4' ? 4 : 6;
      const p = parsePrefix(v);
      if (!p || p.family !== f) return { problem: `"${v}" is not an IPv${f} CIDR prefix` };
      return isMasked(p) ? { value: prefixString(p) } : { problem: `"${v}" has host bits set` };
    }
    case 'mac':
      return MAC.test(v.toLowerCase()) ? { value: v.toLowerCase() } : { problem: `"${v}" is not a MAC address (six bytes in hex, colon-separated)` };
    case 'id':
      return ID.test(v) ? { value: v } : { problem: `"${v}" is not a network id (12 lowercase hex digits)` };
  }
}
