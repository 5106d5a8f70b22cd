import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../openapi/api-problems.decorator.js';
import { HealthDto, ReadinessDto } from './dto/health.dto.js';
import { HealthCheck, HealthCheckService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { READINESS_CHECKS } from './readiness-checks.js';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Optional() @Inject(READINESS_CHECKS) private readonly checks: HealthIndicatorFunction[] = [],
  ) {}

  @Get('healthz')
  @ApiOperation({ operationId: 'getHealth', summary: 'Liveness: the process is up and serving' })
  @ApiOkResponse({ type: HealthDto, description: 'Alive.' })
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: the database and Redis answer',
  })
  @ApiOkResponse({ type: ReadinessDto, description: 'Every dependency answers.' })
  @ApiProblems('SERVICE_UNAVAILABLE')
  readyz() {
    return this.health.check(this.checks);
  }
}
