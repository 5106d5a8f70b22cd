import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module.js';
import { CompileModule } from '../compile/compile.module.js';
import { DeploymentsModule } from '../deployments/deployments.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { PolicyStoreModule } from '../policies/policy-store.module.js';
import { ClusterDiffService } from './cluster-diff.service.js';
import { DiffController } from './diff.controller.js';
import { DiffService } from './diff.service.js';

/**
 * GET /v1/policies/{name}/diff, GET /v1/policies/{name}/revisions/{a}/diff/{b} and
 * POST /v1/policies/{name}/plan (ROLE=api|all). Reads and server-side dry runs only.
 */
@Module({
  imports: [PolicyStoreModule, PoliciesModule, DeploymentsModule, ClustersModule, CompileModule],
  controllers: [DiffController],
  providers: [DiffService, ClusterDiffService],
})
export class DiffModule {}
