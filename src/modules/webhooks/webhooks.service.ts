import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { httpProblem } from '../../common/http-problems.js';
import {
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  encodeCursor,
  type Page,
} from '../../common/pagination.js';
import type { ProblemItem } from '../../common/problem.exception.js';
import { invalidRequest } from '../../common/validation.pipe.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { problem } from '../../core/problems/problem.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import type { WebhookDeliveryRow, WebhookRow } from '../../infra/database/schema.js';
import {
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
  type WebhookPayload,
} from './webhook-events.js';
import { WEBHOOK_SECRET_BOX, webhookAssociatedData } from './webhook-secrets.js';
import { generateWebhookSecret, webhookSecretProblem } from './webhook-signature.js';
import { checkWebhookUrl } from './webhook-url.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** A webhook as answered: never its secret. */
export interface WebhookView {
  id: string;
  url: string;
  events: WebhookEventType[];
  createdAt: string;
}

/** The answer to a creation: the only time the secret is shown. */
export type CreatedWebhook = WebhookView & { secret: string };

/** One delivery of one event, as the delivery log shows it. */
export interface DeliveryView {
  id: string;
  event: string;
  state: WebhookDeliveryRow['state'];
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  payload: WebhookPayload;
}

export interface NewWebhook {
  url: string;
  events: WebhookEventType[];
  secret?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function view(row: WebhookRow): WebhookView {
  // In the order of WEBHOOK_EVENT_TYPES, so that equal subscriptions read the same.
  const events = WEBHOOK_EVENT_TYPES.filter((t) => row.events.includes(t));
  return { id: row.id, url: row.url, events, createdAt: row.createdAt.toISOString() };
}

function deliveryView(row: WebhookDeliveryRow): DeliveryView {
  return {
    id: row.id,
    event: row.event,
    state: row.state,
    attempts: row.attempts,
    lastStatus: row.lastStatus,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    payload: row.payload as WebhookPayload,
  };
}

/** A cursor of ours (a row id), undefined for the first page; anything else is 400 INVALID_CURSOR. */
function cursorId(cursor: string | undefined): string | undefined {
  const id = decodeCursor(cursor, 'string');
  if (id !== undefined && !UUID.test(id))
    throw invalidRequest([problem('/cursor', 'INVALID_CURSOR')]);
  return id;
}

/** The /v1/webhooks use cases. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly repo: WebhooksRepository,
    @Inject(WEBHOOK_SECRET_BOX) private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks the URL (as cluster URLs) and the secret, stores the secret sealed, answers it once. */
  async create(input: NewWebhook): Promise<CreatedWebhook> {
    const errors: ProblemItem[] = [];
    const check = checkWebhookUrl(input.url, '/url', {
      allowInsecure: this.config.allowInsecureWebhookUrls,
      allowSpecial: this.config.allowSpecialWebhookAddresses,
    });
    if (!check.ok) errors.push(...check.errors);
    const secretProblem =
      input.secret === undefined ? undefined : webhookSecretProblem(input.secret);
    if (secretProblem)
      errors.push(problem('/secret', 'INVALID_WEBHOOK_SECRET', { detail: secretProblem }));
    if (!check.ok || errors.length > 0) throw invalidRequest(errors);
    const id = randomUUID();
    const secret = input.secret ?? generateWebhookSecret();
    const row = await this.repo.insert({
      id,
      url: check.url.href,
      events: WEBHOOK_EVENT_TYPES.filter((t) => input.events.includes(t)),
      secret: this.box.seal(secret, webhookAssociatedData(id)),
    });
    return { ...view(row), secret };
  }

  async list(limit = DEFAULT_PAGE_SIZE, cursor?: string): Promise<Page<WebhookView>> {
    const rows = await this.repo.list(limit + 1, cursorId(cursor));
    const items = rows.slice(0, limit).map(view);
    return rows.length > limit
      ? { items, nextCursor: encodeCursor(items[items.length - 1].id) }
      : { items };
  }

  async get(id: string): Promise<WebhookView> {
    return view(await this.mustFind(id));
  }

  /** Removes the webhook and its delivery log; queued deliveries are dropped when they come up. */
  async remove(id: string): Promise<void> {
    if (!UUID.test(id) || !(await this.repo.delete(id)))
      throw httpProblem('WEBHOOK_NOT_FOUND', { id });
  }

  /** The delivery log, newest first. */
  async deliveries(
    id: string,
    limit = DEFAULT_PAGE_SIZE,
    cursor?: string,
  ): Promise<Page<DeliveryView>> {
    await this.mustFind(id);
    const rows = await this.repo.listDeliveries(id, limit + 1, cursorId(cursor));
    const items = rows.slice(0, limit).map(deliveryView);
    return rows.length > limit
      ? { items, nextCursor: encodeCursor(items[items.length - 1].id) }
      : { items };
  }

  private async mustFind(id: string): Promise<WebhookRow> {
    const row = UUID.test(id) ? await this.repo.find(id) : undefined;
    if (!row) throw httpProblem('WEBHOOK_NOT_FOUND', { id });
    return row;
  }
}
