import { Controller, Get, Param, Sse, type MessageEvent } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { ApiProblems } from '../../openapi/api-problems.decorator.js';
import { DeploymentDto } from './dto/status.dto.js';
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
    operationId: 'getDeployment',
    summary:
      'One deployment: per cluster phase, attempt, next retry, error and per-object results, with timestamps',
  })
  @ApiOkResponse({ type: DeploymentDto })
  @ApiProblems('DEPLOYMENT_NOT_FOUND')
  get(@Param('id') id: string) {
    return this.status.deployment(id);
  }

  @Sse(':id/events')
  @ApiOperation({
    operationId: 'followDeployment',
    summary: 'Follow a deployment: per-cluster phase changes as Server-Sent Events until it ends',
    description:
      "text/event-stream. Each phase change is an unnamed event (`message`) whose data is `{cluster, phase, attempt, error}`; the first events give every cluster's current phase. When the deployment finishes, an `end` event (`{deploymentId, finishedAt, clusters}`) is sent and the stream closes.",
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    schema: {
      type: 'string',
      description:
        'Server-Sent Events: `data: {"cluster","phase","attempt","error"}` per phase change, then `event: end` with `data: {"deploymentId","finishedAt","clusters"}`.',
    },
    description: 'The event stream.',
  })
  @ApiProblems('DEPLOYMENT_NOT_FOUND')
  stream(@Param('id') id: string): Promise<Observable<MessageEvent>> {
    return this.events.stream(id);
  }
}
