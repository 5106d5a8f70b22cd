import { Body, Controller, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { ProblemDto } from '../../common/dto/problem.dto.js';
import {
  ParsePolicyDocumentPipe,
  type ParsedDocument,
} from '../../common/parse-policy-document.pipe.js';
import { YamlResponseInterceptor } from '../../common/yaml-response.interceptor.js';
import { EXAMPLE_DOCUMENT } from './dto/example-document.js';
import { CompileResponseDto, ConnectivityResponseDto } from './dto/compile-response.dto.js';
import { PolicyDocumentDto } from './dto/policy-document.dto.js';
import { CompileService } from './compile.service.js';

const documentBody = ApiBody({
  type: PolicyDocumentDto,
  examples: { mms: { summary: 'The MMS example', value: EXAMPLE_DOCUMENT } },
});
const badDocument = ApiBadRequestResponse({
  type: ProblemDto,
  description: 'Every problem of the document at once, as application/problem+json.',
});

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
  compile(@Body(ParsePolicyDocumentPipe) parsed: ParsedDocument) {
    return this.service.compile(parsed);
  }

  @Post('connectivity')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Who may reach whom, computed by the evaluator from the compiled objects',
  })
  @documentBody
  @ApiOkResponse({ type: ConnectivityResponseDto })
  @badDocument
  connectivity(@Body(ParsePolicyDocumentPipe) parsed: ParsedDocument) {
    return this.service.connectivity(parsed);
  }
}
