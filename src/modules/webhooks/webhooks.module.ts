import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module.js';
import { WebhookDeliveryHandler } from './webhook-delivery.handler.js';
import { WebhookDelivery } from './webhook-delivery.service.js';
import { WebhookOutbox } from './webhook-outbox.service.js';
import { webhookSecretBoxProvider } from './webhook-secrets.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';
import { WebhookProcessor } from './webhook.processor.js';

/**
 * Webhooks in every role: the outbox that turns domain events into deliveries (events happen
 * in API and worker processes alike) and the `deliver-webhook` job handler. Needs APP_CONFIG,
 * DATABASE, the queues, DomainEvents and AppMetrics (all global in AppModule).
 */
@Module({
  imports: [DeploymentsModule],
  providers: [
    webhookSecretBoxProvider,
    WebhooksRepository,
    WebhooksService,
    WebhookOutbox,
    WebhookDelivery,
    WebhookDeliveryHandler,
  ],
  exports: [WebhooksService],
})
export class WebhooksModule {}

/** /v1/webhooks (ROLE=api|all), admin only. */
@Module({ imports: [WebhooksModule], controllers: [WebhooksController] })
export class WebhooksApiModule {}

/** The worker of the webhook queue (ROLE=worker|all). */
@Module({ imports: [WebhooksModule], providers: [WebhookProcessor] })
export class WebhooksWorkerModule {}
