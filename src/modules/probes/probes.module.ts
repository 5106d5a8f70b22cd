import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module.js';
import { CompileModule } from '../compile/compile.module.js';
import { PolicyStoreModule } from '../policies/policy-store.module.js';
import { PolicyConnectivityService } from './policy-connectivity.service.js';
import { ProbesController } from './probes.controller.js';
import { ProbesService } from './probes.service.js';

/** Test pods and the stored connectivity of a policy (ROLE=api|all). */
@Module({
  imports: [PolicyStoreModule, ClustersModule, CompileModule],
  controllers: [ProbesController],
  providers: [ProbesService, PolicyConnectivityService],
})
export class ProbesModule {}
