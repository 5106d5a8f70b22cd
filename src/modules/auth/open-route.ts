import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { PUBLIC_METADATA } from '../../common/auth/requires-role.decorator.js';
import { OPEN_ROUTES } from '../../common/auth/route-policy.js';
import { routePattern, type RoutedRequest } from '../../common/auth/route-pattern.js';

/** True for routes answered without a token and not rate limited: `@Public()` ones and health. */
export function isOpenRoute(reflector: Reflector, context: ExecutionContext): boolean {
  if (
    reflector.getAllAndOverride<boolean | undefined>(PUBLIC_METADATA, [
      context.getHandler(),
      context.getClass(),
    ])
  ) {
    return true;
  }
  return OPEN_ROUTES.has(routePattern(context.switchToHttp().getRequest<RoutedRequest>()));
}
