import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiConditional } from '../../openapi/api-conditional.decorator.js';
import { ApiProblems } from '../../openapi/api-problems.decorator.js';
import { intParam } from '../../common/int-param.pipe.js';
import { acceptedDeployment, conditional } from '../../common/http-answer.js';
import { PageQueryDto } from '../../common/pagination.js';
import { YamlResponseInterceptor } from '../../common/yaml-response.interceptor.js';
import { DeploymentsService } from '../deployments/deployments.service.js';
import { StatusResourcesQueryDto } from '../deployments/dto/status-query.dto.js';
import { StatusService } from '../deployments/status.service.js';
import { ClusterQueryDto } from '../clusters/dto/cluster-query.dto.js';
import { PolicyStatusDto, ResourceOutcomeListDto } from '../deployments/dto/status.dto.js';
import {
  ManifestsDto,
  PolicyDto,
  PolicyListDto,
  QueuedDeploymentDto,
  RevisionDto,
  RevisionListDto,
  StoredRevisionDto,
  UnchangedRevisionDto,
} from './dto/policy.dto.js';
import { CreatePolicyDto } from './dto/create-policy.dto.js';
import { RollbackDto } from './dto/rollback.dto.js';
import { PoliciesService } from './policies.service.js';
import { revisionAnswer } from './policy-answers.js';

/**
 * The answers of storing a revision (revisionAnswer): 202 with the deployment, 200 when
 * nothing changed; and what it can refuse: the document (400, paths under /document; 422 over a
 * limit or the time budget; 503 too busy) and its targets (none, or an unknown cluster).
 */
const storedRevisionAnswers = applyDecorators(
  ApiAcceptedResponse({
    type: StoredRevisionDto,
    description: 'A new revision; its deployment is queued.',
  }),
  ApiOkResponse({
    type: UnchangedRevisionDto,
    description: 'Same content as the latest revision: nothing changed.',
  }),
  ApiProblems(
    'INVALID_DOCUMENT',
    'NO_TARGETS',
    'UNKNOWN_CLUSTER',
    'COMPILE_LIMIT_EXCEEDED',
    'COMPUTE_BUDGET_EXCEEDED',
    'COMPUTE_BUSY',
  ),
);

@ApiTags('policies')
@Controller('v1/policies')
export class PoliciesController {
  constructor(
    private readonly policies: PoliciesService,
    private readonly deployments: DeploymentsService,
    private readonly status: StatusService,
  ) {}

  @Post()
  @ApiOperation({
    operationId: 'createPolicy',
    summary: 'Store a new revision of a policy and roll it out to its target clusters',
    description:
      'Answers 202 with the revision and the deployment (Location: /v1/deployments/{id}); 200 when the document and targets equal the latest revision (nothing stored, nothing deployed).',
  })
  @storedRevisionAnswers
  async create(@Body() dto: CreatePolicyDto, @Res({ passthrough: true }) res: Response) {
    return revisionAnswer(res, await this.policies.create(dto));
  }

  @Get()
  @ApiOperation({ operationId: 'listPolicies', summary: 'List policies (paginated, by name)' })
  @ApiOkResponse({ type: PolicyListDto })
  list(@Query() page: PageQueryDto) {
    return this.policies.list(page.limit, page.cursor);
  }

  @Get(':name')
  @ApiOperation({
    operationId: 'getPolicy',
    summary: 'A policy, with its latest revision and targets',
  })
  @ApiOkResponse({ type: PolicyDto })
  @ApiProblems('POLICY_NOT_FOUND')
  get(@Param('name') name: string) {
    return this.policies.get(name);
  }

  @Get(':name/status')
  @ApiOperation({
    operationId: 'getPolicyStatus',
    summary:
      'Per target cluster: connection, sync, the last operation, the applied revision and the count of objects per outcome',
    description:
      'The per-object outcomes are paged at GET /v1/policies/{name}/status/resources. Carries an ETag: with If-None-Match, an unchanged status is a 304 without a body.',
  })
  @ApiConditional(PolicyStatusDto)
  @ApiProblems('POLICY_NOT_FOUND')
  async policyStatus(
    @Param('name') name: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    return conditional(req, res, await this.status.policyStatus(name));
  }

  @Get(':name/status/resources')
  @ApiOperation({
    operationId: 'listStatusResources',
    summary:
      "The latest operation's per-object outcomes on each cluster, paged (by cluster, then namespace and name)",
    description:
      'Filters: cluster, action (created, updated, deleted, unchanged, conflict, failed, skipped). Carries an ETag (If-None-Match: 304).',
  })
  @ApiConditional(ResourceOutcomeListDto)
  @ApiProblems('POLICY_NOT_FOUND', 'INVALID_CURSOR')
  async policyResources(
    @Param('name') name: string,
    @Query() query: StatusResourcesQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    return conditional(req, res, await this.status.policyResources(name, query));
  }

  @Get(':name/revisions')
  @ApiOperation({ operationId: 'listRevisions', summary: 'Revisions, newest first (paginated)' })
  @ApiOkResponse({ type: RevisionListDto })
  @ApiProblems('POLICY_NOT_FOUND')
  revisions(@Param('name') name: string, @Query() page: PageQueryDto) {
    return this.policies.revisions(name, page.limit, page.cursor);
  }

  @Get(':name/revisions/:n')
  @ApiOperation({
    operationId: 'getRevision',
    summary: 'One revision, with its document and targets',
  })
  @ApiOkResponse({ type: RevisionDto })
  @ApiProblems('POLICY_NOT_FOUND', 'REVISION_NOT_FOUND')
  revision(@Param('name') name: string, @Param('n', intParam('n')) n: number) {
    return this.policies.revision(name, n);
  }

  @Get(':name/revisions/:n/manifests')
  @UseInterceptors(YamlResponseInterceptor)
  @ApiOperation({
    operationId: 'getRevisionManifests',
    summary:
      "A revision's NetworkPolicies exactly as applied (JSON, or YAML with Accept: application/yaml)",
  })
  @ApiProduces('application/json', 'application/yaml')
  @ApiOkResponse({ type: ManifestsDto })
  @ApiProblems('POLICY_NOT_FOUND', 'REVISION_NOT_FOUND', 'CLUSTER_NOT_FOUND')
  manifests(
    @Param('name') name: string,
    @Param('n', intParam('n')) n: number,
    @Query() query: ClusterQueryDto,
  ) {
    return this.policies.manifests(name, n, query.cluster);
  }

  @Post(':name/sync')
  @ApiOperation({
    operationId: 'syncPolicy',
    summary: 'Re-apply the latest revision to its targets now',
    description: 'Answers 202 with the deployment. Unchanged objects are not written.',
  })
  @ApiAcceptedResponse({ type: QueuedDeploymentDto, description: 'Sync queued.' })
  @ApiProblems('POLICY_NOT_FOUND', 'POLICY_NOT_SYNCABLE', 'UNKNOWN_CLUSTER')
  async sync(@Param('name') name: string, @Res({ passthrough: true }) res: Response) {
    return acceptedDeployment(res, await this.deployments.sync(name));
  }

  @Post(':name/rollback')
  @ApiOperation({
    operationId: 'rollbackPolicy',
    summary: 'Store a new revision equal to an old one (its document and targets) and roll it out',
    description:
      'Answers 202 with the new revision and its deployment, like POST /v1/policies; 200 when the old revision equals the latest content.',
  })
  @storedRevisionAnswers
  @ApiProblems('POLICY_NOT_FOUND', 'REVISION_NOT_FOUND')
  async rollback(
    @Param('name') name: string,
    @Body() dto: RollbackDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    return revisionAnswer(res, await this.policies.rollback(name, dto.revision));
  }

  @Delete(':name')
  @ApiOperation({
    operationId: 'deletePolicy',
    summary: "Remove the policy's objects from every cluster it reached, then the policy",
    description: 'Answers 202; follow the deletion at /v1/deployments/{id}.',
  })
  @ApiAcceptedResponse({ type: QueuedDeploymentDto, description: 'Deletion queued.' })
  @ApiProblems('POLICY_NOT_FOUND')
  async remove(@Param('name') name: string, @Res({ passthrough: true }) res: Response) {
    return acceptedDeployment(res, await this.deployments.deletePolicy(name));
  }
}
