// One interface for every firewall backend, as moby has one Firewaller with an iptabler and an nftabler
// behind it (daemon/libnetwork/drivers/bridge/internal/firewaller). A backend replays what dockerd
// programs for a FirewallInput into rule data of its own shape, and spells that data as the files a
// build writes. Adding a backend is a folder beside iptables/ that exports one FirewallBackend, plus
// its rules type in the FirewallRules union and its entry in index.ts.
import type { FirewallInput } from './input.ts';
import type { Ruleset } from './iptables/types.ts';
import type { NftTable } from './nftables/types.ts';
import type { Origin, SourcePath } from './types.ts';

/** The iptables backend's rules: one ruleset per family (absent when nothing is programmed in it). */
export interface IptablesRules {
  readonly backend: 'iptables';
  readonly v4?: Ruleset;
  readonly v6?: Ruleset;
}

/** Something dockerd would refuse to program (the container or network then fails to start). */
export interface FirewallRefusal {
  readonly origin?: SourcePath;
  readonly message: string;
}

/** The nftables backend's rules: Docker's nft tables, and the iptables rules kept beside them. */
export interface NftablesRules {
  readonly backend: 'nftables';
  /** `docker-bridges` of each enabled family (ip, then ip6), then `docker-overlay` when encrypted overlays need it. */
  readonly tables: readonly NftTable[];
  /** netform's own NETFORM-SWARM chain, which is no part of Docker's nft tables (none/index.ts keptRules). */
  readonly iptables?: { readonly v4?: Ruleset; readonly v6?: Ruleset };
  /** What dockerd would refuse; the build reports each as an error. */
  readonly refusals?: readonly FirewallRefusal[];
}

/** The rules of a build, in the shape of the backend that made them. */
export type FirewallRules = IptablesRules | NftablesRules;

export type FirewallBackendName = FirewallRules['backend'];

/** An output file of the firewall: its name in the host's folder and its text. */
export type FirewallFile = readonly [name: string, text: string];

export interface FirewallBackend<R extends FirewallRules = FirewallRules> {
  readonly name: R['backend'];
  /**
   * What dockerd programs for `input`. A family whose daemon option (`iptables` / `ip6tables`) is off
   * gets only what the null backend keeps (none/index.ts).
   */
  build(input: FirewallInput): R;
  /** The files that load `rules` into a kernel, in the order a build lists them. */
  files(rules: R): readonly FirewallFile[];
  /**
   * For source maps: per file of `files`, the origin of each line (the rule it spells), or undefined for
   * the file's frame (table and chain declarations, COMMIT), which the release's layout makes.
   */
  origins?(rules: R): readonly FirewallFileOrigins[];
}

/** An output file's name and, per line, the origin of what it spells (undefined: the frame). */
export type FirewallFileOrigins = readonly [name: string, lines: readonly (Origin | undefined)[]];
