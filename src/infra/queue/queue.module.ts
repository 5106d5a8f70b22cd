import { BullModule } from '@nestjs/bullmq';
import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { InstallationRepository } from './installation.repository.js';
import { JobHandlers } from './job-handlers.js';
import { claimQueuePrefix, QueuePrefixClaimedError, type PrefixClaim } from './prefix-claim.js';
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

/** Injection token of this installation's claim on QUEUE_PREFIX ({@link PrefixClaim}). */
export const PREFIX_CLAIM = Symbol('PREFIX_CLAIM');

/** How long the start waits for Redis to take the claim. */
const CLAIM_TIMEOUT_MS = 30_000;

/**
 * Claims QUEUE_PREFIX for this installation (the id in its database) before BullMQ is set up,
 * so that a second installation on the same Redis and prefix refuses to start instead of
 * taking this one's jobs. Redis restarted empty loses the claim: it is taken again whenever
 * the connection is ready, and a conflict found then is logged.
 */
async function claimPrefix(
  config: AppConfig,
  redis: Redis,
  installations: InstallationRepository,
): Promise<PrefixClaim> {
  const installationId = await installations.installationId();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `Redis did not answer within ${CLAIM_TIMEOUT_MS / 1000} s, so QUEUE_PREFIX "${config.queuePrefix}" could not be claimed for this installation; check REDIS_URL`,
          ),
        ),
      CLAIM_TIMEOUT_MS,
    );
  });
  try {
    const claim = await Promise.race([
      claimQueuePrefix(redis, config.queuePrefix, installationId),
      timeout,
    ]);
    const logger = new Logger('QueuePrefix');
    redis.on('ready', () => {
      claimQueuePrefix(redis, config.queuePrefix, installationId).catch((err: unknown) =>
        logger.error(err instanceof QueuePrefixClaimedError ? err.message : 'claim failed'),
      );
    });
    return claim;
  } finally {
    clearTimeout(timer);
  }
}

@Global()
@Module({
  providers: [
    InstallationRepository,
    {
      provide: PREFIX_CLAIM,
      inject: [APP_CONFIG, REDIS, InstallationRepository],
      useFactory: claimPrefix,
    },
  ],
  exports: [PREFIX_CLAIM],
})
class PrefixClaimModule {}

/** BullMQ on REDIS_URL with QUEUE_PREFIX, the rollout and webhook queues, and the job-handler registry. */
@Global()
@Module({
  imports: [
    RedisModule,
    PrefixClaimModule,
    BullModule.forRootAsync({
      // The claim first: no queue or worker exists before the prefix is ours.
      inject: [REDIS, PREFIX_CLAIM],
      useFactory: (redis: Redis, claim: PrefixClaim) => ({
        connection: redis,
        prefix: claim.prefix,
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
