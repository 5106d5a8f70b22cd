/** Injection token for the list of terminus indicator functions that /readyz runs. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
