import { Module } from '@nestjs/common';
import { DriftWorkerModule } from '../drift/drift.module.js';
import { PoliciesModule } from './policies.module.js';
import { RolloutProcessor } from './rollout.processor.js';

/** The BullMQ worker; imported only when ROLE is worker or all. */
@Module({ imports: [PoliciesModule, DriftWorkerModule], providers: [RolloutProcessor] })
export class RolloutWorkerModule {}
