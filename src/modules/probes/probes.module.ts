import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { LatestRevisionReader } from './latest-revision.js';
import { PolicyConnectivityService } from './policy-connectivity.service.js';
import { ProbesController } from './probes.controller.js';
import { ProbesService } from './probes.service.js';

/** Test pods and the stored connectivity of a policy (ROLE=api|all). */
@Module({
  imports: [PoliciesModule, ClustersModule],
  controllers: [ProbesController],
  providers: [LatestRevisionReader, ProbesService, PolicyConnectivityService],
})
export class ProbesModule {}
