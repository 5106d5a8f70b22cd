import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Role } from './roles.js';

export const REQUIRED_ROLE_METADATA = 'gbp-netpol:required-role';
export const PUBLIC_METADATA = 'gbp-netpol:public';

/**
 * OpenAPI extensions that carry these declarations to the document builder, which turns them
 * into each operation's security, role and problems (src/openapi) and removes them.
 */
export const DECLARED_ROLE_EXTENSION = 'x-gbp-declared-role';
export const PUBLIC_EXTENSION = 'x-gbp-public';

/**
 * What a controller or handler needs: one role for every method, or one for reads
 * (GET/HEAD/OPTIONS) and one for writes (POST/PUT/PATCH/DELETE). A missing side keeps the
 * default rule (reads: reader, writes: writer).
 */
export type RoleRequirement = Role | { read?: Role; write?: Role };

/**
 * Declares the role a route needs; on a handler it overrides its controller's.
 *
 * @example `@RequiresRole('admin')` on the tokens controller;
 *          `@RequiresRole({ write: 'admin' })` on the clusters controller (reads stay open to readers).
 */
export const RequiresRole = (requirement: RoleRequirement) =>
  applyDecorators(
    SetMetadata(REQUIRED_ROLE_METADATA, requirement),
    ApiExtension(DECLARED_ROLE_EXTENSION, requirement),
  );

/** Opens a route to unauthenticated callers (liveness/readiness); nothing under /v1 should need it. */
export const Public = () =>
  applyDecorators(SetMetadata(PUBLIC_METADATA, true), ApiExtension(PUBLIC_EXTENSION, true));
