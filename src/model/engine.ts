// The Docker Engine releases netform reproduces. What differs between them is data: the firewall's layout
// per release (src/firewall/engine.ts) and the model's gates (engine-checks.ts).

export type Engine = '29' | '28' | '27' | '20.10';

/** Newest first. */
export const ENGINES: readonly Engine[] = ['29', '28', '27', '20.10'];

const RANK: { readonly [E in Engine]: number } = { '20.10': 0, '27': 1, '28': 2, '29': 3 };

/** `a` is release `b` or newer. */
export const atLeast = (a: Engine, b: Engine): boolean => RANK[a] >= RANK[b];
