import { pointer } from '../core/problems/problem.js';
import type { ProblemItem } from './problem.exception.js';

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
export function hostileJsonProblem(body: unknown): ProblemItem | undefined {
  const stack: { value: unknown; depth: number; path: string[] }[] = [
    { value: body, depth: 0, path: [] },
  ];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value))
        return {
          path: pointer(...path),
          code: 'INVALID_STRING',
          message: 'contains a NUL character or an unpaired surrogate',
        };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH)
      return {
        path: pointer(...path),
        code: 'NESTING_TOO_DEEP',
        message: `is nested deeper than ${MAX_BODY_DEPTH} levels`,
      };
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [String(i), v])
      : Object.entries(value);
    for (const [k, v] of entries) {
      if (!Array.isArray(value) && UNSTORABLE.test(k))
        return {
          path: pointer(...path, k),
          code: 'INVALID_STRING',
          message: 'this key contains a NUL character or an unpaired surrogate',
        };
      stack.push({ value: v, depth: depth + 1, path: [...path, k] });
    }
  }
  return undefined;
}

/** Keys that class-transformer drops silently; in a DTO body they are rejected instead. */
export const RESERVED_KEYS = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/**
 * The first reserved key in a DTO body outside the `skip` top-level fields (free-form ones,
 * such as a policy document, which the core parser reads key by key itself).
 */
export function reservedKeyProblem(
  body: unknown,
  skip: ReadonlySet<string>,
): ProblemItem | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value: body, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    for (const [k, v] of Array.isArray(value)
      ? value.map((x, i) => [String(i), x] as const)
      : Object.entries(value)) {
      if (path.length === 0 && skip.has(k)) continue;
      if (!Array.isArray(value) && RESERVED_KEYS.has(k))
        return {
          path: pointer(...path, k),
          code: 'RESERVED_KEY',
          message: `${k} is not accepted as a key here`,
        };
      stack.push({ value: v, path: [...path, k] });
    }
  }
  return undefined;
}
