import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Response } from 'express';
import { tap, type Observable } from 'rxjs';
import { setWarningHeaders, warningTexts } from './warnings.js';

/**
 * Global: an answer whose body carries `warnings` also gets them as `Warning` headers, as the
 * Kubernetes API server sends its warnings, whatever the format of the body.
 */
@Injectable()
export class WarningHeadersInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      tap((body: unknown) => {
        if (body !== null && typeof body === 'object') setWarningHeaders(res, warningTexts(body));
      }),
    );
  }
}
