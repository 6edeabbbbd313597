// Tests that cannot run on this machine are skipped with their reason, never counted as passed.
//
//   testOrSkip(reason, name, fn)   registers `fn` as test `name`, or, when `reason` is set, a skip
//   skip(name, reason)             registers a skipped test
//   skippedCheck(name, reason)     inside a running test: one of its checks could not be made here
//
// uvu counts registered skips in its own summary ("Skipped: N"); test/run.ts reads the reasons from
// the records below (one array per process, tagged with the file that made them) and counts the
// skipped checks too.
import { test as defaultSuite } from 'uvu';

type Suite = typeof defaultSuite;
type Fn = Parameters<Suite>[1];

export interface SkipRecord {
  readonly file: string;
  readonly name: string;
  readonly reason: string;
  /** A check inside a test that ran (and passed or failed on its other checks). */
  readonly check: boolean;
}

interface SkipState {
  /** The test file being loaded or run (set by test/support/lane.ts; empty when run by hand). */
  file: string;
  readonly records: SkipRecord[];
}

const state: SkipState = ((globalThis as { __netformSkips?: SkipState }).__netformSkips ??= { file: '', records: [] });

/** The process-wide skip records (test/support/lane.ts reads and sets them). */
export const skipState = (): SkipState => state;

function record(name: string, reason: string, check: boolean): void {
  state.records.push({ file: state.file, name, reason, check });
  // Run by hand (not by test/run.ts), the reason would otherwise be nowhere.
  if (!state.file) console.log(`\n  SKIPPED ${check ? 'check ' : ''}${name}: ${reason}`);
}

export function skip(name: string, reason: string, suite: Suite = defaultSuite): void {
  suite.skip(name, () => {});
  record(name, reason, false);
}

export function testOrSkip(reason: string | undefined, name: string, fn: Fn, suite: Suite = defaultSuite): void {
  if (reason) skip(name, reason, suite);
  else suite(name, fn);
}

export function skippedCheck(name: string, reason: string): void {
  record(name, reason, true);
}
