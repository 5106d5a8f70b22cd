import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module.js';
import { DeploymentsController } from './deployments.controller.js';
import { PoliciesController } from './policies.controller.js';
import { PoliciesRepository } from './policies.repository.js';
import { PoliciesService } from './policies.service.js';
import { RolloutScheduler } from './rollout-scheduler.service.js';
import { RolloutService } from './rollout.service.js';
import { StatusService } from './status.service.js';

/** Policies, revisions, deployments and rollouts: the use cases, shared by the API and the worker. */
@Module({
  imports: [ClustersModule],
  providers: [PoliciesRepository, PoliciesService, StatusService, RolloutService, RolloutScheduler],
  exports: [RolloutService, PoliciesRepository, PoliciesService, StatusService],
})
export class PoliciesModule {}

/** The HTTP side: /v1/policies and /v1/deployments (ROLE=api|all). */
@Module({ imports: [PoliciesModule], controllers: [PoliciesController, DeploymentsController] })
export class PoliciesApiModule {}
