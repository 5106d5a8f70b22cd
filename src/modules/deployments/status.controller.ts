import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ProblemDto } from '../../common/dto/problem.dto.js';
import { conditional } from '../../common/http-answer.js';
import { FleetStatusQueryDto } from './dto/status-query.dto.js';
import { StatusService } from './status.service.js';

/** The fleet view: every policy on every cluster, for dashboards and orchestrators. */
@ApiTags('status')
@Controller('v1/status')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get()
  @ApiOperation({
    summary:
      'Every policy × cluster pair: connection, sync, the latest operation, the applied revision and the count of objects per outcome (paged, by policy then cluster)',
    description:
      'Filters: policy, cluster, sync (Synced, OutOfSync, Unknown, as the status shows it) and phase (of the latest operation). Carries an ETag: with If-None-Match, an unchanged page is a 304 without a body.',
  })
  @ApiOkResponse({ description: '{items, nextCursor?}' })
  @ApiResponse({ status: 304, description: 'Not modified since the ETag in If-None-Match.' })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description: 'A bad filter, or a cursor not given out by this list.',
  })
  async fleet(
    @Query() query: FleetStatusQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    return conditional(req, res, await this.status.fleet(query));
  }
}
