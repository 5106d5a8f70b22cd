import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../openapi/api-problems.decorator.js';
import { DriftCheckResponseDto } from './dto/drift-check.dto.js';
import { DriftService } from './drift.service.js';

@ApiTags('policies')
@Controller('v1/policies')
export class DriftController {
  constructor(private readonly drift: DriftService) {}

  @Post(':name/drift-check')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'checkDrift',
    summary: 'Compare every cluster the policy was applied to with the applied revision, now',
    description:
      'Records drift in the policy status (OutOfSync, reason Drifted) or clears it; with selfHeal, healable drift starts a re-apply. One list request per namespace and cluster.',
  })
  @ApiOkResponse({ type: DriftCheckResponseDto })
  @ApiProblems('POLICY_NOT_FOUND')
  check(@Param('name') name: string) {
    return this.drift.checkPolicy(name);
  }
}
