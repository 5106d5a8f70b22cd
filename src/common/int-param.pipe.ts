import { ParseIntPipe } from '@nestjs/common';
import { invalidRequest } from './validation.pipe.js';

/**
 * An integer path parameter (`/revisions/:n`): anything else is a 400 INVALID_REQUEST naming
 * the parameter, as every other request problem is reported (ParseIntPipe's own answer names
 * nothing).
 */
export function intParam(name: string): ParseIntPipe {
  return new ParseIntPipe({
    exceptionFactory: () =>
      invalidRequest([{ path: `/${name}`, code: 'IS_INT', message: `${name} must be an integer` }]),
  });
}
