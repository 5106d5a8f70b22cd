import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import {
  REQUIRED_ROLE_METADATA,
  type RoleRequirement,
} from '../../common/auth/requires-role.decorator.js';
import { requiredRole } from '../../common/auth/route-policy.js';
import { routePattern } from '../../common/auth/route-pattern.js';
import { roleAtLeast } from '../../common/auth/roles.js';
import { httpProblem } from '../../common/http-problems.js';
import { ApiTokenService } from './api-token.service.js';
import { isOpenRoute } from './open-route.js';

export const WWW_AUTHENTICATE = 'Bearer realm="gbp-netpol"';

/**
 * The global authentication and authorisation guard: every route needs a valid bearer token
 * except `@Public()` ones and /healthz, /readyz (the OpenAPI document and Swagger UI are not
 * Nest routes and stay open). The role needed is the route's `@RequiresRole` (handler over
 * controller) or the default rule, raised to the fixed minimums of route-policy.ts.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (isOpenRoute(this.reflector, context)) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const principal = await this.tokens.identify(req);
    if (!principal) {
      const presented = req.headers.authorization !== undefined;
      // RFC 6750: a challenge always, and error="invalid_token" when a token was sent.
      http
        .getResponse<Response>()
        .setHeader(
          'WWW-Authenticate',
          presented ? `${WWW_AUTHENTICATE}, error="invalid_token"` : WWW_AUTHENTICATE,
        );
      throw presented ? httpProblem('INVALID_TOKEN', {}) : httpProblem('UNAUTHENTICATED', {});
    }
    const declared = this.reflector.getAllAndOverride<RoleRequirement | undefined>(
      REQUIRED_ROLE_METADATA,
      [context.getHandler(), context.getClass()],
    );
    const need = requiredRole(req.method, routePattern(req), declared);
    if (!roleAtLeast(principal.role, need)) {
      throw httpProblem('INSUFFICIENT_ROLE', {
        need,
        token: principal.tokenName,
        role: principal.role,
      });
    }
    return true;
  }
}
