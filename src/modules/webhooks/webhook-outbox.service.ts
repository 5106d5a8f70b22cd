import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import {
  DomainEvents,
  type DomainEventMap,
  type DomainEventType,
} from '../../infra/events/domain-events.js';
import {
  deliverWebhookJobId,
  JOB_DELIVER_WEBHOOK,
  WEBHOOK_QUEUE,
} from '../../infra/queue/queue.constants.js';
import { DeploymentsRepository } from '../deployments/deployments.repository.js';
import {
  connectionChangedData,
  deploymentFinishedData,
  driftDetectedData,
  phaseChangedData,
  WEBHOOK_EVENT_TYPES,
  type WebhookPayload,
} from './webhook-events.js';
import { WebhooksRepository } from './webhooks.repository.js';

/**
 * Turns domain events into deliveries: for each event, one `webhook_deliveries` row per
 * subscribed webhook (pending, with the payload), then one `deliver-webhook` job per row on
 * the webhook queue, which a worker (of any process) sends. Events are handled one at a time,
 * in the order this process emitted them. The database is the source of truth: pending
 * deliveries are enqueued again at start and every RECONCILE_INTERVAL_MS (job ids are
 * deterministic, so this is a no-op for jobs that exist).
 */
@Injectable()
export class WebhookOutbox implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookOutbox.name);
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly events: DomainEvents,
    private readonly repo: WebhooksRepository,
    private readonly deployments: DeploymentsRepository,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    for (const type of WEBHOOK_EVENT_TYPES)
      this.unsubscribe.push(this.events.on(type, (event) => this.handle(type, event)));
  }

  onApplicationBootstrap(): void {
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), this.config.reconcileIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** Queues the handling of one event behind the ones before it; resolves when it is done. */
  private handle<T extends DomainEventType>(type: T, event: DomainEventMap[T]): Promise<void> {
    const timestamp = new Date().toISOString();
    this.chain = this.chain
      .then(() => this.publish(type, event, timestamp))
      .catch((err: unknown) =>
        this.logger.warn(
          { event: type, err: err instanceof Error ? err.name : typeof err },
          'could not record webhook deliveries for an event',
        ),
      );
    return this.chain;
  }

  private async publish<T extends DomainEventType>(
    type: T,
    event: DomainEventMap[T],
    timestamp: string,
  ): Promise<void> {
    const webhookIds = await this.repo.subscribedTo(type);
    if (webhookIds.length === 0) return;
    const data = await this.dataOf(type, event);
    if (!data) return;
    const payload: WebhookPayload = { type, timestamp, data };
    const rows = webhookIds.map((webhookId) => ({
      id: randomUUID(),
      webhookId,
      event: type,
      payload,
    }));
    await this.repo.insertDeliveries(rows);
    for (const row of rows) await this.enqueue(row.id);
  }

  private async dataOf<T extends DomainEventType>(
    type: T,
    event: DomainEventMap[T],
  ): Promise<Record<string, unknown> | undefined> {
    switch (type) {
      case 'deployment.phase_changed': {
        const e = event as DomainEventMap['deployment.phase_changed'];
        const d = await this.deployments.findDeployment(e.deploymentId);
        return d && phaseChangedData(e, d);
      }
      case 'deployment.finished': {
        const e = event as DomainEventMap['deployment.finished'];
        const d = await this.deployments.findDeployment(e.deploymentId);
        return d && deploymentFinishedData(d, await this.deployments.listTargets(d.id));
      }
      case 'drift.detected':
        return driftDetectedData(event as DomainEventMap['drift.detected']);
      case 'cluster.connection_changed':
        return connectionChangedData(event as DomainEventMap['cluster.connection_changed']);
    }
    return undefined;
  }

  private enqueue(deliveryId: string): Promise<unknown> {
    return this.queue.add(
      JOB_DELIVER_WEBHOOK,
      { deliveryId },
      {
        jobId: deliverWebhookJobId({ deliveryId }),
        attempts: this.config.webhookAttempts,
        backoff: { type: 'exponential', delay: this.config.webhookBackoffMs, jitter: 0.5 },
        removeOnComplete: { age: 3600, count: 10_000 },
        removeOnFail: { age: 24 * 3600 },
      },
    );
  }

  /** Enqueues every pending delivery again (after a Redis loss, a crash, or on the timer). */
  async reconcile(): Promise<number> {
    try {
      const ids = await this.repo.pendingDeliveryIds();
      for (const id of ids) await this.enqueue(id);
      return ids.length;
    } catch (e) {
      this.logger.warn(
        { err: e instanceof Error ? e.name : 'error' },
        'webhook reconcile skipped: database or Redis unavailable',
      );
      return 0;
    }
  }
}
