import { Body, Controller, HttpCode, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBody, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../openapi/api-problems.decorator.js';
import { setWarningHeaders, warningTexts } from '../../common/warnings.js';
import { prefersYaml, YamlResponseInterceptor } from '../../common/yaml-response.interceptor.js';
import { EXAMPLE_DOCUMENT } from './dto/example-document.js';
import { CompileResponseDto, ConnectivityResponseDto } from './dto/compile-response.dto.js';
import { PolicyDocumentDto } from './dto/policy-document.dto.js';
import { ClusterQueryDto } from '../clusters/dto/cluster-query.dto.js';
import { CompileService, type CompileAnswer } from './compile.service.js';

const documentBody = ApiBody({
  type: PolicyDocumentDto,
  examples: { mms: { summary: 'The MMS example', value: EXAMPLE_DOCUMENT } },
});
/**
 * Every problem of the document at once (400), a compiled form over a limit or a computation
 * over its time budget (422), too many computations waiting (503), `?cluster=` unknown (404).
 */
const documentProblems = ApiProblems(
  'INVALID_DOCUMENT',
  'COMPILE_LIMIT_EXCEEDED',
  'COMPUTE_BUDGET_EXCEEDED',
  'COMPUTE_BUSY',
  'CLUSTER_NOT_FOUND',
);

/**
 * A pre-serialised answer goes out as it is (JSON), its warnings as Warning headers; a value
 * goes on to the interceptors.
 */
function sendAnswer(res: Response, answer: CompileAnswer): unknown {
  if ('answer' in answer) return answer.answer;
  setWarningHeaders(res, warningTexts(answer));
  res.type('application/json');
  return answer.json;
}

@ApiTags('compile')
@Controller('v1/compile')
export class CompileController {
  constructor(private readonly service: CompileService) {}

  @Post()
  @HttpCode(200)
  @UseInterceptors(YamlResponseInterceptor)
  @ApiOperation({
    operationId: 'compileDocument',
    summary: 'Compile a document into NetworkPolicies (stores nothing)',
    description:
      'With `Accept: application/yaml` the answer is multi-document YAML for `kubectl apply -f -`.',
  })
  @documentBody
  @ApiProduces('application/json', 'application/yaml')
  @ApiOkResponse({ type: CompileResponseDto })
  @documentProblems
  async compile(
    @Body() body: unknown,
    @Query() query: ClusterQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendAnswer(res, await this.service.compile(body, prefersYaml(req), query.cluster));
  }

  @Post('connectivity')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'computeConnectivity',
    summary: 'Who may reach whom, computed by the evaluator from the compiled objects',
  })
  @documentBody
  @ApiOkResponse({ type: ConnectivityResponseDto })
  @documentProblems
  @ApiProblems('CONNECTIVITY_TOO_LARGE')
  async connectivity(
    @Body() body: unknown,
    @Query() query: ClusterQueryDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendAnswer(res, await this.service.connectivity(body, query.cluster));
  }
}
