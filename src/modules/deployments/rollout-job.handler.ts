import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobHandlers } from '../../infra/queue/job-handlers.js';
import { JOB_APPLY_TARGET } from '../../infra/queue/queue.constants.js';
import { RolloutService } from './rollout.service.js';

/** Registers the handler of `apply-target` jobs: one rollout of one deployment to one cluster. */
@Injectable()
export class RolloutJobHandler implements OnModuleInit {
  constructor(
    private readonly handlers: JobHandlers,
    private readonly rollout: RolloutService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(JOB_APPLY_TARGET, {
      run: ({ deploymentId, clusterName }, ctx) =>
        this.rollout.runTarget(deploymentId, clusterName, ctx),
      failed: ({ deploymentId, clusterName }, error, f) =>
        this.rollout.recordFailure(
          deploymentId,
          clusterName,
          error,
          f.attempt,
          f.final,
          f.nextRetryAt,
        ),
    });
  }
}
