import { Body, Controller, HttpCode, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ProblemDto } from '../../common/dto/problem.dto.js';
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
const badDocument = ApiBadRequestResponse({
  type: ProblemDto,
  description: 'Every problem of the document at once, as application/problem+json.',
});
const tooLarge = ApiUnprocessableEntityResponse({
  type: ProblemDto,
  description:
    'The compiled form would exceed a limit (COMPILE_LIMIT_EXCEEDED, naming the limit, the count and the largest contributors), or the computation its time budget.',
});

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
    summary: 'Compile a document into NetworkPolicies (stores nothing)',
    description:
      'With `Accept: application/yaml` the answer is multi-document YAML for `kubectl apply -f -`.',
  })
  @documentBody
  @ApiProduces('application/json', 'application/yaml')
  @ApiOkResponse({ type: CompileResponseDto })
  @badDocument
  @tooLarge
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
    summary: 'Who may reach whom, computed by the evaluator from the compiled objects',
  })
  @documentBody
  @ApiOkResponse({ type: ConnectivityResponseDto })
  @badDocument
  @tooLarge
  async connectivity(
    @Body() body: unknown,
    @Query() query: ClusterQueryDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendAnswer(res, await this.service.connectivity(body, query.cluster));
  }
}
