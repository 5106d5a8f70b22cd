import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { JobHandlers } from '../../infra/queue/job-handlers.js';
import { JOB_DELIVER_WEBHOOK, WEBHOOK_QUEUE } from '../../infra/queue/queue.constants.js';

/**
 * The BullMQ worker of the webhook queue (ROLE=worker|all): runs each delivery job through the
 * handler the webhooks module registered in JobHandlers, WEBHOOK_CONCURRENCY at a time. On
 * SIGTERM @nestjs/bullmq closes it; an attempt cut short is aborted and tried again.
 */
@Processor(WEBHOOK_QUEUE, { autorun: false, lockDuration: 60_000 })
export class WebhookProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(WebhookProcessor.name);

  constructor(
    private readonly handlers: JobHandlers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.webhookConcurrency;
    void this.worker.run();
  }

  async process(job: Job, _token?: string, signal?: AbortSignal): Promise<void> {
    const handler = job.name === JOB_DELIVER_WEBHOOK ? this.handlers.get(job.name) : undefined;
    if (!handler) throw new Error(`no handler for job ${job.name}`);
    await handler.run(job.data as never, { attempt: job.attemptsMade + 1, signal });
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (!job || job.name !== JOB_DELIVER_WEBHOOK) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    // The id only: the error may quote the receiver's answer, never the URL.
    this.logger.warn(
      { jobId: job.id, attempt: job.attemptsMade, final, error: error.message },
      'webhook delivery attempt failed',
    );
    await this.handlers
      .get(JOB_DELIVER_WEBHOOK)
      ?.failed?.(job.data as never, error, { attempt: job.attemptsMade, final })
      .catch((e: unknown) =>
        this.logger.error(
          { err: e instanceof Error ? e.name : 'error' },
          'could not record a failed webhook attempt',
        ),
      );
  }
}
