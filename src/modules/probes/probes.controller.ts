import { Body, Controller, Delete, Get, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadGatewayResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Principal, type AuthPrincipal } from '../../common/auth/principal.js';
import { ProblemDto } from '../../common/dto/problem.dto.js';
import { accepted, created } from '../../common/http-answer.js';
import { ClusterQueryDto } from '../clusters/dto/cluster-query.dto.js';
import { ConnectivityResponseDto } from '../compile/dto/compile-response.dto.js';
import { CreateProbesDto, ProbesQueryDto, ProbesViewDto } from './dto/probes.dto.js';
import { PolicyConnectivityService } from './policy-connectivity.service.js';
import { ProbesService } from './probes.service.js';

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
    summary: 'Create test pods for the latest revision in one cluster',
    description:
      'In every namespace of the document: `<network>-pod` labelled as a member of each network, and the untagged `<namespace>-out`; each listens on the numeric TCP/UDP ports the document names (busybox `nc`). Existing ones are kept.',
  })
  @ApiCreatedResponse({ description: 'The pods, each created or already there.' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such policy, revision or cluster.' })
  @ApiForbiddenResponse({
    type: ProblemDto,
    description: 'Another image than the default needs an admin token.',
  })
  @ApiBadGatewayResponse({
    type: ProblemDto,
    description: 'The cluster refused or failed some of the requests.',
  })
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
    summary: 'Measure: every test pod tries every other on every probe port, and reports',
    description:
      "Each running test pod gets a measuring twin (same labels and namespace) that connects to every other test pod on every probe port (the document's numeric TCP/UDP ports and a TCP and a UDP port no rule names), and a pod on the node's network does the same from the node's address. They report through their log (no exec). Answers 202; GET …/probes shows expected against measured, cell by cell. 409 when the test pods are missing or not all running.",
  })
  @ApiAcceptedResponse({ description: 'The run started; follow it with GET …/probes.' })
  @ApiConflictResponse({
    type: ProblemDto,
    description: 'The test pods are missing or not all running (each named, with why).',
  })
  @ApiNotFoundResponse({ type: ProblemDto })
  async run(
    @Param('name') name: string,
    @Body() dto: ProbesQueryDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.probes.run(name, dto.cluster), probesLocation);
  }

  @Get(':name/probes')
  @ApiOperation({
    summary:
      'The test pods of a policy in one cluster, with the connectivity the latest revision should give them',
  })
  @ApiOkResponse({ type: ProbesViewDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  list(@Param('name') name: string, @Query() query: ProbesQueryDto) {
    return this.probes.list(name, query.cluster);
  }

  @Delete(':name/probes')
  @ApiOperation({
    summary:
      "Delete the policy's test pods in one cluster (selected by their probe label; no other pod is touched)",
  })
  @ApiOkResponse({ description: 'The pods deleted.' })
  @ApiNotFoundResponse({ type: ProblemDto })
  remove(@Param('name') name: string, @Query() query: ProbesQueryDto) {
    return this.probes.remove(name, query.cluster);
  }

  @Get(':name/connectivity')
  @ApiOperation({
    summary:
      'Who may reach whom under the latest revision (same shape as POST /v1/compile/connectivity, plus policy and revision)',
  })
  @ApiOkResponse({ type: ConnectivityResponseDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  connectivity(@Param('name') name: string, @Query() query: ClusterQueryDto) {
    return this.connectivityOf.connectivity(name, query.cluster);
  }
}
