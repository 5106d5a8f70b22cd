import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { DriftController } from './drift.controller.js';
import { DriftScheduler } from './drift.scheduler.js';
import { DriftService } from './drift.service.js';
import { RollbackService } from './rollback.service.js';

/** Drift detection and rollback: the use cases, shared by the API and the worker. */
@Module({
  imports: [PoliciesModule, ClustersModule],
  providers: [DriftService, RollbackService],
  exports: [DriftService, RollbackService],
})
export class DriftModule {}

/** POST /v1/policies/{name}/drift-check and /rollback (ROLE=api|all). */
@Module({ imports: [DriftModule], controllers: [DriftController] })
export class DriftApiModule {}

/**
 * The repeatable drift-check job (ROLE=worker|all). The rollout worker runs the jobs: it must
 * hand JOB_DRIFT_CHECK to DriftService.checkAll (see the wiring notes).
 */
@Module({ imports: [DriftModule], providers: [DriftScheduler], exports: [DriftModule] })
export class DriftWorkerModule {}
