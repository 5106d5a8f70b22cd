import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobHandlers } from '../../infra/queue/job-handlers.js';
import { JOB_DELIVER_WEBHOOK } from '../../infra/queue/queue.constants.js';
import { WebhookDelivery } from './webhook-delivery.service.js';

/** Registers the handler of `deliver-webhook` jobs: one attempt of one delivery. */
@Injectable()
export class WebhookDeliveryHandler implements OnModuleInit {
  constructor(
    private readonly handlers: JobHandlers,
    private readonly delivery: WebhookDelivery,
  ) {}

  onModuleInit(): void {
    this.handlers.register(JOB_DELIVER_WEBHOOK, {
      run: ({ deliveryId }, ctx) => this.delivery.deliver(deliveryId, ctx),
      failed: ({ deliveryId }, error, f) => this.delivery.attemptFailed(deliveryId, error, f.final),
    });
  }
}
