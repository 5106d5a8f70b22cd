import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import { ProblemDto } from '../../common/dto/problem.dto.js';
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
    summary: 'Create an API token (admin)',
    description: 'The answer holds the secret: the only time it is shown.',
  })
  @ApiCreatedResponse({ type: CreatedTokenDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'A token with this name exists.' })
  create(@Body() body: CreateTokenDto) {
    return this.tokens.create(body.name, body.role);
  }

  @Get()
  @ApiOperation({ summary: 'List the API tokens, by name, without their secrets (admin)' })
  @ApiOkResponse({ type: TokenPageDto })
  list(@Query() query: PageQueryDto) {
    return this.tokens.list(query.limit, query.cursor);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke an API token (admin)',
    description: 'Immediate in this process, within 10 s in the others.',
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'The last admin token cannot be deleted.' })
  async delete(@Param('name') name: string): Promise<void> {
    await this.tokens.delete(name);
  }
}
