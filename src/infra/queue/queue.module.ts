import { BullModule } from '@nestjs/bullmq';
import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { JobHandlers } from './job-handlers.js';
import { ROLLOUT_QUEUE, WEBHOOK_QUEUE } from './queue.constants.js';

/** Injection token of the shared ioredis connection (BullMQ duplicates it for blocking calls). */
export const REDIS = Symbol('REDIS');

function connect(config: AppConfig): Redis {
  // BullMQ requires maxRetriesPerRequest: null so that commands wait out a Redis restart
  // instead of failing a job; in ESM it cannot load ioredis itself, so it gets an instance.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on('error', () => undefined); // reconnects on its own; readiness reports the outage
  return redis;
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [{ provide: REDIS, inject: [APP_CONFIG], useFactory: connect }, RedisCloser],
  exports: [REDIS],
})
class RedisModule {}

/** BullMQ on REDIS_URL with QUEUE_PREFIX, the rollout and webhook queues, and the job-handler registry. */
@Global()
@Module({
  imports: [
    RedisModule,
    BullModule.forRootAsync({
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: Redis) => ({
        connection: redis,
        prefix: config.queuePrefix,
      }),
    }),
    BullModule.registerQueue({ name: ROLLOUT_QUEUE }, { name: WEBHOOK_QUEUE }),
  ],
  providers: [JobHandlers],
  exports: [BullModule, RedisModule, JobHandlers],
})
export class QueueModule {}

/** A terminus readiness check: Redis answers PING within 2 s. */
export function redisReadiness(
  redis: Redis,
  indicators = new HealthIndicatorService(),
): () => Promise<HealthIndicatorResult<'redis'>> {
  return async () => {
    const indicator = indicators.check('redis');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        redis.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer within 2000 ms')), 2000);
        }),
      ]);
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: err instanceof Error ? err.message : String(err) });
    } finally {
      clearTimeout(timer);
    }
  };
}
