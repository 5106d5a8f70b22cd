import { Controller, Get, Inject, Optional } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
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
  @ApiOperation({ summary: 'Liveness: the process is up and serving' })
  @ApiOkResponse({ description: 'Alive.' })
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the database and Redis answer' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; the body names it.' })
  readyz() {
    return this.health.check(this.checks);
  }
}
