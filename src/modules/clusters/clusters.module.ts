import { Module } from '@nestjs/common';
import { KubeModule } from '../../infra/kube/kube.module.js';
import { ClusterConnector } from './cluster-connector.service.js';
import { secretBoxProvider } from './cluster-secrets.js';
import { ClustersRepository } from './clusters.repository.js';
import { ClustersService } from './clusters.service.js';

/**
 * /v1/clusters: registered clusters with encrypted credentials and their connection state.
 * Other modules use the exported {@link ClusterConnector}. Needs APP_CONFIG and DATABASE
 * (both global in AppModule).
 */
@Module({
  imports: [KubeModule],
  providers: [secretBoxProvider, ClustersRepository, ClusterConnector, ClustersService],
  exports: [ClusterConnector, ClustersService],
})
export class ClustersModule {}
