import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { serviceVersion } from '../../config/service-version.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import type { JobContext } from '../../infra/queue/job-handlers.js';
import { AppMetrics } from '../metrics/app-metrics.js';
import type { WebhookPayload } from './webhook-events.js';
import { WEBHOOK_SECRET_BOX, webhookAssociatedData } from './webhook-secrets.js';
import { postWebhook } from './webhook-sender.js';
import { signWebhook } from './webhook-signature.js';
import { checkWebhookUrl } from './webhook-url.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** An attempt that did not deliver; BullMQ tries again after its backoff. */
export class WebhookAttemptFailed extends Error {
  override readonly name = 'WebhookAttemptFailed';
}

/**
 * One attempt of one delivery (the body of a `deliver-webhook` job): sign the stored payload
 * as Standard Webhooks do, POST it under the URL rules, record the outcome. 2xx delivers; a
 * redirect, another status, a timeout or a network error is retried with backoff until the
 * attempts run out; 410 Gone and a URL the rules now refuse end the delivery at once.
 */
@Injectable()
export class WebhookDelivery {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly metrics: AppMetrics,
    @Inject(WEBHOOK_SECRET_BOX) private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async deliver(deliveryId: string, ctx: JobContext): Promise<void> {
    const found = await this.repo.findDelivery(deliveryId);
    if (!found || found.delivery.state !== 'pending') return; // deleted with its webhook, or done
    const { delivery, webhook } = found;
    const give = async (lastError: string, lastStatus: number | null = null) => {
      await this.repo.recordAttempt(deliveryId, { state: 'failed', lastStatus, lastError });
      this.metrics.webhookDeliveries.inc({ result: 'failed' });
    };
    const check = checkWebhookUrl(webhook.url, '', {
      allowInsecure: this.config.allowInsecureWebhookUrls,
      allowSpecial: this.config.allowSpecialWebhookAddresses,
    });
    if (!check.ok) return give(`not sent: the URL ${check.errors[0].message}`);
    let secret: string;
    try {
      secret = this.box.open(webhook.secret, webhookAssociatedData(webhook.id));
    } catch {
      return give('not sent: the signing secret does not decrypt (was ENCRYPTION_KEY changed?)');
    }
    const p = delivery.payload as WebhookPayload;
    const body = JSON.stringify({ type: p.type, timestamp: p.timestamp, data: p.data });
    const timestamp = Math.floor(Date.now() / 1000);
    const result = await postWebhook(
      check.url,
      body,
      {
        'content-type': 'application/json',
        'user-agent': `gbp-netpol/${serviceVersion()}`,
        'webhook-id': delivery.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(secret, delivery.id, timestamp, body),
      },
      {
        timeoutMs: this.config.webhookTimeoutMs,
        allowSpecialAddresses: this.config.allowSpecialWebhookAddresses,
        signal: ctx.signal,
      },
    );
    if ('status' in result && result.status >= 200 && result.status < 300) {
      await this.repo.recordAttempt(deliveryId, {
        state: 'delivered',
        lastStatus: result.status,
        lastError: null,
      });
      this.metrics.webhookDeliveries.inc({ result: 'delivered' });
      return;
    }
    if ('error' in result) {
      await this.repo.recordAttempt(deliveryId, {
        state: 'pending',
        lastStatus: null,
        lastError: result.error,
      });
      throw new WebhookAttemptFailed(result.error);
    }
    if (result.status === 410) return give('answered 410 Gone: the receiver wants no more', 410);
    const lastError =
      result.status >= 300 && result.status < 400
        ? `answered ${result.status}: redirects are not followed; register the final URL`
        : `answered ${result.status}`;
    await this.repo.recordAttempt(deliveryId, {
      state: 'pending',
      lastStatus: result.status,
      lastError,
    });
    throw new WebhookAttemptFailed(lastError);
  }

  /** After a failed attempt: counted as retried, or, after the last one, the delivery fails. */
  async attemptFailed(deliveryId: string, error: Error, final: boolean): Promise<void> {
    this.metrics.webhookDeliveries.inc({ result: final ? 'failed' : 'retried' });
    if (final) await this.repo.markFailed(deliveryId, error.message || error.name);
  }
}
