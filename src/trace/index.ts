// The packet tracer (docs/trace.md): topologies and a query -> a trace with a verdict, the address
// translations and every rule that decided.
export { trace, fabricOf, placeOf, CLIENT_PORT, TraceError, type TraceOptions } from './trace.ts';
export { defaultWorld } from './world.ts';
export type { Cidr, HostWorld, Leg, LegOutcome, Party, Place, Trace, TraceQuery, TraceStep, TraceVerdict, TraceWorld, Translation } from './types.ts';
