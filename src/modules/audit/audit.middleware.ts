import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { principalOf } from '../../common/auth/principal.js';
import { isApiPath, WRITE_METHODS } from '../../common/auth/route-policy.js';
import { requestPath } from '../../common/auth/route-pattern.js';
import { auditEntry, CLIENT_CLOSED_STATUS } from './audit-entry.js';
import { AuditService } from './audit.service.js';

/**
 * Records every write under /v1 (also the rejected and failed ones) once its response is over:
 * who (token name, null without a valid token), method, route pattern, target, status, result.
 * A middleware rather than an interceptor, so that requests refused by a guard are seen too.
 */
@Injectable()
export class AuditMiddleware implements NestMiddleware {
  constructor(private readonly audit: AuditService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    if (WRITE_METHODS.has(req.method) && isApiPath(requestPath(req))) {
      // This middleware is itself mounted as a catch-all route: only another route is a match.
      const mountRoute: unknown = req.route;
      // 'close' also comes when the client leaves before the answer is complete ('finish' would not).
      res.once('close', () => {
        const matched: unknown = req.route;
        const route =
          matched !== mountRoute &&
          typeof (matched as { path?: unknown } | undefined)?.path === 'string'
            ? (matched as { path: string }).path
            : undefined;
        const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED_STATUS;
        this.audit.record(auditEntry(req, route, status, principalOf(req)?.tokenName));
      });
    }
    next();
  }
}
