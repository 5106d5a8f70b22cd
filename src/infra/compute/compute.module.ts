import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ComputePool } from './compute-pool.js';

@Injectable()
class ComputePoolCloser implements OnApplicationShutdown {
  constructor(@Inject(ComputePool) private readonly pool: ComputePool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}

/** The worker-thread pool for CPU-heavy work (COMPUTE_THREADS, COMPUTE_BUDGET_MS). */
@Global()
@Module({
  providers: [
    {
      provide: ComputePool,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) =>
        new ComputePool({
          threads: c.computeThreads,
          budgetMs: c.computeBudgetMs,
          maxQueued: c.computeThreads * 32,
        }),
    },
    ComputePoolCloser,
  ],
  exports: [ComputePool],
})
export class ComputeModule {}
