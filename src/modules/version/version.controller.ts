import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth/requires-role.decorator.js';
import { VersionDto } from './dto/version.dto.js';
import { VersionService, type VersionInfo } from './version.service.js';

@ApiTags('health')
@Controller('version')
export class VersionController {
  constructor(private readonly version: VersionService) {}

  @Get()
  @Public()
  @ApiOperation({
    operationId: 'getVersion',
    summary: 'The service version, its build, and the document options it supports (no token)',
  })
  @ApiOkResponse({ type: VersionDto })
  get(): VersionInfo {
    return this.version.info();
  }
}
