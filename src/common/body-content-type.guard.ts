import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { httpProblem } from './http-problems.js';
import { JSON_BODY_TYPES, YAML_BODY_TYPES } from './media-types.js';

/**
 * Rejects request bodies that are neither JSON nor YAML with 415, instead of letting an
 * unparsed body reach validation as `{}` and produce misleading "field is required" errors.
 */
@Injectable()
export class BodyContentTypeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return true;
    const length = Number(req.headers['content-length'] ?? 0);
    const hasBody = length > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return true;
    if (req.is([...JSON_BODY_TYPES, ...YAML_BODY_TYPES])) return true;
    throw httpProblem('UNSUPPORTED_MEDIA_TYPE', {
      contentType: req.headers['content-type'] ?? 'no content type',
    });
  }
}
