import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import { ApiProblems } from '../../openapi/api-problems.decorator.js';
import { PageQueryDto } from '../../common/pagination.js';
import { ApiTokenService } from './api-token.service.js';
import { CreatedTokenDto, CreateTokenDto, TokenPageDto } from './dto/token.dto.js';

@ApiTags('tokens')
@RequiresRole('admin')
@Controller('v1/tokens')
export class TokensController {
  constructor(private readonly tokens: ApiTokenService) {}

  @Post()
  @ApiOperation({
    operationId: 'createToken',
    summary: 'Create an API token (admin)',
    description: 'The answer holds the secret: the only time it is shown.',
  })
  @ApiCreatedResponse({ type: CreatedTokenDto })
  @ApiProblems('TOKEN_EXISTS')
  create(@Body() body: CreateTokenDto) {
    return this.tokens.create(body.name, body.role);
  }

  @Get()
  @ApiOperation({
    operationId: 'listTokens',
    summary: 'List the API tokens, by name, without their secrets (admin)',
  })
  @ApiOkResponse({ type: TokenPageDto })
  list(@Query() query: PageQueryDto) {
    return this.tokens.list(query.limit, query.cursor);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteToken',
    summary: 'Revoke an API token (admin)',
    description: 'Immediate in this process, within 10 s in the others.',
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems('TOKEN_NOT_FOUND', 'LAST_ADMIN_TOKEN')
  async delete(@Param('name') name: string): Promise<void> {
    await this.tokens.delete(name);
  }
}
