import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DATABASE, DatabaseModule, databaseReadiness } from './infra/database/database.module.js';
import type { DatabaseHandle } from './infra/database/database.js';
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
import { READINESS_CHECKS } from './modules/health/readiness-checks.js';
import type { Redis } from 'ioredis';

/** Paths that a log line must never show (credentials may travel in any of them). */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.caData',
  '*.clientKeyData',
  '*.clientCertificateData',
  '*.kubeconfig',
  '*.secret',
  '*.password',
];

function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  // Accept a caller's id only when it is short and plain, so it cannot forge log content.
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => ({
            pinoHttp: {
              level: c.logLevel,
              genReqId: (req, res) => {
                const id = requestId(req);
                res.setHeader('X-Request-Id', id);
                return id;
              },
              redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
              customLogLevel: (_req, res, err) =>
                err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
              serializers: {
                req: (req: { id: string; method: string; url: string }) => ({
                  id: req.id,
                  method: req.method,
                  url: req.url,
                }),
              },
            },
          }),
        }),
        DatabaseModule,
        QueueModule,
        ComputeModule,
        HealthModule.forRoot({
          provide: READINESS_CHECKS,
          inject: [DATABASE, REDIS],
          useFactory: (db: DatabaseHandle, redis: Redis) => [
            databaseReadiness(db),
            redisReadiness(redis),
          ],
        }),
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
            ]
          : []),
        ...(config.role !== 'api' ? [DeploymentsWorkerModule, DriftWorkerModule] : []),
      ],
    };
  }
}
