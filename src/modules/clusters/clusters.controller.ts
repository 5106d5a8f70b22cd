import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems } from '../../openapi/api-problems.decorator.js';
import { PageQueryDto, type Page } from '../../common/pagination.js';
import type { ClusterView } from './cluster-view.js';
import { ClusterLifecycleService } from './cluster-lifecycle.service.js';
import { ClustersService } from './clusters.service.js';
import { ClusterCheckDto } from './dto/cluster-check.dto.js';
import { ClusterListDto, ClusterViewDto } from './dto/cluster-view.dto.js';
import { CheckClusterDto } from './dto/check-cluster.dto.js';
import { CreateClusterDto } from './dto/create-cluster.dto.js';
import { DeleteClusterQueryDto } from './dto/delete-cluster-query.dto.js';
import { UpdateClusterDto } from './dto/update-cluster.dto.js';

const nameParam = ApiParam({
  name: 'name',
  description: 'The cluster name.',
  example: 'prod-eu-1',
});
const notFound = ApiProblems('CLUSTER_NOT_FOUND');

@ApiTags('clusters')
@Controller('v1/clusters')
export class ClustersController {
  constructor(
    private readonly service: ClustersService,
    private readonly lifecycle: ClusterLifecycleService,
  ) {}

  @Post()
  @ApiOperation({
    operationId: 'registerCluster',
    summary: 'Register a cluster',
    description:
      'Stores the credentials encrypted, checks the connection and answers with the cluster (never with its credentials).',
  })
  @ApiCreatedResponse({ type: ClusterViewDto })
  @ApiProblems('CLUSTER_EXISTS')
  create(@Body() body: CreateClusterDto): Promise<ClusterView> {
    return this.lifecycle.register(body);
  }

  @Get()
  @ApiOperation({ operationId: 'listClusters', summary: 'List clusters, sorted by name' })
  @ApiOkResponse({ type: ClusterListDto })
  list(@Query() query: PageQueryDto): Promise<Page<ClusterView>> {
    return this.service.list(query);
  }

  @Get(':name')
  @ApiOperation({ operationId: 'getCluster', summary: 'One cluster' })
  @nameParam
  @ApiOkResponse({ type: ClusterViewDto })
  @notFound
  get(@Param('name') name: string): Promise<ClusterView> {
    return this.service.get(name);
  }

  @Patch(':name')
  @ApiOperation({
    operationId: 'updateCluster',
    summary: 'Change labels and/or the connection',
    description:
      'A changed connection (server, credentials, kubeconfig, TLS verification) is checked before answering.',
  })
  @nameParam
  @ApiOkResponse({ type: ClusterViewDto })
  @notFound
  update(@Param('name') name: string, @Body() body: UpdateClusterDto): Promise<ClusterView> {
    return this.lifecycle.update(name, body);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteCluster',
    summary: 'Remove a cluster',
    description: "With prune=true, gbp-netpol's objects are deleted from it first.",
  })
  @nameParam
  @ApiNoContentResponse({ description: 'Removed.' })
  @notFound
  @ApiProblems('CLUSTER_PRUNE_FAILED')
  remove(@Param('name') name: string, @Query() query: DeleteClusterQueryDto): Promise<void> {
    return this.lifecycle.remove(name, query.prune === true);
  }

  @Post(':name/check')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'checkCluster',
    summary: 'Check the connection and the NetworkPolicy permissions in namespaces',
    description:
      'Uses SelfSubjectAccessReview; the connection state found is stored on the cluster.',
  })
  @nameParam
  @ApiOkResponse({ type: ClusterCheckDto })
  @notFound
  @ApiProblems('CLUSTER_CHECK_FAILED', 'CLUSTER_CREDENTIALS_UNREADABLE', 'CLUSTER_URL_INSECURE')
  check(@Param('name') name: string, @Body() body: CheckClusterDto): Promise<ClusterCheckDto> {
    return this.lifecycle.check(name, body);
  }
}
