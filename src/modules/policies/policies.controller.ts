import {
  Body,
  Controller,
  Delete,
  Get,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ProblemDto } from '../../common/dto/problem.dto.js';
import { acceptedDeployment, conditional } from '../../common/http-answer.js';
import { PageQueryDto } from '../../common/pagination.js';
import { YamlResponseInterceptor } from '../../common/yaml-response.interceptor.js';
import { DeploymentsService } from '../deployments/deployments.service.js';
import { StatusResourcesQueryDto } from '../deployments/dto/status-query.dto.js';
import { StatusService } from '../deployments/status.service.js';
import { ClusterQueryDto } from '../clusters/dto/cluster-query.dto.js';
import { CreatePolicyDto } from './dto/create-policy.dto.js';
import { RollbackDto } from './dto/rollback.dto.js';
import { PoliciesService } from './policies.service.js';
import { revisionAnswer } from './policy-answers.js';

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
    summary: 'Store a new revision of a policy and roll it out to its target clusters',
    description:
      'Answers 202 with the revision and the deployment (Location: /v1/deployments/{id}); 200 when the document and targets equal the latest revision (nothing stored, nothing deployed).',
  })
  @ApiAcceptedResponse({ description: 'A new revision; its deployment is queued.' })
  @ApiOkResponse({ description: 'Same content as the latest revision: nothing changed.' })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description: 'Invalid request or document (paths under /document), or an unknown cluster.',
  })
  async create(@Body() dto: CreatePolicyDto, @Res({ passthrough: true }) res: Response) {
    return revisionAnswer(res, await this.policies.create(dto));
  }

  @Get()
  @ApiOperation({ summary: 'List policies (paginated, by name)' })
  list(@Query() page: PageQueryDto) {
    return this.policies.list(page.limit, page.cursor);
  }

  @Get(':name')
  @ApiOperation({ summary: 'A policy, with its latest revision and targets' })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@Param('name') name: string) {
    return this.policies.get(name);
  }

  @Get(':name/status')
  @ApiOperation({
    summary:
      'Per target cluster: connection, sync, the last operation, the applied revision and the count of objects per outcome',
    description:
      'The per-object outcomes are paged at GET /v1/policies/{name}/status/resources. Carries an ETag: with If-None-Match, an unchanged status is a 304 without a body.',
  })
  @ApiOkResponse({ description: 'The status (ETag set).' })
  @ApiResponse({ status: 304, description: 'Not modified since the ETag in If-None-Match.' })
  @ApiNotFoundResponse({ type: ProblemDto })
  async policyStatus(
    @Param('name') name: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    return conditional(req, res, await this.status.policyStatus(name));
  }

  @Get(':name/status/resources')
  @ApiOperation({
    summary:
      "The latest operation's per-object outcomes on each cluster, paged (by cluster, then namespace and name)",
    description:
      'Filters: cluster, action (created, updated, deleted, unchanged, conflict, failed, skipped). Carries an ETag (If-None-Match: 304).',
  })
  @ApiOkResponse({
    description: '{items: [{cluster, namespace, name, action, message?}], nextCursor?}',
  })
  @ApiResponse({ status: 304, description: 'Not modified since the ETag in If-None-Match.' })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description: 'A bad filter, or a cursor not given out by this list.',
  })
  @ApiNotFoundResponse({ type: ProblemDto })
  async policyResources(
    @Param('name') name: string,
    @Query() query: StatusResourcesQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    return conditional(req, res, await this.status.policyResources(name, query));
  }

  @Get(':name/revisions')
  @ApiOperation({ summary: 'Revisions, newest first (paginated)' })
  revisions(@Param('name') name: string, @Query() page: PageQueryDto) {
    return this.policies.revisions(name, page.limit, page.cursor);
  }

  @Get(':name/revisions/:n')
  @ApiOperation({ summary: 'One revision, with its document and targets' })
  @ApiNotFoundResponse({ type: ProblemDto })
  revision(@Param('name') name: string, @Param('n', ParseIntPipe) n: number) {
    return this.policies.revision(name, n);
  }

  @Get(':name/revisions/:n/manifests')
  @UseInterceptors(YamlResponseInterceptor)
  @ApiOperation({
    summary:
      "A revision's NetworkPolicies exactly as applied (JSON, or YAML with Accept: application/yaml)",
  })
  @ApiProduces('application/json', 'application/yaml')
  manifests(
    @Param('name') name: string,
    @Param('n', ParseIntPipe) n: number,
    @Query() query: ClusterQueryDto,
  ) {
    return this.policies.manifests(name, n, query.cluster);
  }

  @Post(':name/sync')
  @ApiOperation({
    summary: 'Re-apply the latest revision to its targets now',
    description: 'Answers 202 with the deployment. Unchanged objects are not written.',
  })
  @ApiAcceptedResponse({ description: 'Sync queued.' })
  async sync(@Param('name') name: string, @Res({ passthrough: true }) res: Response) {
    return acceptedDeployment(res, await this.deployments.sync(name));
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
    return revisionAnswer(res, await this.policies.rollback(name, dto.revision));
  }

  @Delete(':name')
  @ApiOperation({
    summary: "Remove the policy's objects from every cluster it reached, then the policy",
    description: 'Answers 202; follow the deletion at /v1/deployments/{id}.',
  })
  @ApiAcceptedResponse({ description: 'Deletion queued.' })
  async remove(@Param('name') name: string, @Res({ passthrough: true }) res: Response) {
    return acceptedDeployment(res, await this.deployments.deletePolicy(name));
  }
}
