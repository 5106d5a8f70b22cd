import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { JobHandlers } from '../../infra/queue/job-handlers.js';
import {
  JOB_APPLY_TARGET,
  JOB_NAMES,
  ROLLOUT_QUEUE,
  type ApplyTargetJob,
  type JobName,
} from '../../infra/queue/queue.constants.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import { ClusterSlots } from './cluster-slots.js';

/** A job refused a cluster slot is tried again after this long (plus up to half of it, at random). */
const SLOT_RETRY_MS = 1000;

function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name);
}

/**
 * The BullMQ worker: runs every job of the queue through the handler its owning module
 * registered (JobHandlers). Concurrency comes from config; it starts only in the worker role
 * (ROLE=worker|all), and refuses to start while a job name has no handler. On SIGTERM
 * @nestjs/bullmq closes the worker, which stops taking jobs and waits for the running ones; a
 * job cut short is picked up again by another worker through BullMQ's stalled-job recovery.
 */
// A job whose worker dies is taken over once its lock expires (lockDuration) and a stalled
// check runs (stalledInterval): within about 25 s.
@Processor(ROLLOUT_QUEUE, {
  autorun: false,
  lockDuration: 20_000,
  stalledInterval: 5_000,
  maxStalledCount: 3,
})
export class JobProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(JobProcessor.name);

  constructor(
    private readonly handlers: JobHandlers,
    private readonly slots: ClusterSlots,
    private readonly clusters: ClusterConnector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    const missing = this.handlers.missing();
    if (missing.length > 0)
      throw new Error(`the worker cannot start: no handler for job ${missing.join(', ')}`);
    this.worker.concurrency = this.config.workerConcurrency;
    void this.worker.run();
  }

  async process(job: Job, token?: string, signal?: AbortSignal): Promise<void> {
    const handler = isJobName(job.name) ? this.handlers.get(job.name) : undefined;
    if (!handler) throw new Error(`no handler for job ${job.name}`);
    const release = job.name === JOB_APPLY_TARGET ? await this.clusterSlot(job, token) : undefined;
    try {
      await handler.run(job.data as never, { attempt: job.attemptsMade + 1, signal });
    } finally {
      release?.();
    }
  }

  /**
   * A slot for a rollout job among those of its cluster (ClusterSlots). Without one, the job
   * goes back to the queue, delayed, without using an attempt (BullMQ's DelayedError), and its
   * worker slot is free for a job of another cluster.
   */
  private async clusterSlot(job: Job, token?: string): Promise<() => void> {
    const { clusterName } = job.data as ApplyTargetJob;
    const [view] = await this.clusters.views([clusterName]);
    const slot = this.slots.acquire(clusterName, view?.connection.state === 'Unreachable');
    if (slot.granted) return slot.release;
    this.logger.debug({ jobId: job.id, reason: slot.reason }, 'no cluster slot: job delayed');
    await job.moveToDelayed(Date.now() + SLOT_RETRY_MS * (1 + Math.random() / 2), token);
    throw new DelayedError();
  }

  @OnWorkerEvent('completed')
  onCompleted(job: Job): void {
    this.logger.log({ jobId: job.id, attempt: job.attemptsMade }, `${job.name} job completed`);
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (!job || !isJobName(job.name)) return;
    const handler = this.handlers.get(job.name);
    const attempts = job.opts.attempts ?? 1;
    const final = job.attemptsMade >= attempts;
    const delay = this.config.jobBackoffMs * 2 ** Math.max(0, job.attemptsMade - 1);
    this.logger.warn(
      { jobId: job.id, attempt: job.attemptsMade, final, error: error.message },
      `${job.name} attempt failed`,
    );
    await handler
      ?.failed?.(job.data as never, error, {
        attempt: job.attemptsMade,
        final,
        nextRetryAt: final ? undefined : new Date(Date.now() + delay),
      })
      .catch((e: unknown) =>
        this.logger.error(
          { err: e instanceof Error ? e.name : 'error' },
          'could not record a failed attempt',
        ),
      );
  }
}
