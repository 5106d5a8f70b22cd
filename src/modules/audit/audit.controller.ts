import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import { PageQueryDto } from '../../common/pagination.js';
import { AuditService } from './audit.service.js';
import { AuditPageDto } from './dto/audit.dto.js';

@ApiTags('audit')
@RequiresRole('admin')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    operationId: 'listAuditEntries',
    summary: 'The audit log of writes, newest first (admin)',
  })
  @ApiOkResponse({ type: AuditPageDto })
  list(@Query() query: PageQueryDto) {
    return this.audit.list(query.limit, query.cursor);
  }
}
