import { Module, type DynamicModule } from '@nestjs/common';
import { LoggingModule } from './common/logging/logging.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DATABASE, DatabaseModule, databaseReadiness } from './infra/database/database.module.js';
import type { DatabaseHandle } from './infra/database/database.js';
import { EventsModule } from './infra/events/domain-events.js';
import { QueueModule, REDIS, redisReadiness } from './infra/queue/queue.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { ClustersApiModule } from './modules/clusters/clusters-api.module.js';
import { CompileApiModule } from './modules/compile/compile.module.js';
import { ComputeModule } from './infra/compute/compute.module.js';
import {
  DeploymentsApiModule,
  DeploymentsWorkerModule,
} from './modules/deployments/deployments.module.js';
import { DiffModule } from './modules/diff/diff.module.js';
import { DriftApiModule, DriftWorkerModule } from './modules/drift/drift.module.js';
import { ProbesModule } from './modules/probes/probes.module.js';
import { PoliciesApiModule } from './modules/policies/policies.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { MetricsApiModule, MetricsModule } from './modules/metrics/metrics.module.js';
import { READINESS_CHECKS } from './modules/health/readiness-checks.js';
import { VersionModule } from './modules/version/version.module.js';
import {
  WebhooksApiModule,
  WebhooksModule,
  WebhooksWorkerModule,
} from './modules/webhooks/webhooks.module.js';
import type { Redis } from 'ioredis';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule,
        QueueModule,
        ComputeModule,
        EventsModule,
        HealthModule.forRoot({
          provide: READINESS_CHECKS,
          inject: [DATABASE, REDIS],
          useFactory: (db: DatabaseHandle, redis: Redis) => [
            databaseReadiness(db),
            redisReadiness(redis),
          ],
        }),
        VersionModule,
        MetricsModule,
        WebhooksModule,
        // ROLE=api serves HTTP only, ROLE=worker runs rollout jobs only, ROLE=all does both.
        ...(config.role !== 'worker'
          ? [
              AuthModule,
              CompileApiModule,
              ClustersApiModule,
              PoliciesApiModule,
              DeploymentsApiModule,
              DiffModule,
              DriftApiModule,
              ProbesModule,
              MetricsApiModule,
              WebhooksApiModule,
            ]
          : []),
        ...(config.role !== 'api'
          ? [DeploymentsWorkerModule, DriftWorkerModule, WebhooksWorkerModule]
          : []),
      ],
    };
  }
}
