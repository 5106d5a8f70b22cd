import { InjectQueue } from '@nestjs/bullmq';
import { Global, Logger, Module } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { ROLLOUT_QUEUE, WEBHOOK_QUEUE } from '../../infra/queue/queue.constants.js';
import { DeploymentsModule } from '../deployments/deployments.module.js';
import { AppMetrics, QUEUE_JOB_STATES } from './app-metrics.js';
import { MetricsEvents } from './metrics-events.service.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRepository } from './metrics.repository.js';
import { MetricsServer } from './metrics-server.service.js';

/** Holds the queues for the metrics factory (InjectQueue works on classes only). */
class Queues {
  constructor(
    @InjectQueue(ROLLOUT_QUEUE) readonly rollout: Queue,
    @InjectQueue(WEBHOOK_QUEUE) readonly webhooks: Queue,
  ) {}
}

/**
 * Prometheus metrics in every role: the registry (AppMetrics, global, so that other modules
 * count into it), the event subscriber, and the METRICS_PORT listener. The HTTP middleware is
 * installed by configureApp.
 */
@Global()
@Module({
  imports: [DeploymentsModule],
  providers: [
    MetricsRepository,
    Queues,
    {
      provide: AppMetrics,
      inject: [MetricsRepository, Queues],
      useFactory: (repo: MetricsRepository, queues: Queues) => {
        const logger = new Logger('Metrics');
        return new AppMetrics(
          {
            syncStates: () => repo.syncStates(),
            queueCounts: async () => ({
              [ROLLOUT_QUEUE]: await queues.rollout.getJobCounts(...QUEUE_JOB_STATES),
              [WEBHOOK_QUEUE]: await queues.webhooks.getJobCounts(...QUEUE_JOB_STATES),
            }),
          },
          (what, err) =>
            logger.warn(
              { err: err instanceof Error ? err.name : typeof err },
              `could not read ${what} for a scrape`,
            ),
        );
      },
    },
    MetricsEvents,
    MetricsServer,
  ],
  exports: [AppMetrics],
})
export class MetricsModule {}

/** GET /metrics on the API port, behind a reader token (ROLE=api|all). */
@Module({ controllers: [MetricsController] })
export class MetricsApiModule {}
