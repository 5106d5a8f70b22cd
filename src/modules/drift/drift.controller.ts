import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ProblemDto } from '../../common/dto/problem.dto.js';
import { respond } from '../../common/http-answer.js';
import { DriftCheckResponseDto } from './dto/drift-check.dto.js';
import { RollbackDto } from './dto/rollback.dto.js';
import { DriftService } from './drift.service.js';
import { RollbackService } from './rollback.service.js';

@ApiTags('policies')
@Controller('v1/policies')
export class DriftController {
  constructor(
    private readonly drift: DriftService,
    private readonly rollbacks: RollbackService,
  ) {}

  @Post(':name/drift-check')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Compare every cluster the policy was applied to with the applied revision, now',
    description:
      'Records drift in the policy status (OutOfSync, reason Drifted) or clears it; with selfHeal, healable drift starts a re-apply. One list request per namespace and cluster.',
  })
  @ApiOkResponse({ type: DriftCheckResponseDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  check(@Param('name') name: string) {
    return this.drift.checkPolicy(name);
  }

  @Post(':name/rollback')
  @ApiOperation({
    summary: 'Store a new revision equal to an old one (its document and targets) and roll it out',
    description:
      'Answers 202 with the new revision and its deployment, like POST /v1/policies; 200 when the old revision equals the latest content.',
  })
  @ApiAcceptedResponse({ description: 'A new revision; its deployment is queued.' })
  @ApiOkResponse({ description: 'Same content as the latest revision: nothing changed.' })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description: 'Invalid request, or a target cluster of that revision is no longer registered.',
  })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such policy or revision.' })
  async rollback(
    @Param('name') name: string,
    @Body() dto: RollbackDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    return respond(res, await this.rollbacks.rollback(name, dto.revision));
  }
}
