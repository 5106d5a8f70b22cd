import { Module } from '@nestjs/common';
import { PoliciesModule } from './policies.module.js';
import { RolloutProcessor } from './rollout.processor.js';

/** The BullMQ worker; imported only when ROLE is worker or all. */
@Module({ imports: [PoliciesModule], providers: [RolloutProcessor] })
export class RolloutWorkerModule {}
