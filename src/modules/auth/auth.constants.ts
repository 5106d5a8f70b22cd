import type { LoggerService } from '@nestjs/common';

/**
 * The logger of the token service. Its `warn` prints the bootstrap token: the one line in
 * which a secret is ever logged. Injectable, so that tests can capture that line.
 */
export const AUTH_LOGGER = Symbol('AUTH_LOGGER');
export type AuthLogger = Pick<LoggerService, 'log' | 'warn' | 'error'>;

/** The admin token created when no token exists at all at start. */
export const BOOTSTRAP_TOKEN_NAME = 'bootstrap-admin';

/** How long this process trusts its in-memory copy of the token table. */
export const TOKEN_CACHE_TTL_MS = 10_000;

/** After a failed refresh, the next request tries again this much later. */
export const TOKEN_CACHE_RETRY_MS = 1_000;
