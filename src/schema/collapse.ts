// ajv's errors for one value, collapsed: a combinator (anyOf/oneOf) and the errors of its branches become
// the branch the value meant (the one that got furthest into it), or, when every branch failed at the value
// itself, one item that keeps each branch's failures; summaries of inner errors are dropped.
import type { ErrorObject } from 'ajv';

export type AjvError = ErrorObject & { propertyName?: string };
export type Path = (string | number)[];

export interface Leaf {
  readonly kind: 'leaf';
  readonly err: AjvError;
}
export interface Combined {
  readonly kind: 'combined';
  /** The anyOf/oneOf error; its instancePath is where the value is. */
  readonly err: AjvError;
  /** The failures of each alternative the value could have meant, in schema order. */
  readonly alternatives: readonly Item[][];
}
export type Item = Leaf | Combined;

const COMBINATORS = new Set(['anyOf', 'oneOf']);
/** Errors that only summarise other, more precise errors reported beside them. */
const SUMMARIES = new Set(['if', 'propertyNames', 'not', 'contains']);

export function collapse(errors: readonly AjvError[]): Item[] {
  // ajv emits a combinator's branch errors before the combinator error itself (inner ones first), so one pass
  // that replaces "branch errors + combinator" by its resolution handles nesting.
  let pending: Item[] = [];
  for (const err of errors) {
    if (COMBINATORS.has(err.keyword) && !(err.params as { passingSchemas?: unknown }).passingSchemas) {
      const prefix = `${err.schemaPath}/`;
      let claimed = pending.filter((it) => it.err.schemaPath.startsWith(prefix));
      if (claimed.length === 0) {
        // Branches made of a bare $ref report schema paths inside the definition; take the run of errors
        // just before the combinator that concern this value.
        claimed = [];
        for (let i = pending.length - 1; i >= 0; i--) {
          const it = pending[i]!;
          if (!within(it.err.instancePath, err.instancePath)) break;
          claimed.unshift(it);
        }
      }
      const set = new Set(claimed);
      pending = pending.filter((it) => !set.has(it));
      pending.push(...resolve(err, claimed));
    } else if (!SUMMARIES.has(err.keyword)) {
      pending.push({ kind: 'leaf', err });
    }
  }
  return pending;
}

const within = (path: string, base: string) => path === base || path.startsWith(`${base}/`);

/** Depth of the value an item is about (errors on keys of a mapping are about its children). */
function depthOf(it: Item): number {
  const base = it.err.instancePath === '' ? 0 : it.err.instancePath.split('/').length - 1;
  const k = it.err.keyword;
  return base + (k === 'additionalProperties' || k === 'required' || it.err.propertyName !== undefined ? 1 : 0);
}

function resolve(comb: AjvError, claimed: Item[]): Item[] {
  if (claimed.length === 0) return [{ kind: 'leaf', err: comb }];
  const prefix = `${comb.schemaPath}/`;
  const groups = new Map<string, Item[]>();
  for (const it of claimed) {
    const sp = it.err.schemaPath;
    const key = sp.startsWith(prefix) ? (sp.slice(prefix.length).split('/')[0] ?? '') : (/^#\/definitions\/[^/]+/.exec(sp)?.[0] ?? sp);
    groups.set(key, [...(groups.get(key) ?? []), it]);
  }
  const branches = [...groups.values()];
  const here = comb.instancePath;
  const wrongType = (b: Item[]) => b.some((it) => it.err.keyword === 'type' && it.err.instancePath === here);
  const plausible = branches.filter((b) => !wrongType(b));
  const candidates = plausible.length > 0 ? plausible : branches;
  const baseDepth = depthOf({ kind: 'leaf', err: comb });
  let best: Item[] | undefined;
  let bestDepth = baseDepth;
  for (const b of candidates) {
    const d = Math.max(...b.map(depthOf));
    if (d > bestDepth || (d === bestDepth && best !== undefined && b.length < best.length)) {
      best = b;
      bestDepth = d;
    }
  }
  if (best) return best; // the value took this shape and went wrong inside it: report only that
  return [{ kind: 'combined', err: comb, alternatives: candidates }];
}
