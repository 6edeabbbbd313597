// The lock file as data. Every allocation netform chose rather than the user (a subnet, a gateway, an
// address, a MAC, a bridge id, a VNI, a host port) has a key, its place in the lock file, so that the
// next compile can keep it: Docker keeps what it allocated for as long as the network or container lives,
// and a lock is how a declarative file says "still the same network" (docs/lock.md).
import type { YamlPath } from '../diagnostics/diagnostic.ts';

/** Where an allocation sits in the lock file, e.g. ['hosts', 'local', 'networks', 'backend', 'ipv4', 'subnet']. */
export type LockKey = readonly string[];

export type LockValue = string | number;

/** An allocation a compile chose (or kept because the lock pins it). */
export interface Choice {
  readonly key: LockKey;
  /** In canonical form (what the lock file spells). */
  readonly value: LockValue;
  /** The input's YAML path of the item it belongs to (network, endpoint, port): where a diagnostic about it points. */
  readonly origin: YamlPath;
}

/** An allocation the lock file pins. */
export interface Pinned {
  readonly key: LockKey;
  /** In canonical form. */
  readonly value: LockValue;
  /** Offset of the value in the lock file's text: its line and column are worked out only for a message. */
  readonly offset: number;
}

/** What a lock file pins. */
export interface LockPins {
  /** The lock file's name, as diagnostics print it. */
  readonly file: string;
  get(key: LockKey): Pinned | undefined;
  /** Every pinned allocation, in the order of the file. */
  all(): Iterable<Pinned>;
  /** `file:line:col` of a pinned value, for messages. */
  where(p: Pinned): string;
}

/** The key of a LockKey in maps (its parts are names and never hold NUL). */
export const keyId = (key: LockKey): string => key.join('\u0000');

/** A key as the lock file's reader sees it: hosts.local.networks.backend.ipv4.subnet. */
export const keyText = (key: LockKey): string => key.map((k) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k))).join('.');
