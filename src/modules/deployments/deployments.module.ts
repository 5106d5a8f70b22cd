import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module.js';
import { PolicyStoreModule } from '../policies/policy-store.module.js';
import { ClusterSlots } from './cluster-slots.js';
import { DeploymentEventsService } from './deployment-events.service.js';
import { DeploymentsController } from './deployments.controller.js';
import { DeploymentsRepository } from './deployments.repository.js';
import { DeploymentsService } from './deployments.service.js';
import { JobProcessor } from './job.processor.js';
import { RolloutJobHandler } from './rollout-job.handler.js';
import { RolloutScheduler } from './rollout-scheduler.service.js';
import { RolloutService } from './rollout.service.js';
import { StatusController } from './status.controller.js';
import { StatusRepository } from './status.repository.js';
import { StatusService } from './status.service.js';
import { TargetResolver } from './target-resolver.service.js';
import { WritePacers } from './write-pacer.js';

/**
 * Deployments: the per-cluster rollout of revisions (queue, scheduler, rollout), their status
 * and event stream, and the use cases that deploy an existing revision (sync, delete, a new
 * cluster, a cluster's prune). Shared by the API and the worker.
 */
@Module({
  imports: [ClustersModule, PolicyStoreModule],
  providers: [
    DeploymentsRepository,
    DeploymentsService,
    RolloutScheduler,
    RolloutService,
    RolloutJobHandler,
    StatusService,
    StatusRepository,
    DeploymentEventsService,
    TargetResolver,
    WritePacers,
  ],
  exports: [
    DeploymentEventsService,
    DeploymentsRepository,
    DeploymentsService,
    RolloutScheduler,
    RolloutService,
    StatusService,
    TargetResolver,
  ],
})
export class DeploymentsModule {}

/** The HTTP side: /v1/deployments and the fleet view /v1/status (ROLE=api|all). */
@Module({ imports: [DeploymentsModule], controllers: [DeploymentsController, StatusController] })
export class DeploymentsApiModule {}

/** The BullMQ worker; imported only when ROLE is worker or all. */
@Module({ imports: [DeploymentsModule, ClustersModule], providers: [JobProcessor, ClusterSlots] })
export class DeploymentsWorkerModule {}
