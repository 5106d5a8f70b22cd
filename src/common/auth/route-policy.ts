import type { RoleRequirement } from './requires-role.decorator.js';
import { maxRole, type Role } from './roles.js';

/** Methods that change nothing: the default rule lets readers use them. */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Methods recorded in the audit log and open to Idempotency-Key (POST only). */
export const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Routes answered without a token although they carry no `@Public()` (HealthController). */
export const OPEN_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/**
 * The fixed minimums, enforced even where a controller forgets its `@RequiresRole`:
 * token management, the audit log and webhooks are admin-only, and so is every write on
 * clusters (their credentials reach the clusters). A decorator may raise a requirement, never lower one
 * of these.
 */
const FLOORS: readonly { prefix: string; read?: Role; write?: Role }[] = [
  { prefix: '/v1/tokens', read: 'admin', write: 'admin' },
  { prefix: '/v1/audit', read: 'admin', write: 'admin' },
  { prefix: '/v1/clusters', write: 'admin' },
  // Webhooks send events (names, states, errors) to any URL an admin chose.
  { prefix: '/v1/webhooks', read: 'admin', write: 'admin' },
];

function underPrefix(route: string, prefix: string): boolean {
  return route === prefix || route.startsWith(`${prefix}/`);
}

/** True for the paths this API protects: `/v1` and below. */
export function isApiPath(path: string): boolean {
  return underPrefix(path, '/v1');
}

/**
 * The role a request needs: the declared requirement (handler over controller) or the default
 * rule (reads: reader, writes: writer), raised to the fixed minimum of its route.
 *
 * @param route the route pattern (`/v1/tokens/:name`), or the path when no route matched
 */
export function requiredRole(method: string, route: string, declared?: RoleRequirement): Role {
  const read = READ_METHODS.has(method.toUpperCase());
  const fromDeclaration =
    typeof declared === 'string' ? declared : read ? declared?.read : declared?.write;
  let role: Role = fromDeclaration ?? (read ? 'reader' : 'writer');
  for (const floor of FLOORS) {
    const min = read ? floor.read : floor.write;
    if (min && underPrefix(route, floor.prefix)) role = maxRole(role, min);
  }
  return role;
}
