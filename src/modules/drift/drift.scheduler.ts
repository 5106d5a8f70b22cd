import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import {
  DRIFT_SCHEDULER_ID,
  JOB_DRIFT_CHECK,
  ROLLOUT_QUEUE,
  type DriftCheckJob,
} from '../../infra/queue/queue.constants.js';

/**
 * Registers the repeatable drift check (a BullMQ job scheduler on the rollout queue, every
 * DRIFT_INTERVAL_MS). Provided only in the worker role. Upserting is idempotent: every worker
 * registers the same scheduler id, so there is one schedule whatever the number of workers,
 * and a changed interval replaces the old one at the next start. Each run is one job that some
 * worker takes, so a pass runs once per interval, not once per worker.
 */
@Injectable()
export class DriftScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(DriftScheduler.name);

  constructor(
    @InjectQueue(ROLLOUT_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: with Redis down, the command waits for the reconnection and must not hold up the start.
    void this.register();
  }

  async register(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        DRIFT_SCHEDULER_ID,
        { every: this.config.driftIntervalMs },
        {
          name: JOB_DRIFT_CHECK,
          data: {} satisfies DriftCheckJob,
          opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      );
    } catch (e) {
      this.logger.warn(
        { error: e instanceof Error ? e.message : 'unknown' },
        'could not register the drift check schedule',
      );
    }
  }
}
