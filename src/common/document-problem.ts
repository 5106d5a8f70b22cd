import type { Problem } from '../core/problems/problem.js';
import { ProblemException, problemType, titleFor } from './problem.exception.js';

/** The 400 answer for an invalid document, optionally nested under `prefix` (e.g. `/document`). */
export function documentProblem(
  errors: Problem[],
  warnings: Problem[],
  prefix = '',
): ProblemException {
  const rebase = (p: Problem): Problem => ({ ...p, path: `${prefix}${p.path}` });
  return new ProblemException({
    type: problemType('INVALID_DOCUMENT'),
    title: titleFor(400),
    status: 400,
    detail: `The policy document has ${errors.length} error${errors.length === 1 ? '' : 's'}.`,
    errors: errors.map(rebase),
    warnings: warnings.map(rebase),
  });
}
