import { pointer, problem, type Problem } from '../problems/problem.js';

/** Deeper than any valid request body (a document nests about 6 levels; free-form ACI fields are capped at 32 by the parser). */
export const MAX_BODY_DEPTH = 64;

// NUL and unpaired surrogates cannot be stored in PostgreSQL's jsonb; no valid field needs them.
// oxlint-disable-next-line no-control-regex -- NUL is exactly what this pattern must find
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Finds what makes a JSON body unsafe to hand to the rest of the stack, without recursion
 * (so a 1 MiB body of `[[[[...` cannot overflow the stack): nesting deeper than
 * MAX_BODY_DEPTH, and strings or keys that the database cannot store. Returns the first
 * problem, with its path, or undefined.
 */
export function hostileJsonProblem(body: unknown): Problem | undefined {
  const stack: { value: unknown; depth: number; path: string[] }[] = [
    { value: body, depth: 0, path: [] },
  ];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value))
        return problem(pointer(...path), 'INVALID_STRING', { subject: '' });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH)
      return problem(pointer(...path), 'NESTING_TOO_DEEP', { max: MAX_BODY_DEPTH });
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [String(i), v])
      : Object.entries(value);
    for (const [k, v] of entries) {
      if (!Array.isArray(value) && UNSTORABLE.test(k))
        return problem(pointer(...path, k), 'INVALID_STRING', { subject: 'this key ' });
      stack.push({ value: v, depth: depth + 1, path: [...path, k] });
    }
  }
  return undefined;
}
