import { pointer, problem, type Problem } from '../problems/problem.js';
import { isValidLabelKey } from './label-key.js';

/** The most labels a label map (a cluster's labels, a clusterSelector) may hold. */
export const MAX_LABELS = 64;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A Kubernetes label value: at most 63 letters, digits, `-`, `_` and `.`, alphanumeric at both ends, or empty. */
export function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/**
 * Every problem of a Kubernetes label map (keys, values, size), with paths `<base>/<key>`.
 * Empty when it is valid. Never throws.
 */
export function labelMapProblems(labels: unknown, base: string): Problem[] {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels))
    return [
      problem(base, 'TYPE_MISMATCH', { expected: 'an object of label keys to label values' }),
    ];
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS)
    return [problem(base, 'TOO_MANY_ITEMS', { count: entries.length, max: MAX_LABELS })];
  const errors: Problem[] = [];
  for (const [key, value] of entries) {
    const path = `${base}${pointer(key)}`;
    if (!isValidLabelKey(key))
      errors.push(problem(path, 'INVALID_LABEL_KEY', { value: JSON.stringify(key.slice(0, 80)) }));
    const named = JSON.stringify(key.slice(0, 80));
    if (typeof value !== 'string')
      errors.push(problem(path, 'TYPE_MISMATCH', { expected: `a string (the value of ${named})` }));
    else if (!isValidLabelValue(value))
      errors.push(
        problem(path, 'INVALID_LABEL_VALUE', {
          key: named,
          value: JSON.stringify(value.slice(0, 80)),
        }),
      );
  }
  return errors;
}
