import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { pointer } from '../core/problems/problem.js';
import { ProblemException, problemType, titleFor, type ProblemItem } from './problem.exception.js';

/** Flattens class-validator errors into problem items with JSON-pointer paths. */
export function validationProblems(errors: ValidationError[], parents: string[] = []): ProblemItem[] {
  const out: ProblemItem[] = [];
  for (const e of errors) {
    const path = [...parents, e.property];
    for (const [constraint, message] of Object.entries(e.constraints ?? {})) {
      const code = constraint === 'whitelistValidation' ? 'UNKNOWN_FIELD' : constraint.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
      out.push({ path: pointer(...path), code, message });
    }
    if (e.children?.length) out.push(...validationProblems(e.children, path));
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.code < b.code ? -1 : 1));
}

/**
 * The global pipe for DTOs: unknown fields are rejected (a typo must never be ignored),
 * values are transformed to their declared types, and every problem is reported at once.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const items = validationProblems(errors);
      return new ProblemException({
        type: problemType('INVALID_REQUEST'),
        title: titleFor(400),
        status: 400,
        detail: `The request has ${items.length} error${items.length === 1 ? '' : 's'}.`,
        errors: items,
      });
    },
  });
}
