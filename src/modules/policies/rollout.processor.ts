import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import {
  JOB_APPLY_TARGET,
  JOB_DRIFT_CHECK,
  ROLLOUT_QUEUE,
  type ApplyTargetJob,
} from '../../infra/queue/queue.constants.js';
import { DriftService } from '../drift/drift.service.js';
import { RolloutService } from './rollout.service.js';

/**
 * The BullMQ worker for rollout jobs. Concurrency comes from config; it starts only in the
 * worker role (ROLE=worker|all). On SIGTERM @nestjs/bullmq closes the worker, which stops
 * taking jobs and waits for the running ones; a job cut short is picked up again by another
 * worker through BullMQ's stalled-job recovery.
 */
// A job whose worker dies is taken over once its lock expires (lockDuration) and a stalled
// check runs (stalledInterval): within about 25 s.
@Processor(ROLLOUT_QUEUE, {
  autorun: false,
  lockDuration: 20_000,
  stalledInterval: 5_000,
  maxStalledCount: 3,
})
export class RolloutProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(RolloutProcessor.name);

  constructor(
    private readonly rollout: RolloutService,
    private readonly drift: DriftService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
    void this.worker.run();
  }

  async process(job: Job<ApplyTargetJob>, _token?: string, signal?: AbortSignal): Promise<void> {
    if (job.name === JOB_DRIFT_CHECK) {
      await this.drift.checkAll(signal);
      return;
    }
    if (job.name !== JOB_APPLY_TARGET) throw new Error(`no handler for job ${job.name}`);
    const { deploymentId, clusterName } = job.data;
    await this.rollout.runTarget(deploymentId, clusterName, {
      attempt: job.attemptsMade + 1,
      signal,
    });
  }

  @OnWorkerEvent('completed')
  onCompleted(job: Job<ApplyTargetJob>): void {
    this.logger.log({ jobId: job.id, attempt: job.attemptsMade }, 'rollout job completed');
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<ApplyTargetJob> | undefined, error: Error): Promise<void> {
    if (!job || job.name !== JOB_APPLY_TARGET) return;
    const attempts = job.opts.attempts ?? 1;
    const final = job.attemptsMade >= attempts;
    const delay = this.config.jobBackoffMs * 2 ** Math.max(0, job.attemptsMade - 1);
    this.logger.warn(
      { jobId: job.id, attempt: job.attemptsMade, final, error: error.message },
      'rollout attempt failed',
    );
    await this.rollout
      .recordFailure(
        job.data.deploymentId,
        job.data.clusterName,
        error,
        job.attemptsMade,
        final,
        final ? undefined : new Date(Date.now() + delay),
      )
      .catch((e: unknown) =>
        this.logger.error(
          { err: e instanceof Error ? e.name : 'error' },
          'could not record a failed attempt',
        ),
      );
  }
}
