import { Controller, Get, Param, Sse, type MessageEvent } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { ProblemDto } from '../../common/dto/problem.dto.js';
import { DeploymentEventsService } from './deployment-events.service.js';
import { StatusService } from './status.service.js';

@ApiTags('deployments')
@Controller('v1/deployments')
export class DeploymentsController {
  constructor(
    private readonly status: StatusService,
    private readonly events: DeploymentEventsService,
  ) {}

  @Get(':id')
  @ApiOperation({
    summary:
      'One deployment: per cluster phase, attempt, next retry, error and per-object results, with timestamps',
  })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@Param('id') id: string) {
    return this.status.deployment(id);
  }

  @Sse(':id/events')
  @ApiOperation({
    summary: 'Follow a deployment: per-cluster phase changes as Server-Sent Events until it ends',
    description:
      "text/event-stream. Each phase change is an unnamed event (`message`) whose data is `{cluster, phase, attempt, error}`; the first events give every cluster's current phase. When the deployment finishes, an `end` event (`{deploymentId, finishedAt, clusters}`) is sent and the stream closes.",
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'The event stream.' })
  @ApiNotFoundResponse({
    type: ProblemDto,
    description: 'No such deployment (application/problem+json, before any event).',
  })
  stream(@Param('id') id: string): Promise<Observable<MessageEvent>> {
    return this.events.stream(id);
  }
}
