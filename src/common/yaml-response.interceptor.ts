import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';
import { YAML_MEDIA_TYPE } from './media-types.js';
import { setWarningHeaders, warningTexts } from './warnings.js';
import { yamlAnswer } from './yaml-answer.js';

export { YAML_MEDIA_TYPE };

/** True when the client prefers YAML (`Accept: application/yaml`, also `text/yaml`, `application/x-yaml`). */
export function prefersYaml(req: Request): boolean {
  // JSON is listed first, so `*/*` and a missing Accept header choose JSON.
  const best = req.accepts([
    'application/json',
    'application/yaml',
    'application/x-yaml',
    'text/yaml',
  ]);
  return typeof best === 'string' && best !== 'application/json';
}

/**
 * Renders `{ items: [...] }` answers as multi-document YAML when the client asks for it,
 * so that `curl ... | kubectl apply -f -` works. The answer's `warnings` (a `deny` contract
 * that was dropped, ignored source ports...) lead the YAML as `# Warning:` comments and go
 * out as `Warning` headers too, so that they are not lost with the JSON field. Other answers
 * are untouched.
 */
@Injectable()
export class YamlResponseInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    if (!prefersYaml(req)) return next.handle();
    const res = http.getResponse<Response>();
    return next.handle().pipe(
      map((body: unknown) => {
        const items = (body as { items?: unknown[] } | undefined)?.items;
        if (!Array.isArray(items)) return body;
        setWarningHeaders(res, warningTexts(body));
        res.type(YAML_MEDIA_TYPE);
        return yamlAnswer({ ...(body as object), items });
      }),
    );
  }
}
