// The lock file against what a compile chose: the allocations that would be added, freed or changed if
// the lock were written now (`--frozen-lock` refuses them; `validate` reports them).
import { keyId, type Choice, type LockPins, type Pinned } from './types.ts';

export type LockChange =
  /** An allocation the lock does not have yet (a new item). */
  | { readonly kind: 'add'; readonly choice: Choice }
  /** An allocation of an item the input no longer has, or no longer leaves to netform. */
  | { readonly kind: 'remove'; readonly pinned: Pinned }
  /** A pinned allocation netform did not keep (the lock spelled it otherwise). */
  | { readonly kind: 'change'; readonly choice: Choice; readonly pinned: Pinned };

/** Every difference, additions in the order chosen, then removals in the lock's order. */
export function lockChanges(pins: LockPins | undefined, choices: readonly Choice[]): LockChange[] {
  const out: LockChange[] = [];
  const chosen = new Set<string>();
  for (const c of choices) {
    const id = keyId(c.key);
    if (chosen.has(id)) continue;
    chosen.add(id);
    const p = pins?.get(c.key);
    if (!p) out.push({ kind: 'add', choice: c });
    else if (p.value !== c.value) out.push({ kind: 'change', choice: c, pinned: p });
  }
  for (const p of pins?.all() ?? []) if (!chosen.has(keyId(p.key))) out.push({ kind: 'remove', pinned: p });
  return out;
}

