// Golden comparison: what a build produced against what a golden directory holds. Pure: both sides
// arrive as maps of relative path -> content. Diffs are unified and capped, so a huge change prints a
// summary instead of hanging (jsdiff's maxEditLength and timeout).
import { createTwoFilesPatch } from 'diff';
import { isSecretFile } from '../render/files/secret.ts';

export type GoldenDifference =
  | { readonly kind: 'missing'; readonly path: string }
  | { readonly kind: 'unexpected'; readonly path: string }
  | { readonly kind: 'changed'; readonly path: string; readonly patch: string };

/** Edits beyond which a file's diff is summarised rather than printed. */
const MAX_EDIT_LENGTH = 5000;
const DIFF_TIMEOUT_MS = 2000;

export function unifiedDiff(path: string, expected: string, actual: string): string {
  const patch = createTwoFilesPatch(`golden/${path}`, `build/${path}`, expected, actual, '', '', {
    context: 3,
    maxEditLength: MAX_EDIT_LENGTH,
    timeout: DIFF_TIMEOUT_MS,
  });
  if (patch !== undefined) return patch;
  const lines = (s: string) => s.split('\n').length;
  return `--- golden/${path}\n+++ build/${path}\n(too many differences to show: ${lines(expected)} lines expected, ${lines(actual)} lines built)\n`;
}

/**
 * Every difference, sorted by path: files only in the golden, only in the build, or different. Files
 * holding key material (*.secret) are never part of a golden: they are left out on both sides.
 */
export function compareWithGolden(golden: ReadonlyMap<string, string>, built: ReadonlyMap<string, string>): GoldenDifference[] {
  const out: GoldenDifference[] = [];
  const paths = [...new Set([...golden.keys(), ...built.keys()])].filter((p) => !isSecretFile(p)).sort();
  for (const p of paths) {
    const g = golden.get(p);
    const b = built.get(p);
    if (g === undefined) out.push({ kind: 'unexpected', path: p });
    else if (b === undefined) out.push({ kind: 'missing', path: p });
    else if (g !== b) out.push({ kind: 'changed', path: p, patch: unifiedDiff(p, g, b) });
  }
  return out;
}

export function describeDifference(d: GoldenDifference): string {
  switch (d.kind) {
    case 'missing':
      return `${d.path}: in the golden but not built\n`;
    case 'unexpected':
      return `${d.path}: built but not in the golden\n`;
    case 'changed':
      return d.patch;
  }
}
