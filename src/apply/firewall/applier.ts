// One interface for applying a build's firewall to a live host, one implementation per backend (as
// src/firewall has one builder per backend): read the live rules, plan the owned part's changes as data,
// apply them as transactions, and roll a committed transaction back. Everything a backend plans is
// plain JSON (it goes into plan files and the state directory).
import type { FirewallRules } from '../../firewall/backend.ts';
import type { System } from '../system.ts';

/** One firewall object the plan changes: an owned chain (or table), the owned rules in a built-in chain, a policy. */
export interface FirewallChange {
  readonly id: string;
  readonly kind: 'chain' | 'rules' | 'policy' | 'table' | 'map' | 'set';
  /** Shown in the plan: `chain ip filter DOCKER`, `rules ip filter FORWARD`, `policy ip filter FORWARD`. */
  readonly label: string;
  readonly action: 'create' | 'update' | 'delete';
  /** Rule lines added and removed, as the backend writes them. */
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** The live object differs from what the last apply left (someone changed it by hand). */
  readonly drift: boolean;
  readonly note?: string;
}

/**
 * One run of the backend's tool: for iptables one `iptables-restore --noflush` of a family's tables,
 * each `*table ... COMMIT` block its own kernel transaction; for nft one `nft -f` of everything.
 */
export interface FirewallTransaction {
  /** What it covers, for messages and the journal: `ip raw,filter,nat`, `nft`. */
  readonly name: string;
  readonly family?: 4 | 6;
  /** The tables it writes, in input order. */
  readonly tables?: readonly string[];
  /** The one table a removal is about. */
  readonly table?: string;
  readonly input: string;
  /**
   * The program that takes the input, when it is not iptables-restore: `nft` removes iptables-nft's
   * empty tables (the input lists them), `nft-load` is `nft -f` of the input (the nftables backend).
   */
  readonly tool?: 'nft' | 'nft-load';
}

/** A backend's plan: the changes to show, the transactions that make them, the owned state after them. */
export interface FirewallPlan {
  readonly backend: string;
  readonly changes: readonly FirewallChange[];
  readonly transactions: readonly FirewallTransaction[];
  readonly warnings: readonly string[];
  /** Facts worth saying once (a policy left alone, ...). */
  readonly notes: readonly string[];
  /** The owned state once applied, recorded in the state directory (backend-specific JSON). */
  readonly after: unknown;
}

/** What a backend reads of the live host: its rules text, as the plan input and the rollback point. */
export interface LiveFirewall {
  readonly backend: string;
  /** Backend-specific raw text per part (`v4`, `v6`, `nft`), as saved with counters. */
  readonly text: Readonly<Record<string, string>>;
}

/** The facts about the host a firewall plan depends on beyond the rules. */
export interface FirewallContext {
  /** Forwarding per family before netform first set it: dockerd sets FORWARD DROP only when it turned forwarding on. */
  readonly forwardingWasOn: { readonly 4: boolean; readonly 6: boolean };
}

export interface FirewallApplier {
  readonly backend: string;
  /** The shell commands (one per part) that print the live rules, run together with the rest of the read. */
  readCommands(desired: FirewallRules | undefined, last: unknown): Readonly<Record<string, string>>;
  /** Plans desired (undefined: nothing, as destroy wants) against the live rules and the last apply. */
  plan(desired: FirewallRules | undefined, live: LiveFirewall, last: unknown, context: FirewallContext): FirewallPlan;
  /** Applies one transaction; the error text when the kernel refused it (nothing of it was committed). */
  commit(system: System, t: FirewallTransaction): string | undefined;
  /** Puts back the part of `before` a committed transaction touched, reading the live rules again. */
  rollback(system: System, t: FirewallTransaction, before: LiveFirewall): string | undefined;
  /** A digest of what the plan read that decides it (positions included), for stale plan files. */
  fingerprint(live: LiveFirewall): string;
}
