// What a stage sees of the lock: the allocations pinned in its scope (a host's, or the swarm's), and where
// it records what it chose. Without a lock (NO_LOCK) nothing is pinned or recorded, and every stage
// allocates exactly as Docker does, in creation order.
import type { YamlPath } from '../diagnostics/diagnostic.ts';
import type { Choice, LockKey, LockPins, LockValue, Pinned } from './types.ts';

export class LockScope {
  constructor(
    private readonly pins: LockPins | undefined,
    private readonly prefix: LockKey,
    private readonly out: Choice[] | undefined,
    /** Keys of this scope's allocations that the lock file spells elsewhere (swarm.ts: the VIPs' and sandboxes'). */
    private readonly rename?: (key: LockKey) => LockKey,
  ) {}

  /** Whether a lock is kept at all. */
  get active(): boolean {
    return this.pins !== undefined || this.out !== undefined;
  }

  private full(key: LockKey): LockKey {
    return [...this.prefix, ...(this.rename ? this.rename(key) : key)];
  }

  /** The allocation the lock pins at `key`, if any. */
  pinned(key: LockKey): Pinned | undefined {
    return this.pins?.get(this.full(key));
  }

  /** Records that `key` got `value` (chosen now, or kept from the lock) for the input item at `origin`. */
  chose(key: LockKey, value: LockValue, origin: YamlPath): void {
    this.out?.push({ key: this.full(key), value, origin });
  }

  /** `file:line:col` of a pinned value. */
  where(p: Pinned): string {
    return this.pins ? this.pins.where(p) : '';
  }

  /** The same lock seen from another scope (another host, the swarm). */
  scope(prefix: LockKey, rename?: (key: LockKey) => LockKey): LockScope {
    return new LockScope(this.pins, prefix, this.out, rename);
  }
}

/** No lock: nothing pinned, nothing recorded. */
export const NO_LOCK = new LockScope(undefined, [], undefined);
