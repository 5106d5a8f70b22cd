import { DrizzleQueryError } from 'drizzle-orm/errors';
import { DatabaseUnavailableError, isDatabaseUnavailable, pgErrorCode } from './database.js';

/**
 * A failed query without its message: a driver's message lists the query parameters (token
 * hashes, sealed credentials), so only the operation and the SQLSTATE travel on.
 */
export class DatabaseQueryError extends Error {
  override readonly name = 'DatabaseQueryError';
  /** The SQLSTATE, as drivers name it (so pgErrorCode still finds it). */
  readonly code: string | undefined;

  constructor(operation: string, sqlState: string | undefined) {
    super(`${operation} failed (SQLSTATE ${sqlState ?? 'unknown'})`);
    this.code = sqlState;
  }
}

/**
 * A driver error as the rest of the service may see it: DatabaseUnavailableError when the
 * database could not be reached (the API answers 503), DatabaseQueryError without the query
 * or its parameters for a failed query. Any other error is returned as it is.
 */
export function toDatabaseError(operation: string, err: unknown): unknown {
  if (err instanceof DatabaseUnavailableError || err instanceof DatabaseQueryError) return err;
  if (isDatabaseUnavailable(err)) return new DatabaseUnavailableError();
  if (
    err instanceof DrizzleQueryError ||
    (err instanceof Error && 'params' in err && 'query' in err) ||
    pgErrorCode(err) !== undefined
  )
    return new DatabaseQueryError(operation, pgErrorCode(err));
  return err;
}

type AnyMethod = (...args: unknown[]) => unknown;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    (typeof v === 'object' || typeof v === 'function') &&
    v !== null &&
    typeof (v as { then?: unknown }).then === 'function'
  );
}

/**
 * Class decorator for every class that queries the database (repositories): each method's
 * rejection goes through toDatabaseError, named `<Class>.<method>`. So no driver error, with
 * its query parameters, ever leaves a repository, and the HTTP layer needs to know only
 * DatabaseUnavailableError.
 */
export function MapsDatabaseErrors(): ClassDecorator {
  return (target) => {
    const proto = target.prototype as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (!descriptor || typeof descriptor.value !== 'function') continue;
      const original = descriptor.value as AnyMethod;
      const operation = `${target.name}.${key}`;
      Object.defineProperty(proto, key, {
        ...descriptor,
        value: function (this: unknown, ...args: unknown[]): unknown {
          let result: unknown;
          try {
            result = original.apply(this, args);
          } catch (err) {
            throw toDatabaseError(operation, err);
          }
          // Query builders are thenables, not Promises: both are awaited through here.
          if (isThenable(result))
            return Promise.resolve(result).catch((err: unknown) => {
              throw toDatabaseError(operation, err);
            });
          return result;
        },
      });
    }
  };
}
