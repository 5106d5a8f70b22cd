import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { problem } from '../core/problems/problem.js';
import { escapeControlCharacters, hasControlCharacter } from './control-characters.js';
import { invalidRequest } from './validation.pipe.js';

const MAX_SHOWN = 100;

/**
 * Refuses a path parameter holding a control character (`%00`, `%1F`, ...) with 400, before
 * any pipe or handler sees it: Express decodes parameters, so a NUL would otherwise reach the
 * database, which refuses it in text (a 500 on every route with a parameter).
 */
@Injectable()
export class RouteParamsGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const params = context.switchToHttp().getRequest<Request>().params ?? {};
    const errors = Object.entries(params)
      .filter(([, value]) => typeof value === 'string' && hasControlCharacter(value))
      .map(([name, value]) =>
        problem(`/${name}`, 'CONTROL_CHARACTER', {
          name,
          value: `"${escapeControlCharacters(String(value)).slice(0, MAX_SHOWN)}"`,
        }),
      );
    if (errors.length > 0) throw invalidRequest(errors);
    return true;
  }
}
