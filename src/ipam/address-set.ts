// The addresses taken in one subnet, and the lowest free one of a range (AddAny: dynamic addresses are
// the lowest free ones, not handed out serially).
import { lastOf, networkOf, type Prefix } from '../net/index.ts';

export class AddressSet {
  private readonly used = new Set<bigint>();
  /** Addresses are only ever added, so the lowest free address of a range only moves up: remember it. */
  private readonly cursor = new Map<string, bigint>();
  constructor(readonly subnet: Prefix) {}
  has(v: bigint): boolean {
    return this.used.has(v);
  }
  add(v: bigint): void {
    this.used.add(v);
  }
  /** The lowest free address in `range`; the subnet's network address (and IPv4 broadcast) are never free. */
  lowestFree(range: Prefix): bigint | undefined {
    const k = `${range.address}/${range.length}`;
    const last = lastOf(range);
    for (let v = this.cursor.get(k) ?? networkOf(range); v <= last; v++) {
      if (!this.used.has(v)) {
        this.cursor.set(k, v);
        return v;
      }
    }
    return undefined;
  }
}
