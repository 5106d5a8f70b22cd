import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { WEBHOOK_DELIVERY_STATES } from '../../../infra/database/schema.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhook-events.js';
import type { CreatedWebhook, DeliveryView, WebhookView } from '../webhooks.service.js';

const EVENTS_DESCRIPTION =
  'deployment.phase_changed: a cluster of a deployment entered a phase (Running, Retrying, Succeeded, Failed, Superseded); deployment.finished: every cluster of a deployment is done; drift.detected: a cluster no longer runs what was applied; cluster.connection_changed: a cluster became Reachable, Unreachable or Unauthorized.';

@ApiSchema({ name: 'CreateWebhook' })
export class CreateWebhookDto {
  @ApiProperty({
    description:
      'Where events are POSTed: https:// (http:// only with ALLOW_INSECURE_WEBHOOK_URLS=true); no user info, no fragment; never a link-local, unspecified, multicast or broadcast address (also when the host name resolves to one). Redirects are not followed.',
    example: 'https://orchestrator.example.com/hooks/gbp-netpol',
    maxLength: 2048,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  url: string;

  @ApiProperty({
    description: `The events to send. ${EVENTS_DESCRIPTION}`,
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    example: ['deployment.finished', 'drift.detected'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events: WebhookEventType[];

  @ApiPropertyOptional({
    description:
      'The signing secret, as Standard Webhooks write it: whsec_ and 24 to 64 random bytes in base64. Left out, one is generated. Stored encrypted; shown only in the answer to this request.',
    writeOnly: true,
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  secret?: string;
}

@ApiSchema({ name: 'Webhook' })
export class WebhookDto implements WebhookView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'https://orchestrator.example.com/hooks/gbp-netpol' })
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, description: EVENTS_DESCRIPTION })
  events: WebhookEventType[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

@ApiSchema({ name: 'CreatedWebhook' })
export class CreatedWebhookDto extends WebhookDto implements CreatedWebhook {
  @ApiProperty({
    description:
      'The signing secret (whsec_…): shown in this answer only. Receivers verify webhook-signature with it (Standard Webhooks).',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret: string;
}

@ApiSchema({ name: 'WebhookList' })
export class WebhookPageDto {
  @ApiProperty({ type: [WebhookDto] })
  items: WebhookDto[];

  @ApiPropertyOptional({
    description: 'Pass as ?cursor= for the next page; absent on the last page.',
  })
  nextCursor?: string;
}

@ApiSchema({ name: 'WebhookEvent' })
export class WebhookPayloadDto {
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  type: WebhookEventType;

  @ApiProperty({
    format: 'date-time',
    description: 'When the event happened; the webhook-timestamp header says when it was sent.',
  })
  timestamp: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The event: deployment.* carry deploymentId, policy, revision, kind (and cluster, phase, error, counts per action, or outcome and every cluster); drift.detected carries policy, cluster, checkedAt, resourceCount and up to 100 resources; cluster.connection_changed carries cluster, previous, connection and message.',
  })
  data: Record<string, unknown>;
}

@ApiSchema({ name: 'WebhookDelivery' })
export class WebhookDeliveryDto implements DeliveryView {
  @ApiProperty({
    format: 'uuid',
    description: 'Also the webhook-id header: the same on every attempt.',
  })
  id: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  event: string;

  @ApiProperty({
    enum: WEBHOOK_DELIVERY_STATES,
    description:
      'pending: queued or retrying; delivered: answered 2xx; failed: no attempt left, or refused.',
  })
  state: (typeof WEBHOOK_DELIVERY_STATES)[number];

  @ApiProperty({ description: 'Attempts made so far.' })
  attempts: number;

  @ApiProperty({ type: Number, nullable: true, description: 'HTTP status of the last answer.' })
  lastStatus: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the last attempt failed (status, timeout, network error).',
  })
  lastError: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deliveredAt: string | null;

  @ApiProperty({ type: WebhookPayloadDto, description: 'The body sent (the event).' })
  payload: WebhookPayloadDto;
}

@ApiSchema({ name: 'WebhookDeliveryList' })
export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] })
  items: WebhookDeliveryDto[];

  @ApiPropertyOptional({
    description: 'Pass as ?cursor= for the next page; absent on the last page.',
  })
  nextCursor?: string;
}
