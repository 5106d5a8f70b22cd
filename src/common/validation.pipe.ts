import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { reservedKeyProblem } from './hostile-json.js';
import { pointer } from '../core/problems/problem.js';
import { httpProblem } from './http-problems.js';
import type { ProblemException, ProblemItem } from './problem.exception.js';

/** Flattens class-validator errors into problem items with JSON-pointer paths. */
export function validationProblems(
  errors: ValidationError[],
  parents: string[] = [],
): ProblemItem[] {
  const out: ProblemItem[] = [];
  for (const e of errors) {
    const path = [...parents, e.property];
    for (const [constraint, message] of Object.entries(e.constraints ?? {})) {
      const code =
        constraint === 'whitelistValidation'
          ? 'UNKNOWN_FIELD'
          : constraint.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
      out.push({ path: pointer(...path), code, message });
    }
    if (e.children?.length) out.push(...validationProblems(e.children, path));
  }
  return out.sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.code < b.code ? -1 : 1,
  );
}

/** Free-form body fields that the core parser validates itself, key by key. */
const FREE_FORM_FIELDS = new Set(['document']);

/**
 * The global pipe for DTOs: unknown fields are rejected (a typo must never be ignored),
 * values are transformed to their declared types, and every problem is reported at once.
 * class-transformer silently drops keys such as `constructor` and `__proto__`, so a DTO body
 * holding one is rejected first, and free-form fields (a policy document) are handed on as
 * the client sent them.
 */
class DtoValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDtoBody =
      metadata.type === 'body' &&
      typeof metadata.metatype === 'function' &&
      metadata.metatype !== Object;
    if (isDtoBody) {
      const reserved = reservedKeyProblem(value, FREE_FORM_FIELDS);
      if (reserved) throw invalidRequest([reserved]);
    }
    // class-transformer rewrites nested plain objects in place (dropping such keys), so the
    // free-form fields are copied first; the body middleware has bounded their depth.
    const saved = new Map<string, unknown>();
    if (isDtoBody && value && typeof value === 'object') {
      for (const field of FREE_FORM_FIELDS)
        if (Object.hasOwn(value, field))
          saved.set(field, structuredClone((value as Record<string, unknown>)[field]));
    }
    const out: unknown = await super.transform(value, metadata);
    if (out && typeof out === 'object')
      for (const [field, raw] of saved) (out as Record<string, unknown>)[field] = raw;
    return out;
  }
}

/** A 400 listing every problem of a request, sorted by path then code. */
export function invalidRequest(items: ProblemItem[]): ProblemException {
  const errors = [...items].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0,
  );
  return httpProblem('INVALID_REQUEST', { count: errors.length }, { errors });
}

export function createValidationPipe(): ValidationPipe {
  return new DtoValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => invalidRequest(validationProblems(errors)),
  });
}
