import type { Problem } from '../core/problems/problem.js';
import { httpProblem } from './http-problems.js';
import type { ProblemException } from './problem.exception.js';

/** The 400 answer for an invalid document, optionally nested under `prefix` (e.g. `/document`). */
export function documentProblem(
  errors: Problem[],
  warnings: Problem[],
  prefix = '',
): ProblemException {
  const rebase = (p: Problem): Problem => ({ ...p, path: `${prefix}${p.path}` });
  return httpProblem(
    'INVALID_DOCUMENT',
    { count: errors.length },
    { errors: errors.map(rebase), warnings: warnings.map(rebase) },
  );
}
