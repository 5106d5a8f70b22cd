import type { Redis } from 'ioredis';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

function fakeRedis(status: string, evalImpl: () => Promise<unknown>): Redis {
  return { status, eval: vi.fn(evalImpl) } as unknown as Redis;
}

describe('RedisThrottlerStorage', () => {
  it('counts in Redis under the prefix and blocks above the limit', async () => {
    let hits = 0;
    const redis = fakeRedis('ready', async () => [++hits, 42_100]);
    const storage = new RedisThrottlerStorage(redis, 'pfx');
    const first = await storage.increment('t:token:ci', 60_000, 2, 60_000, 't');
    expect(first).toEqual({
      totalHits: 1,
      timeToExpire: 43,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    await storage.increment('t:token:ci', 60_000, 2, 60_000, 't');
    expect(await storage.increment('t:token:ci', 60_000, 2, 60_000, 't')).toEqual({
      totalHits: 3,
      timeToExpire: 43,
      isBlocked: true,
      timeToBlockExpire: 43,
    });
    expect(vi.mocked(redis.eval).mock.calls[0].slice(1)).toEqual([
      1,
      'pfx:rate:t:token:ci',
      '60000',
    ]);
    storage.close();
  });

  it('counts in memory, warning once, while Redis is down or failing', async () => {
    const warn = vi.fn();
    for (const redis of [
      fakeRedis('reconnecting', async () => [1, 1000]),
      fakeRedis('ready', async () => Promise.reject(new Error('boom'))),
    ]) {
      const storage = new RedisThrottlerStorage(redis, 'pfx', { warn });
      const records = [];
      for (let i = 0; i < 3; i++)
        records.push(await storage.increment('k', 60_000, 2, 60_000, 't'));
      expect(records.map((r) => r.isBlocked)).toEqual([false, false, true]);
      storage.close();
    }
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[0][0])).not.toMatch(/boom/);
  });
});
