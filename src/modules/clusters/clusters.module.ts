import { Module } from '@nestjs/common';
import { KubeModule } from '../../infra/kube/kube.module.js';
import { ClusterConnector } from './cluster-connector.service.js';
import { ClusterHooks } from './cluster-hooks.js';
import { secretBoxProvider } from './cluster-secrets.js';
import { ClustersController } from './clusters.controller.js';
import { ClustersRepository } from './clusters.repository.js';
import { ClustersService } from './clusters.service.js';

/**
 * /v1/clusters: registered clusters with encrypted credentials and their connection state.
 * Other modules use the exported {@link ClusterConnector}. Needs APP_CONFIG and DATABASE
 * (both global in AppModule).
 */
@Module({
  imports: [KubeModule],
  providers: [
    secretBoxProvider,
    ClustersRepository,
    ClusterHooks,
    ClusterConnector,
    ClustersService,
  ],
  exports: [ClusterConnector, ClustersService],
})
export class ClustersModule {}

/** The HTTP side, /v1/clusters (ROLE=api|all): a worker process serves no cluster routes. */
@Module({ imports: [ClustersModule], controllers: [ClustersController] })
export class ClustersApiModule {}
