import { Logger, Module, type OnApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { SecretBox } from '../../infra/crypto/secret-box.js';
import { REDIS } from '../../infra/queue/queue.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { ApiTokenGuard } from './api-token.guard.js';
import { ApiTokenService } from './api-token.service.js';
import { AUTH_LOGGER } from './auth.constants.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IDEMPOTENCY_BOX, IdempotencyService } from './idempotency.service.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { RATE_LIMIT_THROTTLER, TokenThrottlerGuard } from './token-throttler.guard.js';
import { TokensController } from './tokens.controller.js';

/** Stops the fallback storage's timer at shutdown (Nest does not call hooks on a storage given as an option). */
@Injectable()
class ThrottlerStorageCloser implements OnApplicationShutdown {
  constructor(@Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage) {}

  onApplicationShutdown(): void {
    if (this.storage instanceof RedisThrottlerStorage) this.storage.close();
  }
}

/**
 * Security of the API: bearer tokens and roles (global ApiTokenGuard), per-token rate limiting
 * (global TokenThrottlerGuard, before it), Idempotency-Key on POST (global interceptor),
 * /v1/tokens, and the audit log (AuditModule). Needs APP_CONFIG, DATABASE and REDIS.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: Redis) => ({
        throttlers: [{ name: RATE_LIMIT_THROTTLER, ttl: 60_000, limit: config.rateLimitPerMinute }],
        storage: new RedisThrottlerStorage(redis, config.queuePrefix, new Logger('RateLimit')),
      }),
    }),
    AuditModule,
  ],
  controllers: [TokensController],
  providers: [
    { provide: AUTH_LOGGER, useFactory: () => new Logger('ApiTokens') },
    ApiTokenService,
    IdempotencyService,
    {
      provide: IDEMPOTENCY_BOX,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => SecretBox.load(config.encryptionKey, config.dataDir).box,
    },
    ThrottlerStorageCloser,
    // Guards run in this order: count the request (per token, or per IP without one), then check it.
    { provide: APP_GUARD, useClass: TokenThrottlerGuard },
    { provide: APP_GUARD, useClass: ApiTokenGuard },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
  exports: [ApiTokenService],
})
export class AuthModule {}
