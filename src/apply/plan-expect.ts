// What a plan shows of the file's `expect:` entries: those whose traced verdict the apply would change.
// The host as it runs is the build the last successful apply kept in the state directory
// (topology.json); the host as it will run is the build being planned. The other hosts of a fleet are
// the same on both sides (planning one host changes only it), so an entry changes only through this one.
import type { Origin } from '../diagnostics/origin.ts';
import type { Expectation } from '../model/expectations.ts';
import { expectationChanges, type ExpectationOutcome } from '../trace/expect.ts';
import type { Topology } from '../topology/types.ts';

/** The file's `expect:` entries and the build they are traced through. */
export interface PlanExpectations {
  readonly expectations: readonly Expectation[];
  /** Every host's topology of the build (the planned host's among them). */
  readonly fleet: readonly Topology[];
  /** `file:line:col` of an entry (its YAML path). */
  readonly locate?: (o: Origin) => string | undefined;
}

/** How one side traced an entry: its verdict (`reach`, `blocked`, `unknown`, or `invalid`) and why. */
export interface ExpectationSide {
  readonly verdict: string;
  readonly reason?: string;
}

/** An entry whose verdict the apply changes. */
export interface ExpectationShift {
  /** The entry as a line: `FROM -> TO:PORT/PROTO VERDICT [AT]`. */
  readonly expectation: string;
  /** Where it is written, `file:line:col`. */
  readonly source?: string;
  /** Traced through the build the last apply left on the host. */
  readonly before: ExpectationSide;
  /** Traced through the build being planned. */
  readonly after: ExpectationSide;
}

function side(o: ExpectationOutcome): ExpectationSide {
  if ('problem' in o) return { verdict: 'invalid', reason: o.problem };
  const reason = o.why ?? o.trace.reason;
  return { verdict: o.verdict, ...(reason ? { reason } : {}) };
}

/**
 * The entries whose verdict differs between the build the host runs (`last`, the state directory's)
 * and the planned one. undefined when nothing was kept to compare with (no apply yet, or one by a
 * netform that kept no build).
 */
export function expectationShifts(last: Topology | undefined, host: string, input: PlanExpectations): ExpectationShift[] | undefined {
  if (!last) return undefined;
  const before = input.fleet.map((t) => (t.host === host ? last : t));
  return expectationChanges(before, input.fleet, input.expectations).map((c) => {
    const source = input.locate?.(c.expectation.path);
    return { expectation: c.expectation.text, ...(source ? { source } : {}), before: side(c.before), after: side(c.after) };
  });
}
