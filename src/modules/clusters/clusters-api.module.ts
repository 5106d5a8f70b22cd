import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module.js';
import { ClusterLifecycleService } from './cluster-lifecycle.service.js';
import { ClustersController } from './clusters.controller.js';
import { ClustersModule } from './clusters.module.js';

/**
 * The HTTP side, /v1/clusters (ROLE=api|all): a worker process serves no cluster routes. It
 * imports deployments for the use cases that span both (ClusterLifecycleService).
 */
@Module({
  imports: [ClustersModule, DeploymentsModule],
  controllers: [ClustersController],
  providers: [ClusterLifecycleService],
})
export class ClustersApiModule {}
