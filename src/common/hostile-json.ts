import { pointer } from '../core/problems/problem.js';
import type { ProblemItem } from './problem.exception.js';

export { hostileJsonProblem, MAX_BODY_DEPTH } from '../core/document/hostile-json.js';

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
