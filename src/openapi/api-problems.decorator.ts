import { DECORATORS } from '@nestjs/swagger';
import type { HttpProblemCode } from '../common/http-problems.js';

/** Where a handler's own problem codes travel to the document builder (removed there). */
export const PROBLEMS_EXTENSION = 'x-gbp-problems';

/**
 * The catalogued problems (src/common/http-problems.ts) a route answers with beyond those every
 * route of its kind shares (authentication, rate limit, body and parameter validation, which
 * the document builder adds itself). Each becomes an `application/problem+json` answer of its
 * status in the OpenAPI document, with the catalogue's example body. Several on one handler add
 * up (unlike `@ApiExtension`, where the first one applied wins).
 */
export function ApiProblems(...codes: HttpProblemCode[]): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const extensions =
      (Reflect.getMetadata(DECORATORS.API_EXTENSION, handler) as Record<string, unknown>) ?? {};
    const declared = (extensions[PROBLEMS_EXTENSION] as HttpProblemCode[] | undefined) ?? [];
    Reflect.defineMetadata(
      DECORATORS.API_EXTENSION,
      { ...extensions, [PROBLEMS_EXTENSION]: [...new Set([...declared, ...codes])] },
      handler,
    );
    return descriptor;
  };
}
