// A set of addresses of one family, kept as sorted, disjoint, non-adjacent intervals: "does this prefix
// overlap anything taken" is a binary search, and a run of consecutive subnets handed out from a pool is
// one interval, so finding the next free subnet skips it in one step. IPAM at 1,000 networks would
// otherwise compare every new subnet with every earlier one (and walk a pool past all of them).
import { lastOf, networkOf, type Prefix } from '../net/index.ts';

export class AddressSpace {
  private readonly starts: bigint[] = [];
  private readonly ends: bigint[] = [];

  /** Index of the first interval that ends at or after `v` (intervals.length when none). */
  private firstEndingFrom(v: bigint): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds [start, end], merging with the intervals it overlaps or touches. */
  add(start: bigint, end: bigint): void {
    const i = this.firstEndingFrom(start - 1n); // an interval ending at start-1 touches it
    let j = i;
    let s = start;
    let e = end;
    while (j < this.starts.length && this.starts[j]! <= end + 1n) {
      if (this.starts[j]! < s) s = this.starts[j]!;
      if (this.ends[j]! > e) e = this.ends[j]!;
      j++;
    }
    this.starts.splice(i, j - i, s);
    this.ends.splice(i, j - i, e);
  }

  addPrefix(p: Prefix): void {
    this.add(networkOf(p), lastOf(p));
  }

  /** The end of the taken run that overlaps [start, end], or undefined when all of it is free. */
  clashEnd(start: bigint, end: bigint): bigint | undefined {
    const i = this.firstEndingFrom(start);
    return i < this.starts.length && this.starts[i]! <= end ? this.ends[i] : undefined;
  }

  overlaps(p: Prefix): boolean {
    return this.clashEnd(networkOf(p), lastOf(p)) !== undefined;
  }
}
