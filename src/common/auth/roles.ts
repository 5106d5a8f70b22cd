/** `reader` < `writer` < `admin`: the order is the order of privilege. */
export const ROLES = ['reader', 'writer', 'admin'] as const;

/** A token's role. */
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The rank of a role: the higher, the more it may do. */
export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** True when a token with role `have` may do what needs role `need`. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return roleRank(have) >= roleRank(need);
}

/** The more privileged of two roles. */
export function maxRole(a: Role, b: Role): Role {
  return roleRank(a) >= roleRank(b) ? a : b;
}
