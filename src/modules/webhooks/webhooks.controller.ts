import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import { ApiProblems } from '../../openapi/api-problems.decorator.js';
import { created } from '../../common/http-answer.js';
import { PageQueryDto, type Page } from '../../common/pagination.js';
import {
  CreatedWebhookDto,
  CreateWebhookDto,
  WebhookDeliveryPageDto,
  WebhookDto,
  WebhookPageDto,
} from './dto/webhook.dto.js';
import {
  WebhooksService,
  type CreatedWebhook,
  type DeliveryView,
  type WebhookView,
} from './webhooks.service.js';

const idParam = ApiParam({ name: 'id', format: 'uuid', description: 'The webhook id.' });
const notFound = ApiProblems('WEBHOOK_NOT_FOUND');

@ApiTags('webhooks')
@RequiresRole('admin')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    operationId: 'createWebhook',
    summary: 'Subscribe a URL to events (admin)',
    description:
      'Deliveries are signed as Standard Webhooks do (webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>) and retried with backoff. The answer holds the signing secret: the only time it is shown.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  async create(
    @Body() body: CreateWebhookDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CreatedWebhook> {
    return created(res, await this.webhooks.create(body), (w) => `/v1/webhooks/${w.id}`);
  }

  @Get()
  @ApiOperation({
    operationId: 'listWebhooks',
    summary: 'List webhooks, oldest first, without their secrets (admin)',
  })
  @ApiOkResponse({ type: WebhookPageDto })
  list(@Query() page: PageQueryDto): Promise<Page<WebhookView>> {
    return this.webhooks.list(page.limit, page.cursor);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getWebhook', summary: 'One webhook, without its secret (admin)' })
  @idParam
  @ApiOkResponse({ type: WebhookDto })
  @notFound
  get(@Param('id') id: string): Promise<WebhookView> {
    return this.webhooks.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteWebhook',
    summary: 'Remove a webhook and its delivery log (admin)',
  })
  @idParam
  @ApiNoContentResponse({ description: 'Removed; queued deliveries are dropped.' })
  @notFound
  remove(@Param('id') id: string): Promise<void> {
    return this.webhooks.remove(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    operationId: 'listWebhookDeliveries',
    summary: 'The delivery log of a webhook, newest first (admin)',
    description:
      'Each event sent (or being sent): state, attempts, last status and error, payload.',
  })
  @idParam
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @notFound
  deliveries(@Param('id') id: string, @Query() page: PageQueryDto): Promise<Page<DeliveryView>> {
    return this.webhooks.deliveries(id, page.limit, page.cursor);
  }
}
