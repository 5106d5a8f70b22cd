import {
  DatabaseUnavailableError,
  isDatabaseUnavailable,
  pgErrorCode,
} from '../../infra/database/database.js';

/**
 * A failed query's error without its message, which would print the query parameters (a
 * token's hash, a sealed answer). Other errors (e.g. a refused connection) are kept as they are.
 */
export function withoutQueryParams(what: string, err: unknown): unknown {
  if (isDatabaseUnavailable(err)) return new DatabaseUnavailableError();
  if (err instanceof Error && 'params' in err && 'query' in err) {
    return new Error(`${what} failed (SQLSTATE ${pgErrorCode(err) ?? 'unknown'})`);
  }
  return err;
}
