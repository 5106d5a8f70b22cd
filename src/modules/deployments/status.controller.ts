import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { conditional } from '../../common/http-answer.js';
import { ApiConditional } from '../../openapi/api-conditional.decorator.js';
import { ApiProblems } from '../../openapi/api-problems.decorator.js';
import { FleetStatusDto } from './dto/status.dto.js';
import { FleetStatusQueryDto } from './dto/status-query.dto.js';
import { StatusService } from './status.service.js';

/** The fleet view: every policy on every cluster, for dashboards and orchestrators. */
@ApiTags('deployments')
@Controller('v1/status')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get()
  @ApiOperation({
    operationId: 'getFleetStatus',
    summary:
      'Every policy × cluster pair: connection, sync, the latest operation, the applied revision and the count of objects per outcome (paged, by policy then cluster)',
    description:
      'Filters: policy, cluster, sync (Synced, OutOfSync, Unknown, as the status shows it) and phase (of the latest operation). Carries an ETag: with If-None-Match, an unchanged page is a 304 without a body.',
  })
  @ApiConditional(FleetStatusDto)
  @ApiProblems('INVALID_CURSOR')
  async fleet(
    @Query() query: FleetStatusQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    return conditional(req, res, await this.status.fleet(query));
  }
}
