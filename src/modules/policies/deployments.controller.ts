import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProblemDto } from '../../common/dto/problem.dto.js';
import { StatusService } from './status.service.js';

@ApiTags('deployments')
@Controller('v1/deployments')
export class DeploymentsController {
  constructor(private readonly status: StatusService) {}

  @Get(':id')
  @ApiOperation({
    summary:
      'One deployment: per cluster phase, attempt, next retry, error and per-object results, with timestamps',
  })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@Param('id') id: string) {
    return this.status.deployment(id);
  }
}
