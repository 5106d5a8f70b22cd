import type { Problem } from '../problems/problem.js';

/** Compares by UTF-16 code units: locale-independent, so output is the same everywhere. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const CANONICAL_INDEX = /^(0|[1-9][0-9]*)$/;

/** Compares two reference tokens: list indexes numerically and before any other token. */
function compareTokens(a: string, b: string): number {
  const aIndex = CANONICAL_INDEX.test(a);
  const bIndex = CANONICAL_INDEX.test(b);
  if (aIndex && bIndex) return a.length - b.length || compareCodeUnits(a, b);
  if (aIndex !== bIndex) return aIndex ? -1 : 1;
  return compareCodeUnits(a, b);
}

/**
 * A total order on JSON pointers, token by token, so that `/ports/2` comes before
 * `/ports/10` and a parent before its children.
 */
export function comparePointers(a: string, b: string): number {
  if (a === b) return 0;
  const ta = a.split('/');
  const tb = b.split('/');
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    if (ta[i] !== tb[i]) return compareTokens(ta[i], tb[i]);
  }
  return ta.length - tb.length;
}

/** Problems sorted by path, then code, then message: a stable order for any input order. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (x, y) =>
      comparePointers(x.path, y.path) ||
      compareCodeUnits(x.code, y.code) ||
      compareCodeUnits(x.message, y.message),
  );
}
