import { Module } from '@nestjs/common';
import { PoliciesRepository } from './policies.repository.js';
import { PolicyReader } from './policy-reader.service.js';

/**
 * The policies aggregate's storage: what every module reading policies and revisions imports.
 * It imports nothing, so the modules above it (deployments, policies, diff, drift, probes)
 * never import each other in a circle.
 */
@Module({
  providers: [PoliciesRepository, PolicyReader],
  exports: [PoliciesRepository, PolicyReader],
})
export class PolicyStoreModule {}
