// What the link layer (l2.ts) and local delivery (deliver.ts) hand packets back to: the walker's layer-3
// entry points, and the result every step of a walk ends with.
import type { Origin } from '../diagnostics/origin.ts';
import type { Iface, Ns } from './fabric.ts';
import type { HookIo } from './hooks.ts';
import type { Hook } from './netfilter.ts';
import type { Packet } from './packet.ts';

export type WalkResult =
  | { readonly outcome: 'delivered'; readonly ns: Ns; readonly packet: Packet }
  | { readonly outcome: 'dropped'; readonly ns: Ns; readonly reason: string; readonly origin?: Origin }
  | { readonly outcome: 'unknown'; readonly ns: Ns; readonly reason: string };

export interface Receiver {
  /** A socket of `ns` sends `p`. */
  send(ns: Ns, p: Packet): WalkResult;
  /** Layer-3 input on `inIf` (PREROUTING first unless `prerouted`). */
  input(ns: Ns, inIf: Iface, p: Packet, prerouted: boolean): WalkResult;
  /** Routed through `ns` out of `dev` (PREROUTING already done). */
  forward(ns: Ns, inIf: Iface, p: Packet, dev: Iface, nexthop: string): WalkResult;
  /** Handed to a socket. */
  delivered(ns: Ns, p: Packet): WalkResult;
  /** A VXLAN packet's inner frame entering an overlay namespace through vxlan0. */
  decapsulated(ns: Ns, vxlan0: Iface, inner: Packet, nexthop: string): WalkResult;
  /** Runs a hook; a result when it stopped the packet. */
  hook(ns: Ns, hook: Hook, p: Packet, io: HookIo): WalkResult | undefined;
  /** Confirms the packet's new connection in `ns` (it leaves the namespace's hooks). */
  confirm(ns: Ns, p: Packet): void;
  dropped(ns: Ns, reason: string, origin?: Origin): WalkResult;
  unknown(ns: Ns, reason: string): WalkResult;
}
