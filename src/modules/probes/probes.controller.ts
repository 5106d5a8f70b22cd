import { Body, Controller, Delete, Get, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Principal, type AuthPrincipal } from '../../common/auth/principal.js';
import { ApiProblems } from '../../openapi/api-problems.decorator.js';
import { accepted, created } from '../../common/http-answer.js';
import { ClusterQueryDto } from '../clusters/dto/cluster-query.dto.js';
import { PolicyConnectivityDto } from '../compile/dto/compile-response.dto.js';
import {
  CreatedProbesDto,
  CreateProbesDto,
  DeletedProbesDto,
  ProbeRunDto,
  ProbesQueryDto,
  ProbesViewDto,
} from './dto/probes.dto.js';
import { PolicyConnectivityService } from './policy-connectivity.service.js';
import { ProbesService } from './probes.service.js';

/** What every probe route can meet: the policy, its latest revision, the cluster and the calls to it. */
const PROBE_PROBLEMS = [
  'POLICY_NOT_FOUND',
  'REVISION_NOT_FOUND',
  'STORED_DOCUMENT_INVALID',
  'CLUSTER_NOT_FOUND',
  'CLUSTER_CREDENTIALS_UNREADABLE',
  'CLUSTER_URL_INSECURE',
  'CLUSTER_REQUEST_FAILED',
] as const;

const probesLocation = (b: { policy: string; cluster: string }) =>
  `/v1/policies/${b.policy}/probes?cluster=${b.cluster}`;

@ApiTags('policies')
@Controller('v1/policies')
export class ProbesController {
  constructor(
    private readonly probes: ProbesService,
    private readonly connectivityOf: PolicyConnectivityService,
  ) {}

  @Post(':name/probes')
  @ApiOperation({
    operationId: 'createProbes',
    summary: 'Create test pods for the latest revision in one cluster',
    description:
      'In every namespace of the document: `<network>-pod` labelled as a member of each network, and the untagged `<namespace>-out`; each listens on the numeric TCP/UDP ports the document names (busybox `nc`). Existing ones are kept.',
  })
  @ApiCreatedResponse({
    type: CreatedProbesDto,
    description: 'The pods, each created or already there.',
  })
  @ApiProblems(...PROBE_PROBLEMS, 'PROBE_IMAGE_NEEDS_ADMIN', 'PROBES_INCOMPLETE')
  async create(
    @Param('name') name: string,
    @Body() dto: CreateProbesDto,
    @Principal() who: AuthPrincipal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return created(res, await this.probes.create(name, dto, who.role), probesLocation);
  }

  @Post(':name/probes/run')
  @ApiOperation({
    operationId: 'runProbes',
    summary: 'Measure: every test pod tries every other on every probe port, and reports',
    description:
      "Each running test pod gets a measuring twin (same labels and namespace) that connects to every other test pod on every probe port (the document's numeric TCP/UDP ports and a TCP and a UDP port no rule names), and a pod on the node's network does the same from the node's address. They report through their log (no exec). Answers 202; GET …/probes shows expected against measured, cell by cell. 409 when the test pods are missing or not all running.",
  })
  @ApiAcceptedResponse({
    type: ProbeRunDto,
    description: 'The run started; follow it with GET …/probes.',
  })
  @ApiProblems(...PROBE_PROBLEMS, 'PROBES_NOT_READY')
  async run(
    @Param('name') name: string,
    @Body() dto: ProbesQueryDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.probes.run(name, dto.cluster), probesLocation);
  }

  @Get(':name/probes')
  @ApiOperation({
    operationId: 'getProbes',
    summary:
      'The test pods of a policy in one cluster, with the connectivity the latest revision should give them, and the report of the latest probe run',
  })
  @ApiOkResponse({ type: ProbesViewDto })
  @ApiProblems(...PROBE_PROBLEMS)
  list(@Param('name') name: string, @Query() query: ProbesQueryDto) {
    return this.probes.list(name, query.cluster);
  }

  @Delete(':name/probes')
  @ApiOperation({
    operationId: 'deleteProbes',
    summary:
      "Delete the policy's test pods in one cluster (selected by their probe label; no other pod is touched)",
  })
  @ApiOkResponse({ type: DeletedProbesDto, description: 'The pods deleted.' })
  @ApiProblems(...PROBE_PROBLEMS)
  remove(@Param('name') name: string, @Query() query: ProbesQueryDto) {
    return this.probes.remove(name, query.cluster);
  }

  @Get(':name/connectivity')
  @ApiOperation({
    operationId: 'getConnectivity',
    summary:
      'Who may reach whom under the latest revision (same shape as POST /v1/compile/connectivity, plus policy and revision)',
  })
  @ApiOkResponse({ type: PolicyConnectivityDto })
  @ApiProblems(
    'POLICY_NOT_FOUND',
    'REVISION_NOT_FOUND',
    'CLUSTER_NOT_FOUND',
    'STORED_DOCUMENT_INVALID',
    'CONNECTIVITY_TOO_LARGE',
    'COMPUTE_BUDGET_EXCEEDED',
    'COMPUTE_BUSY',
  )
  connectivity(@Param('name') name: string, @Query() query: ClusterQueryDto) {
    return this.connectivityOf.connectivity(name, query.cluster);
  }
}
