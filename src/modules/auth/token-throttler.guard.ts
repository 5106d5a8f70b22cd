import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request } from 'express';
import { httpProblem } from '../../common/http-problems.js';
import { ApiTokenService } from './api-token.service.js';
import { isOpenRoute } from './open-route.js';

/**
 * The one throttler: RATE_LIMIT_PER_MINUTE requests per minute per token (per IP without one).
 * Named 'default' so that the headers are the plain Retry-After and X-RateLimit-Limit/-Remaining/-Reset
 * (any other name is appended to them).
 */
export const RATE_LIMIT_THROTTLER = 'default';

/**
 * @nestjs/throttler's guard with a tracker per API token, so that a token's budget is shared by
 * every route (the key ignores the route) and by every process (when the storage is Redis).
 * Requests without a valid token are counted per client IP, which also slows down guessing.
 * Registered before ApiTokenGuard, so that rejected requests are counted too.
 */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly tokens: ApiTokenService,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http' || isOpenRoute(this.reflector, context);
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = await this.tokens.identify(req as unknown as Request);
    return principal ? `token:${principal.tokenName}` : `ip:${await super.getTracker(req)}`;
  }

  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    throttlerName: string,
  ): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const who = detail.tracker.startsWith('token:')
      ? `the token "${detail.tracker.slice('token:'.length)}"`
      : 'this client';
    throw httpProblem('RATE_LIMITED', {
      limit: detail.limit,
      seconds: Math.round(detail.ttl / 1000),
      who,
      retryAfter: Math.max(1, detail.timeToBlockExpire),
    });
  }
}
