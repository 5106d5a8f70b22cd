import type { LoggerService } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';

/** What ThrottlerStorage.increment answers (the record type is not exported by name). */
type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

// A fixed window per key: the first hit starts it, the count resets when it expires.
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { hits, ttl }
`;

const REDIS_TIMEOUT_MS = 250;

/**
 * Rate-limit counters in Redis, shared by every API process. When Redis is not ready or slow,
 * the counters of this process (@nestjs/throttler's in-memory storage) take over, so that an
 * outage of Redis never fails or stalls requests.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly local = new ThrottlerStorageService();
  private degraded = false;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly logger?: Pick<LoggerService, 'warn'>,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerRecord> {
    if (this.redis.status === 'ready') {
      try {
        const record = await this.incrementInRedis(key, ttl, limit);
        this.degraded = false;
        return record;
      } catch {
        this.noteDegraded();
      }
    } else {
      this.noteDegraded();
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  /** Stops the in-memory storage's sweeping timer. */
  close(): void {
    this.local.onApplicationShutdown();
  }

  private async incrementInRedis(
    key: string,
    ttl: number,
    limit: number,
  ): Promise<ThrottlerRecord> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([
        this.redis.eval(INCREMENT, 1, `${this.keyPrefix}:rate:${key}`, String(ttl)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), REDIS_TIMEOUT_MS);
        }),
      ]);
      const [hits, ttlMs] = (answer as [number, number]).map(Number);
      const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
      const isBlocked = hits > limit;
      return {
        totalHits: hits,
        timeToExpire: seconds,
        isBlocked,
        timeToBlockExpire: isBlocked ? seconds : 0,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  private noteDegraded(): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger?.warn(
      'Redis is unavailable for rate limiting: counting per process until it is back',
    );
  }
}
