import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { intParam } from '../../common/int-param.pipe.js';
import { ApiProblems } from '../../openapi/api-problems.decorator.js';
import { DiffService } from './diff.service.js';
import { DiffQueryDto } from './dto/diff-query.dto.js';
import {
  PlanResponseDto,
  PolicyDiffResponseDto,
  RevisionDiffResponseDto,
} from './dto/diff-response.dto.js';
import { PlanRequestDto } from './dto/plan-request.dto.js';

@ApiTags('policies')
@Controller('v1/policies')
export class DiffController {
  constructor(private readonly diffs: DiffService) {}

  @Get(':name/diff')
  @ApiOperation({
    operationId: 'diffPolicy',
    summary:
      'Per cluster and NetworkPolicy: what applying the latest revision would change (server-side dry run; nothing is written)',
    description:
      'Compares each live object with what a server-side dry-run apply of the desired object returns, both without server fields. Objects this policy owns and no longer produces are deletes; objects of the same name it does not own are conflicts. An unreachable cluster has an error, never an empty diff.',
  })
  @ApiOkResponse({ type: PolicyDiffResponseDto })
  @ApiProblems('POLICY_NOT_FOUND', 'CLUSTER_NOT_FOUND', 'POLICY_HAS_NO_REVISION')
  diff(@Param('name') name: string, @Query() query: DiffQueryDto) {
    return this.diffs.policyDiff(name, query.cluster);
  }

  @Get(':name/revisions/:a/diff/:b')
  @ApiOperation({
    operationId: 'diffRevisions',
    summary:
      'How revision b differs from revision a: document (RFC 6902), manifests (unified diff) and connectivity gained and lost',
  })
  @ApiOkResponse({ type: RevisionDiffResponseDto })
  @ApiProblems(
    'POLICY_NOT_FOUND',
    'REVISION_NOT_FOUND',
    'STORED_DOCUMENT_INVALID',
    'CONNECTIVITY_TOO_LARGE',
    'COMPUTE_BUDGET_EXCEEDED',
    'COMPUTE_BUSY',
  )
  revisionDiff(
    @Param('name') name: string,
    @Param('a', intParam('a')) a: number,
    @Param('b', intParam('b')) b: number,
  ) {
    return this.diffs.revisionDiff(name, a, b);
  }

  @Post(':name/plan')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'planPolicy',
    summary:
      'What POST /v1/policies with this document would do in every cluster, without storing or changing anything',
    description:
      'Validates and compiles like POST /v1/policies, then per target cluster lists creates, updates, deletes (prunes), conflicts and refusals of the API server (validation errors, RBAC denials) from server-side dry runs, and the connectivity gained and lost versus the latest revision. Works for a policy that does not exist yet.',
  })
  @ApiOkResponse({ type: PlanResponseDto })
  @ApiProblems(
    'INVALID_DOCUMENT',
    'NO_TARGETS',
    'UNKNOWN_CLUSTER',
    'STORED_DOCUMENT_INVALID',
    'COMPILE_LIMIT_EXCEEDED',
    'CONNECTIVITY_TOO_LARGE',
    'COMPUTE_BUDGET_EXCEEDED',
    'COMPUTE_BUSY',
  )
  plan(@Param('name') name: string, @Body() dto: PlanRequestDto) {
    return this.diffs.plan(name, dto);
  }
}
