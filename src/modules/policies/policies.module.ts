import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module.js';
import { CompileModule } from '../compile/compile.module.js';
import { DeploymentsModule } from '../deployments/deployments.module.js';
import { PoliciesController } from './policies.controller.js';
import { PoliciesService } from './policies.service.js';
import { PolicyStoreModule } from './policy-store.module.js';
import { RevisionPreparer } from './revision-preparer.service.js';

/** Policies and revisions: storing a document (and its deployment), reading, rollback. */
@Module({
  imports: [PolicyStoreModule, DeploymentsModule, CompileModule, ClustersModule],
  providers: [PoliciesService, RevisionPreparer],
  exports: [PoliciesService, RevisionPreparer],
})
export class PoliciesModule {}

/** The HTTP side: /v1/policies (ROLE=api|all). */
@Module({ imports: [PoliciesModule, DeploymentsModule], controllers: [PoliciesController] })
export class PoliciesApiModule {}
