import { applyDecorators, type Type } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiResponse } from '@nestjs/swagger';

const ETAG = {
  ETag: {
    description: 'A weak validator of this answer: send it back in If-None-Match.',
    schema: { type: 'string' },
  },
};

/**
 * A GET answered through `conditional()` (src/common/http-answer.ts): 200 with `type` and an
 * ETag, or 304 without a body when If-None-Match names the current ETag.
 */
export function ApiConditional(type: Type<unknown>) {
  return applyDecorators(
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description: 'The ETag of an earlier answer: 304 without a body while nothing changed.',
    }),
    ApiOkResponse({ type, headers: ETAG }),
    ApiResponse({
      status: 304,
      description: 'Not modified since the ETag in If-None-Match.',
      headers: ETAG,
    }),
  );
}
