import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
}

/**
 * A mutual-exclusion lock in Redis (SET NX PX with a random token, renewed while held), so
 * that two workers on any machines never roll out the same policy to the same cluster at
 * once. If the holder dies, the lock expires after `ttlMs`.
 */
export async function withRedisLock<T>(
  redis: Redis,
  key: string,
  options: { ttlMs: number; waitMs: number; signal?: AbortSignal },
  body: () => Promise<T>,
): Promise<T> {
  const token = randomUUID();
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    options.signal?.throwIfAborted();
    if ((await redis.set(key, token, 'PX', options.ttlMs, 'NX')) === 'OK') break;
    if (Date.now() >= deadline) throw new LockTimeoutError(`another worker holds ${key}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const renew = setInterval(
    () => {
      redis.eval(EXTEND, 1, key, token, String(options.ttlMs)).catch(() => undefined);
    },
    Math.max(1000, Math.floor(options.ttlMs / 3)),
  );
  try {
    return await body();
  } finally {
    clearInterval(renew);
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
