// A plan as data: the objects it adds, changes and destroys (what `netform plan` shows), and the steps
// that make those changes, in order, each with what undoes it (what `netform apply` runs and, on any
// failure, rolls back). JSON throughout: a plan file holds one.
import type { FirewallTransaction } from './firewall/applier.ts';
import type { ExpectationShift } from './plan-expect.ts';
import type { Applied, Desired, Target } from './types.ts';

export type Action = 'create' | 'update' | 'delete' | 'replace';

export interface Change {
  readonly id: string;
  /** `network namespace`, `link`, `interface`, `route`, `sysctl`, `file`, `chain`, `rules`, `policy`. */
  readonly kind: string;
  /** What the plan prints after the action sign: `link br-1234 (bridge)`. */
  readonly label: string;
  readonly action: Action;
  /** The changed attributes, rules or lines: `mtu 1500 -> 1400`, `+ -A DOCKER ...`. */
  readonly details: readonly string[];
  /** The live object differs from what the last apply left: someone changed it outside netform. */
  readonly drift: boolean;
  readonly note?: string;
  /** Which part of the host it belongs to (`apply --only`). */
  readonly part: Part;
}

export type Part = 'network' | 'firewall' | 'files';

/** Where an `ip -batch` runs. */
export type IpWhere = 'current' | 'host' | { readonly netns: string };

export interface IpBatch {
  readonly where: IpWhere;
  readonly lines: readonly string[];
  /**
   * The program the lines are for: `ip -batch` (the default), `bridge -batch` (FDB entries), or
   * iptables-restore run inside a namespace (`where` names it) for the rules Docker puts there.
   */
  readonly program?: 'bridge' | 'iptables-restore';
}

export type Step =
  /**
   * `ip -batch` lines; `undo` runs with -force (each line may find its work already undone). With
   * `force` the lines are best effort too (what they remove may be gone already).
   */
  | { readonly kind: 'ip'; readonly label: string; readonly part: Part; readonly batch: IpBatch; readonly undo: readonly IpBatch[]; readonly force?: boolean }
  /** Several ip steps that touch different namespaces, run side by side. */
  | { readonly kind: 'parallel'; readonly label: string; readonly part: Part; readonly steps: readonly Extract<Step, { kind: 'ip' }>[] }
  /** sysctl writes in the host namespace; `undo` writes the values found before. */
  | { readonly kind: 'sysctl'; readonly label: string; readonly part: Part; readonly set: readonly SysctlWrite[]; readonly undo: readonly SysctlWrite[] }
  /** Files and directories under /etc/netns, in order. */
  | { readonly kind: 'files'; readonly label: string; readonly part: Part; readonly ops: readonly FileOp[] }
  /** One firewall transaction. */
  | { readonly kind: 'firewall'; readonly label: string; readonly part: Part; readonly transaction: FirewallTransaction }
  /**
   * Wait until links deleted with their namespace are gone from the host (the kernel finishes in the
   * background); those still there after a while belong to a namespace a process holds, and are
   * deleted from the host side.
   */
  | { readonly kind: 'wait-gone'; readonly label: string; readonly part: Part; readonly links: readonly string[] };

/**
 * One file operation: a directory made or removed (only when empty), a file written atomically or
 * removed; `before` is what the file held (what undoing puts back).
 */
export type FileOp =
  | { readonly op: 'mkdir' | 'rmdir'; readonly path: string }
  | { readonly op: 'write'; readonly path: string; readonly text: string; readonly before?: string }
  | { readonly op: 'remove'; readonly path: string; readonly before: string };

/** One sysctl write; an optional key that does not exist is left alone (br_netfilter's, a bridge's IPv6 ones). */
export interface SysctlWrite {
  readonly path: string;
  readonly value: string;
  readonly optional?: boolean;
}

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
}

export interface Plan {
  readonly format_version: 1;
  readonly target: Target;
  /** plan (apply FILE) or destroy. */
  readonly mode: 'apply' | 'destroy';
  readonly only?: Part;
  readonly changes: readonly Change[];
  readonly steps: readonly Step[];
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
  /** What the state directory records once the plan is applied. */
  readonly after: Applied;
  readonly summary: PlanSummary;
  /** The desired state (a plan file applies it without the input). Absent for destroy. */
  readonly desired?: Desired;
  /** A digest of the live state the plan was computed against. */
  readonly fingerprint: string;
  /** The file's `expect:` entries whose traced verdict the apply changes (absent: none were compared). */
  readonly expectations?: readonly ExpectationShift[];
}

export function summarise(changes: readonly Change[]): PlanSummary {
  let add = 0;
  let change = 0;
  let destroy = 0;
  for (const c of changes) {
    if (c.action === 'create') add++;
    else if (c.action === 'update') change++;
    else if (c.action === 'delete') destroy++;
    else {
      add++;
      destroy++;
    }
  }
  return { add, change, destroy };
}
