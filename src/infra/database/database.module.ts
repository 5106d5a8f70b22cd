import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { openDatabase, type DatabaseHandle } from './database.js';

/** Injection token of the opened, migrated {@link DatabaseHandle}. */
export const DATABASE = Symbol('DATABASE');

const READINESS_TIMEOUT_MS = 2_000;

@Injectable()
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  async onApplicationShutdown(): Promise<void> {
    await this.handle.close();
  }
}

/** Opens the database (running migrations) at start and closes it at `app.close()` / SIGTERM. */
@Global()
@Module({
  providers: [
    {
      provide: DATABASE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }),
    },
    DatabaseCloser,
  ],
  exports: [DATABASE],
})
export class DatabaseModule {}

/**
 * A terminus readiness check: `select 1` within 2 s, reported as
 * `{ database: { status: 'up' | 'down', driver, message? } }`.
 */
export function databaseReadiness(
  handle: DatabaseHandle,
  indicators: HealthIndicatorService = new HealthIndicatorService(),
): () => Promise<HealthIndicatorResult<'database'>> {
  return async () => {
    const indicator = indicators.check('database');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)),
        READINESS_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([handle.ping(), timeout]);
      return indicator.up({ driver: handle.driver });
    } catch (err) {
      return indicator.down({
        driver: handle.driver,
        message: err instanceof Error ? err.message : String(err),
      });
    } finally {
      clearTimeout(timer);
    }
  };
}
