import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Role } from './roles.js';
import { httpProblem } from '../http-problems.js';

/** Who is calling: the name and role of the API token that authenticated the request. */
export interface AuthPrincipal {
  readonly tokenName: string;
  readonly role: Role;
}

/** A symbol, so that the principal never ends up in a serialised request (logs, errors). */
const PRINCIPAL = Symbol.for('gbp-netpol.principal');

type WithPrincipal = { [PRINCIPAL]?: AuthPrincipal };

/** The authenticated principal of a request, or undefined (open route, or not yet authenticated). */
export function principalOf(req: object): AuthPrincipal | undefined {
  return (req as WithPrincipal)[PRINCIPAL];
}

/** The principal of a request that must have one; 401 otherwise (a route that forgot its guard). */
export function requirePrincipal(req: object): AuthPrincipal {
  const principal = principalOf(req);
  if (!principal) throw httpProblem('UNAUTHENTICATED', {});
  return principal;
}

/** Attaches the principal; only the authentication guard calls this. */
export function attachPrincipal(req: object, principal: AuthPrincipal): void {
  Object.defineProperty(req, PRINCIPAL, {
    value: principal,
    enumerable: false,
    configurable: true,
  });
}

/** Handler parameter: the authenticated `{ tokenName, role }`, e.g. `create(@Principal() who: AuthPrincipal)`. */
export const Principal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthPrincipal =>
    requirePrincipal(ctx.switchToHttp().getRequest<object>()),
);
