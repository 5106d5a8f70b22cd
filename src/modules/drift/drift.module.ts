import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module.js';
import { DeploymentsModule } from '../deployments/deployments.module.js';
import { PolicyStoreModule } from '../policies/policy-store.module.js';
import { DriftJobHandler } from './drift-job.handler.js';
import { DriftController } from './drift.controller.js';
import { DriftScheduler } from './drift.scheduler.js';
import { DriftService } from './drift.service.js';

/** Drift detection: the use case, and the handler of its job. Shared by the API and the worker. */
@Module({
  imports: [PolicyStoreModule, DeploymentsModule, ClustersModule],
  providers: [DriftService, DriftJobHandler],
  exports: [DriftService],
})
export class DriftModule {}

/** POST /v1/policies/{name}/drift-check (ROLE=api|all). */
@Module({ imports: [DriftModule], controllers: [DriftController] })
export class DriftApiModule {}

/** The repeatable drift-check schedule (ROLE=worker|all). */
@Module({ imports: [DriftModule], providers: [DriftScheduler] })
export class DriftWorkerModule {}
