import { Inject, Injectable } from '@nestjs/common';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { MapsDatabaseErrors } from '../../infra/database/database-errors.js';
import { DATABASE } from '../../infra/database/database.module.js';
import type { Database, DatabaseHandle } from '../../infra/database/database.js';
import {
  webhookDeliveries,
  webhooks,
  type WebhookDeliveryRow,
  type WebhookDeliveryState,
  type WebhookRow,
} from '../../infra/database/schema.js';

/** A delivery with the webhook it goes to. */
export interface DeliveryWithWebhook {
  delivery: WebhookDeliveryRow;
  webhook: WebhookRow;
}

/** What one attempt changes on its delivery. */
export interface AttemptRecord {
  state: WebhookDeliveryState;
  lastStatus: number | null;
  lastError: string | null;
}

/** Database I/O of webhooks and their deliveries. */
@Injectable()
@MapsDatabaseErrors()
export class WebhooksRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  private get db(): Database {
    return this.handle.db;
  }

  async insert(row: Pick<WebhookRow, 'id' | 'url' | 'events' | 'secret'>): Promise<WebhookRow> {
    const [created] = await this.db.insert(webhooks).values(row).returning();
    return created;
  }

  find(id: string): Promise<WebhookRow | undefined> {
    return this.db.query.webhooks.findFirst({ where: eq(webhooks.id, id) });
  }

  /** Oldest first, after the webhook `afterId` when given. */
  list(limit: number, afterId?: string): Promise<WebhookRow[]> {
    return this.db
      .select()
      .from(webhooks)
      .where(
        afterId
          ? sql`(${webhooks.createdAt}, ${webhooks.id}) > (select w.created_at, w.id from webhooks w where w.id = ${afterId})`
          : undefined,
      )
      .orderBy(asc(webhooks.createdAt), asc(webhooks.id))
      .limit(limit);
  }

  /** Whether a row was deleted (its deliveries go with it). */
  async delete(id: string): Promise<boolean> {
    const rows = await this.db
      .delete(webhooks)
      .where(eq(webhooks.id, id))
      .returning({ id: webhooks.id });
    return rows.length > 0;
  }

  /** The ids of the webhooks subscribed to an event type. */
  async subscribedTo(event: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: webhooks.id })
      .from(webhooks)
      .where(sql`${webhooks.events} @> ${JSON.stringify([event])}::jsonb`);
    return rows.map((r) => r.id);
  }

  async insertDeliveries(
    rows: Pick<WebhookDeliveryRow, 'id' | 'webhookId' | 'event' | 'payload'>[],
  ): Promise<void> {
    if (rows.length > 0) await this.db.insert(webhookDeliveries).values(rows);
  }

  async findDelivery(id: string): Promise<DeliveryWithWebhook | undefined> {
    const [row] = await this.db
      .select({ delivery: webhookDeliveries, webhook: webhooks })
      .from(webhookDeliveries)
      .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
      .where(eq(webhookDeliveries.id, id));
    return row;
  }

  /** Newest first, before the delivery `beforeId` when given. */
  listDeliveries(
    webhookId: string,
    limit: number,
    beforeId?: string,
  ): Promise<WebhookDeliveryRow[]> {
    return this.db
      .select()
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.webhookId, webhookId),
          beforeId
            ? sql`(${webhookDeliveries.createdAt}, ${webhookDeliveries.id}) < (select d.created_at, d.id from webhook_deliveries d where d.id = ${beforeId})`
            : undefined,
        ),
      )
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
      .limit(limit);
  }

  /** Records an attempt; only a pending delivery changes (a late duplicate job changes nothing). */
  async recordAttempt(id: string, attempt: AttemptRecord): Promise<void> {
    await this.db
      .update(webhookDeliveries)
      .set({
        state: attempt.state,
        lastStatus: attempt.lastStatus,
        lastError: attempt.lastError,
        attempts: sql`${webhookDeliveries.attempts} + 1`,
        ...(attempt.state === 'delivered' ? { deliveredAt: new Date() } : {}),
      })
      .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.state, 'pending')));
  }

  /** Gives up on a pending delivery, keeping the last attempt's status and error (or `reason`). */
  async markFailed(id: string, reason: string): Promise<void> {
    await this.db
      .update(webhookDeliveries)
      .set({ state: 'failed', lastError: sql`coalesce(${webhookDeliveries.lastError}, ${reason})` })
      .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.state, 'pending')));
  }

  /** Pending deliveries (for the re-enqueue after a Redis loss). */
  async pendingDeliveryIds(): Promise<string[]> {
    const rows = await this.db
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.state, 'pending'));
    return rows.map((r) => r.id);
  }
}
