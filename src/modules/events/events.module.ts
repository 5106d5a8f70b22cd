import { Module } from '@nestjs/common';
import { PoliciesModule } from '../policies/policies.module.js';
import { DeploymentEventsController } from './deployment-events.controller.js';
import { DeploymentEventsService } from './deployment-events.service.js';

/** GET /v1/deployments/{id}/events (ROLE=api|all). */
@Module({
  imports: [PoliciesModule],
  controllers: [DeploymentEventsController],
  providers: [DeploymentEventsService],
})
export class EventsModule {}
